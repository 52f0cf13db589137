#include "core/report/report_builder.hpp"

#include <algorithm>
#include <numeric>

namespace costdeck::report {

namespace {

bool contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

const std::string& str(const std::vector<std::string>& v, std::int32_t i) {
  static const std::string kEmpty;
  return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : kEmpty;
}

constexpr std::int64_t kHourMs = 3'600'000;

}  // namespace

ReportBuilder::ReportBuilder(const PriceTable& prices, ReportOptions opts, BuilderExtras extras)
    : prices_(&prices), opts_(std::move(opts)), extras_(extras), day_of_(opts_.zone) {}

void ReportBuilder::set_row_costs(const std::vector<double>* usd, const std::vector<bool>* priced) {
  opts_.row_usd = usd;
  opts_.row_priced = priced;
}

const SessionParts& ReportBuilder::parts(const store::UsageTable& usage, std::int32_t file, Runtime rt) {
  static const SessionParts kNone;
  if (file < 0 || static_cast<std::size_t>(file) >= usage.files.size()) return kNone;
  const auto f = static_cast<std::size_t>(file);
  if (f >= parts_of_.size()) parts_of_.resize(f + 1);
  if (!parts_of_[f]) parts_of_[f] = session_parts_from_path(usage.files[f], rt);
  return *parts_of_[f];
}

// The model as shown, its price and its fallback mark depend only on (model, fast,
// runtime): resolved once per combination, not per row.
const ReportBuilder::Variant& ReportBuilder::variant(const store::UsageTable& usage, std::size_t vid,
                                                     const store::UsageRow& r) {
  if (vid >= variants_.size()) variants_.resize(vid + 1);
  auto& slot = variants_[vid];
  if (!slot) {
    Variant v;
    v.name = str(usage.models, r.model);
    if (r.model >= 0) {
      const auto m = static_cast<std::size_t>(r.model);
      if (m >= price_of_.size()) price_of_.resize(m + 1);
      if (!price_of_[m]) price_of_[m] = prices_->find(usage.models[m]);
      v.price = *price_of_[m];
    }
    if (v.name.empty() && r.runtime == Runtime::Codex) {
      // Rollouts without a turn_context model: ccusage assumes gpt-5 and marks it.
      v.name = "gpt-5";
      v.fallback = true;
      v.price = prices_->find(v.name);
    }
    if (v.name.empty()) v.name = "<unknown>";
    if (r.fast) v.name += "-fast";
    v.shown = contains(v.name, opts_.model);
    v.synthetic = v.name == "<synthetic>";
    slot = std::move(v);
  }
  return *slot;
}

std::uint32_t ReportBuilder::group_for(const std::string& key) {
  auto [it, fresh] = group_of_key_.try_emplace(key, static_cast<std::uint32_t>(groups_.size()));
  if (fresh) {
    groups_.emplace_back().row.key = key;
    saved_in_.push_back(0);
  }
  return it->second;
}

ReportBuilder::Acc& ReportBuilder::touch(std::uint32_t g) {
  if (saved_.active && g < saved_.groups && saved_in_[g] != savepoint_no_) {
    saved_.accs.emplace_back(g, groups_[g]);
    saved_in_[g] = savepoint_no_;
  }
  return groups_[g];
}

void ReportBuilder::add(const store::UsageTable& usage, std::size_t from, std::size_t to) {
  to = std::min(to, usage.rows.size());
  for (std::size_t i = from; i < to; ++i) add_row(usage, i);
}

void ReportBuilder::add_row(const store::UsageTable& usage, std::size_t idx) {
  const store::UsageRow& r = usage.rows[idx];
  if (opts_.runtime && r.runtime != *opts_.runtime) return;
  const timeutil::Day day = day_of_(r.ts_ms);
  if (opts_.since && day < *opts_.since) return;
  if (opts_.until && day > *opts_.until) return;
  const SessionParts& sp = parts(usage, r.file, r.runtime);
  if (!opts_.project.empty() && !contains(str(usage.projects, r.project), opts_.project) &&
      !contains(sp.project_path, opts_.project))
    return;
  const std::size_t vid = ((static_cast<std::size_t>(r.model + 1) * 2 + (r.fast ? 1 : 0)) * 2) +
                          (r.runtime == Runtime::Codex ? 1 : 0);
  const Variant& var = variant(usage, vid, r);
  if (!var.shown) return;

  ResponseCost c;
  if (opts_.row_usd && opts_.row_priced && opts_.row_usd->size() == usage.rows.size() &&
      opts_.row_priced->size() == usage.rows.size()) {
    c.usd = (*opts_.row_usd)[idx];
    c.priced = (*opts_.row_priced)[idx];
  } else {
    c = response_cost(var.price, r.tokens, r.cost_usd(), r.fast, opts_.rules);
  }
  if (r.has_recorded_cost) ++with_cost_usd_;
  Totals t;
  t.tokens = r.tokens;
  t.reasoning_tokens = r.reasoning_tokens;
  t.web_search_requests = r.web_search_requests;
  t.responses = 1;
  t.cost = c.usd;

  std::uint32_t g = 0;
  switch (opts_.period) {
    case Period::Day:
    case Period::Week:
    case Period::Month:
      // Rows come in time order: the day's key is formatted once per day, not once per row.
      if (key_day_ != day) {
        key_day_ = day;
        day_key_ = opts_.period == Period::Day ? timeutil::format_day(day)
                   : opts_.period == Period::Week
                       ? timeutil::format_day(timeutil::week_start(day, opts_.week_start))
                       : timeutil::format_month(day);
        last_group_ = -1;
      }
      if (last_group_ < 0) last_group_ = static_cast<std::int32_t>(group_for(day_key_));
      g = static_cast<std::uint32_t>(last_group_);
      break;
    case Period::Model:
    case Period::Session: {
      const std::string* key = &var.name;
      // An id that stays the same as the table grows: sessionIds even, file paths odd.
      std::size_t gid = vid;
      if (opts_.period == Period::Session) {
        const std::string& sid = str(usage.sessions, r.session);
        const bool by_path = opts_.sessions == SessionGrouping::FilePath || sid.empty();
        key = by_path ? &sp.session_id : &sid;
        gid = by_path ? (r.file >= 0 ? static_cast<std::size_t>(r.file) * 2 + 1 : SIZE_MAX)
                      : static_cast<std::size_t>(r.session) * 2;
      }
      if (gid == SIZE_MAX) {
        g = group_for(*key);
        break;
      }
      if (gid >= group_of_id_.size()) group_of_id_.resize(gid + 1, -1);
      if (group_of_id_[gid] < 0) group_of_id_[gid] = static_cast<std::int32_t>(group_for(*key));
      g = static_cast<std::uint32_t>(group_of_id_[gid]);
      break;
    }
  }
  Acc& acc = touch(g);
  Row& row = acc.row;
  if (row.totals.responses == 0) {
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
  totals_.add(t);
  if (extras_.hourly_timeline) {
    // Rows are in time order, so a group's hours only grow: the last one or a new one.
    const std::int64_t hour = r.ts_ms / kHourMs * kHourMs;
    if (row.timeline.empty() || row.timeline.back().first != hour)
      row.timeline.emplace_back(hour, c.usd);
    else
      row.timeline.back().second += c.usd;
  }
  if (extras_.sessions_per_day) {
    // A session's rows come in time order too: the last day it was counted on suffices.
    const auto s = static_cast<std::size_t>(r.session + 1);
    if (s >= session_day_.size()) session_day_.resize(s + 1, -1);
    if (session_day_[s] != static_cast<std::int32_t>(g)) {
      if (saved_.active) saved_.session_days.emplace_back(static_cast<std::uint32_t>(s), session_day_[s]);
      session_day_[s] = static_cast<std::int32_t>(g);
      ++row.sessions;
    }
  }
  // API-error placeholders carry no usage and no real model.
  if (var.synthetic) return;
  if (acc.line_of_variant.size() <= vid) acc.line_of_variant.resize(vid + 1, -1);
  if (acc.line_of_variant[vid] < 0) {
    // Two variants can show the same name (a Codex row named gpt-5 and one that fell back).
    auto [mi, fresh] = acc.model_index.try_emplace(var.name, row.models.size());
    if (fresh) {
      row.models_used.push_back(var.name);
      ModelLine ml;
      ml.model = var.name;
      ml.runtime = r.runtime;
      ml.fallback = var.fallback;
      row.models.push_back(ml);
    }
    acc.line_of_variant[vid] = static_cast<std::int32_t>(mi->second);
  }
  ModelLine& ml = row.models[static_cast<std::size_t>(acc.line_of_variant[vid])];
  ml.totals.add(t);
  if (!c.priced) {
    ml.priced = false;
    UnknownModel& u = unknown_[{var.name, static_cast<int>(r.runtime)}];
    u.model = var.name;
    u.runtime = r.runtime;
    u.totals.add(t);
  }
}

void ReportBuilder::savepoint() {
  saved_.active = true;
  saved_.groups = groups_.size();
  saved_.accs.clear();
  saved_.session_days.clear();
  saved_.totals = totals_;
  saved_.with_cost_usd = with_cost_usd_;
  saved_.unknown = unknown_;
  ++savepoint_no_;
}

void ReportBuilder::rollback() {
  if (!saved_.active) return;
  for (auto& [g, acc] : saved_.accs) groups_[g] = std::move(acc);
  for (std::size_t i = saved_.groups; i < groups_.size(); ++i) group_of_key_.erase(groups_[i].row.key);
  groups_.resize(saved_.groups);
  saved_in_.resize(saved_.groups);
  for (auto& id : group_of_id_)
    if (id >= static_cast<std::int32_t>(saved_.groups)) id = -1;
  for (auto it = saved_.session_days.rbegin(); it != saved_.session_days.rend(); ++it)
    session_day_[it->first] = it->second;
  totals_ = saved_.totals;
  with_cost_usd_ = saved_.with_cost_usd;
  unknown_ = saved_.unknown;
  last_group_ = -1;
  key_day_.reset();
  // Still at the same savepoint, with nothing added after it.
  saved_.accs.clear();
  saved_.session_days.clear();
  ++savepoint_no_;
}

Report ReportBuilder::read_out(bool move) {
  Report rep;
  rep.period = opts_.period;
  rep.totals = totals_;
  rep.responses_with_cost_usd = with_cost_usd_;
  std::vector<std::uint32_t> order(groups_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return groups_[a].row.key < groups_[b].row.key; });
  rep.rows.reserve(order.size());
  for (std::uint32_t g : order) {
    rep.rows.push_back(move ? std::move(groups_[g].row) : groups_[g].row);
    auto& models = rep.rows.back().models;
    std::stable_sort(models.begin(), models.end(),
                     [](const ModelLine& a, const ModelLine& b) { return a.totals.cost > b.totals.cost; });
  }
  // Highest cost first, as ccusage lists sessions.
  if (opts_.period == Period::Session || opts_.period == Period::Model)
    std::stable_sort(rep.rows.begin(), rep.rows.end(),
                     [](const Row& a, const Row& b) { return a.totals.cost > b.totals.cost; });
  for (auto& [k, u] : unknown_) rep.unknown_models.push_back(move ? std::move(u) : u);
  return rep;
}

Report ReportBuilder::result() {
  return read_out(false);
}

Report ReportBuilder::take() {
  return read_out(true);
}

namespace {

std::string options_key(const PriceTable& prices, const ReportOptions& o, BuilderExtras e) {
  auto day = [](const std::optional<timeutil::Day>& d) { return d ? std::to_string(*d) : std::string("-"); };
  std::string k;
  k += std::to_string(reinterpret_cast<std::uintptr_t>(&prices)) + '|';
  k += std::to_string(static_cast<int>(o.period)) + '|' + o.zone.name() + '|' + std::to_string(o.week_start);
  k += '|' + day(o.since) + '|' + day(o.until) + '|';
  k += o.runtime ? std::to_string(static_cast<int>(*o.runtime)) : std::string("-");
  k += '|' + std::to_string(static_cast<int>(o.sessions)) + '|' + std::to_string(o.ccusage_model_order);
  k += '|' + std::to_string(static_cast<int>(o.rules.mode)) +
       std::to_string(static_cast<int>(o.rules.long_context)) + std::to_string(o.rules.ccusage_prices);
  k += '|' + std::to_string(e.hourly_timeline) + std::to_string(e.sessions_per_day);
  // Free text last, with its length, so no two option sets share a key.
  k += '|' + std::to_string(o.project.size()) + ':' + o.project + '|' + o.model;
  return k;
}

}  // namespace

Report IncrementalReport::update(const store::UsageTable& usage, const PriceTable& prices,
                                 const ReportOptions& opts, BuilderExtras extras, std::size_t settled_from) {
  const std::size_t n = usage.rows.size();
  const std::string key = options_key(prices, opts, extras);
  continued_ = builder_ && key == key_ && unchanged_ >= done_ && done_ <= n;
  if (continued_) {
    builder_->rollback();
  } else {
    builder_.emplace(prices, opts, extras);
    key_ = key;
    // Rows are in time order: a bounded report starts a day before its first (the per-row
    // day test stays the rule).
    done_ = opts.since ? store::first_row_at(usage, opts.zone.start_of_day_ms(*opts.since - 1)) : 0;
  }
  builder_->set_row_costs(opts.row_usd, opts.row_priced);
  const std::size_t settled = std::clamp(settled_from, done_, n);
  builder_->add(usage, done_, settled);
  builder_->savepoint();
  done_ = settled;
  builder_->add(usage, settled, n);
  unchanged_ = n;
  return builder_->result();
}

}  // namespace costdeck::report
