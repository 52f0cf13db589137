#include "core/report/report.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

#include "core/report/report_builder.hpp"

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

Report build_report(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts) {
  return build_report(usage, prices, opts, BuilderExtras{});
}

Report build_report(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts,
                    const BuilderExtras& extras) {
  ReportBuilder builder(prices, opts, extras);
  // Rows are in time order: a bounded report visits only the rows of its days (a day of
  // slack each side; the builder's per-row day test stays the rule).
  std::size_t lo = 0, hi = usage.rows.size();
  if (!opts.ccusage_model_order) {
    auto at = [&](std::int64_t ts) { return store::first_row_at(usage, ts); };
    if (opts.since) lo = at(opts.zone.start_of_day_ms(*opts.since - 1));
    if (opts.until) hi = std::max(lo, at(opts.zone.start_of_day_ms(*opts.until + 2)));
    builder.add(usage, lo, hi);
    return builder.take();
  }
  // Only the order of first use depends on the visiting order; sums do not.
  std::vector<std::size_t> order(hi - lo);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = lo + i;
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
  for (std::size_t idx : order) builder.add_row(usage, idx);
  return builder.take();
}

}  // namespace costdeck::report
