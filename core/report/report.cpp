#include "core/report/report.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>
#include <unordered_map>

namespace costdeck::report {

const char* period_name(Period p) {
  switch (p) {
    case Period::Day: return "daily";
    case Period::Week: return "weekly";
    case Period::Month: return "monthly";
    case Period::Session: return "session";
    case Period::Model: return "models";
  }
  return "?";
}

void Totals::add(const Totals& o) {
  tokens += o.tokens;
  reasoning_tokens += o.reasoning_tokens;
  web_search_requests += o.web_search_requests;
  responses += o.responses;
  cost += o.cost;
}

namespace {

std::string_view strip_jsonl(std::string_view name) {
  constexpr std::string_view kExt = ".jsonl";
  if (name.size() >= kExt.size() && name.substr(name.size() - kExt.size()) == kExt)
    name.remove_suffix(kExt.size());
  return name;
}

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    if (end > start) parts.push_back(p.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

SessionParts session_parts_from_path(const std::string& path, Runtime runtime) {
  SessionParts out;
  auto parts = split_path(path);
  if (parts.empty()) return out;
  out.file_stem = std::string(strip_jsonl(parts.back()));
  const std::string_view anchor = runtime == Runtime::Codex ? "sessions" : "projects";
  std::size_t at = parts.size();
  for (std::size_t i = parts.size(); i-- > 0;)
    if (parts[i] == anchor && i + 1 < parts.size()) {
      at = i;
      break;
    }
  if (runtime == Runtime::Codex) {
    if (at == parts.size()) {
      out.session_id = out.file_stem;
      return out;
    }
    std::string dir;
    for (std::size_t i = at + 1; i + 1 < parts.size(); ++i)
      dir += (dir.empty() ? "" : "/") + std::string(parts[i]);
    out.project_path = dir;  // ccusage's `directory`
    out.session_id = dir.empty() ? out.file_stem : dir + "/" + out.file_stem;
    return out;
  }
  if (at == parts.size() || at + 2 >= parts.size()) {
    out.session_id = out.file_stem;
    out.project_path = parts.size() >= 2 ? std::string(parts[parts.size() - 2]) : std::string();
    return out;
  }
  out.project_path = std::string(parts[at + 1]);
  // A file directly in the project folder is its own session; deeper files (2.1.x
  // subagents) belong to the folder named after their parent session.
  out.session_id = at + 3 == parts.size() ? out.file_stem : std::string(parts[at + 2]);
  return out;
}

namespace {

struct Acc {
  Row row;
  std::unordered_map<std::string, std::size_t> model_index;  // into row.models
  std::vector<std::int32_t> line_of_variant;                 // by model variant: into row.models, -1 none
};

bool contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

}  // namespace

Report build_report(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts) {
  Report rep;
  rep.period = opts.period;

  // Per interned string, resolved once: a million rows share a few dozen models and files.
  std::vector<const ModelPrice*> price_of(usage.models.size(), nullptr);
  for (std::size_t i = 0; i < usage.models.size(); ++i) price_of[i] = prices.find(usage.models[i]);
  std::vector<std::optional<SessionParts>> parts_of(usage.files.size());
  auto parts = [&](std::int32_t file, Runtime rt) -> const SessionParts& {
    static const SessionParts kNone;
    if (file < 0 || static_cast<std::size_t>(file) >= usage.files.size()) return kNone;
    auto& slot = parts_of[static_cast<std::size_t>(file)];
    if (!slot) slot = session_parts_from_path(usage.files[static_cast<std::size_t>(file)], rt);
    return *slot;
  };
  auto str = [](const std::vector<std::string>& v, std::int32_t i) -> const std::string& {
    static const std::string kEmpty;
    return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : kEmpty;
  };

  std::map<std::string, Acc> groups;
  std::map<std::pair<std::string, int>, UnknownModel> unknown;

  // Rows are in time order: a bounded report visits only the rows of its days (a day of
  // slack each side; the per-row day test below stays the rule).
  std::size_t lo = 0, hi = usage.rows.size();
  if (!opts.ccusage_model_order) {
    auto at = [&](std::int64_t ts) { return store::first_row_at(usage, ts); };
    if (opts.since) lo = at(opts.zone.start_of_day_ms(*opts.since - 1));
    if (opts.until) hi = std::max(lo, at(opts.zone.start_of_day_ms(*opts.until + 2)));
  }
  // Only the order of first use depends on the visiting order; sums do not.
  std::vector<std::size_t> order(hi - lo);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = lo + i;
  if (opts.ccusage_model_order) {
    std::vector<std::int64_t> file_first(usage.files.size(), INT64_MAX);
    std::vector<timeutil::Day> day_of(usage.rows.size());
    timeutil::DayCache day_cache(opts.zone);
    for (std::size_t i = 0; i < usage.rows.size(); ++i) {
      const auto& r = usage.rows[i];
      day_of[i] = day_cache(r.ts_ms);
      if (r.file >= 0)
        file_first[static_cast<std::size_t>(r.file)] =
            std::min(file_first[static_cast<std::size_t>(r.file)], r.ts_ms);
    }
    auto file_key = [&](std::int32_t f) {
      return f >= 0 ? std::make_pair(file_first[static_cast<std::size_t>(f)],
                                     &usage.files[static_cast<std::size_t>(f)])
                    : std::make_pair(std::int64_t{INT64_MAX}, static_cast<const std::string*>(nullptr));
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (day_of[a] != day_of[b]) return day_of[a] < day_of[b];
      auto fa = file_key(usage.rows[a].file), fb = file_key(usage.rows[b].file);
      if (fa.first != fb.first) return fa.first < fb.first;
      if (fa.second != fb.second && fa.second && fb.second && *fa.second != *fb.second)
        return *fa.second < *fb.second;
      return usage.rows[a].ts_ms < usage.rows[b].ts_ms;
    });
  }

  const bool precomputed = opts.row_usd && opts.row_priced && opts.row_usd->size() == usage.rows.size() &&
                           opts.row_priced->size() == usage.rows.size();
  struct Variant {
    std::string name;
    const ModelPrice* price = nullptr;
    bool fallback = false, shown = true, synthetic = false;
  };
  std::vector<std::optional<Variant>> variants;
  Acc* last_acc = nullptr;
  std::string last_key;
  constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);
  std::vector<Acc*> acc_of_group;
  timeutil::Day key_day{};
  bool day_key_valid = false;
  std::string day_key;
  timeutil::DayCache day_of(opts.zone);
  for (std::size_t idx : order) {
    const store::UsageRow& r = usage.rows[idx];
    if (opts.runtime && r.runtime != *opts.runtime) continue;
    const timeutil::Day day = day_of(r.ts_ms);
    if (opts.since && day < *opts.since) continue;
    if (opts.until && day > *opts.until) continue;
    const SessionParts& sp = parts(r.file, r.runtime);
    if (!opts.project.empty() && !contains(str(usage.projects, r.project), opts.project) &&
        !contains(sp.project_path, opts.project))
      continue;

    // The model as shown, its price and its fallback mark depend only on (model, fast,
    // runtime): resolved once per combination, not per row.
    const std::size_t vid = ((static_cast<std::size_t>(r.model + 1) * 2 + (r.fast ? 1 : 0)) * 2) +
                            (r.runtime == Runtime::Codex ? 1 : 0);
    if (vid >= variants.size()) variants.resize(vid + 1);
    if (!variants[vid]) {
      Variant v;
      v.name = str(usage.models, r.model);
      v.price = r.model >= 0 ? price_of[static_cast<std::size_t>(r.model)] : nullptr;
      if (v.name.empty() && r.runtime == Runtime::Codex) {
        // Rollouts without a turn_context model: ccusage assumes gpt-5 and marks it.
        v.name = "gpt-5";
        v.fallback = true;
        v.price = prices.find(v.name);
      }
      if (v.name.empty()) v.name = "<unknown>";
      if (r.fast) v.name += "-fast";
      v.shown = contains(v.name, opts.model);
      v.synthetic = v.name == "<synthetic>";
      variants[vid] = std::move(v);
    }
    const Variant& var = *variants[vid];
    if (!var.shown) continue;
    const std::string& model = var.name;
    const bool fallback = var.fallback;
    const ModelPrice* price = var.price;

    ResponseCost c;
    if (precomputed) {
      c.usd = (*opts.row_usd)[idx];
      c.priced = (*opts.row_priced)[idx];
    } else {
      c = response_cost(price, r.tokens, r.cost_usd(), r.fast, opts.rules);
    }
    if (r.has_recorded_cost) ++rep.responses_with_cost_usd;
    Totals t;
    t.tokens = r.tokens;
    t.reasoning_tokens = r.reasoning_tokens;
    t.web_search_requests = r.web_search_requests;
    t.responses = 1;
    t.cost = c.usd;

    const std::string* key = nullptr;
    // Rows come in time order: the day's key is formatted once per day, not once per row.
    if (opts.period == Period::Day || opts.period == Period::Week || opts.period == Period::Month) {
      if (!day_key_valid || day != key_day) {
        key_day = day;
        day_key_valid = true;
        day_key = opts.period == Period::Day ? timeutil::format_day(day)
                  : opts.period == Period::Week
                      ? timeutil::format_day(timeutil::week_start(day, opts.week_start))
                      : timeutil::format_month(day);
      }
    }
    switch (opts.period) {
      case Period::Day:
      case Period::Week:
      case Period::Month: key = &day_key; break;
      case Period::Model: key = &model; break;
      case Period::Session: {
        const std::string& sid = str(usage.sessions, r.session);
        key = opts.sessions == SessionGrouping::FilePath || sid.empty() ? &sp.session_id : &sid;
        break;
      }
    }
    // Sessions and models interleave row by row: their group is found once per interned
    // id, not by comparing and looking up its string on every change of group.
    std::size_t gid = kNoGroup;
    if (opts.period == Period::Model)
      gid = vid;
    else if (opts.period == Period::Session)
      gid = key == &sp.session_id
                ? (r.file >= 0 ? usage.sessions.size() + static_cast<std::size_t>(r.file) : kNoGroup)
                : static_cast<std::size_t>(r.session);
    Acc* group = nullptr;
    if (gid != kNoGroup) {
      if (gid >= acc_of_group.size()) acc_of_group.resize(gid + 1, nullptr);
      if (!acc_of_group[gid]) acc_of_group[gid] = &groups[*key];  // map nodes stay put
      group = acc_of_group[gid];
      last_acc = nullptr;
    } else {
      if (!last_acc || *key != last_key) {
        last_acc = &groups[*key];
        last_key = *key;
      }
      group = last_acc;
    }
    Acc& acc = *group;
    Row& row = acc.row;
    if (row.totals.responses == 0) {
      row.key = *key;
      row.first_ms = r.ts_ms;
      row.last_ms = r.ts_ms;
      row.project_path = sp.project_path;
      row.project = str(usage.projects, r.project);
      row.session_file = sp.file_stem;
      row.directory = r.runtime == Runtime::Codex ? sp.project_path : std::string();
    }
    row.first_ms = std::min(row.first_ms, r.ts_ms);
    row.last_ms = std::max(row.last_ms, r.ts_ms);
    if (row.project.empty()) row.project = str(usage.projects, r.project);
    (r.runtime == Runtime::Codex ? row.has_codex : row.has_claude) = true;
    row.totals.add(t);
    rep.totals.add(t);
    // API-error placeholders carry no usage and no real model.
    if (var.synthetic) continue;
    if (acc.line_of_variant.size() <= vid) acc.line_of_variant.resize(vid + 1, -1);
    if (acc.line_of_variant[vid] < 0) {
      // Two variants can show the same name (a Codex row named gpt-5 and one that fell back).
      auto [mi, fresh] = acc.model_index.try_emplace(model, row.models.size());
      if (fresh) {
        row.models_used.push_back(model);
        ModelLine ml;
        ml.model = model;
        ml.runtime = r.runtime;
        ml.fallback = fallback;
        row.models.push_back(ml);
      }
      acc.line_of_variant[vid] = static_cast<std::int32_t>(mi->second);
    }
    ModelLine& ml = row.models[static_cast<std::size_t>(acc.line_of_variant[vid])];
    ml.totals.add(t);
    if (!c.priced) {
      ml.priced = false;
      UnknownModel& u = unknown[{model, static_cast<int>(r.runtime)}];
      u.model = model;
      u.runtime = r.runtime;
      u.totals.add(t);
    }
  }

  rep.rows.reserve(groups.size());
  for (auto& [key, acc] : groups) {
    std::stable_sort(acc.row.models.begin(), acc.row.models.end(),
                     [](const ModelLine& a, const ModelLine& b) { return a.totals.cost > b.totals.cost; });
    rep.rows.push_back(std::move(acc.row));
  }
  // Highest cost first, as ccusage lists sessions.
  if (opts.period == Period::Session || opts.period == Period::Model) {
    std::stable_sort(rep.rows.begin(), rep.rows.end(),
                     [](const Row& a, const Row& b) { return a.totals.cost > b.totals.cost; });
  }
  for (auto& [k, u] : unknown) rep.unknown_models.push_back(std::move(u));
  return rep;
}

}  // namespace costdeck::report
