#include "core/snapshot.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

namespace costdeck {

const char* range_name(RangeKind r) {
  switch (r) {
    case RangeKind::Today: return "today";
    case RangeKind::Days7: return "7d";
    case RangeKind::Days30: return "30d";
    case RangeKind::Month: return "month";
    case RangeKind::All: return "all";
    case RangeKind::Custom: return "custom";
  }
  return "30d";
}

const char* range_label(RangeKind r) {
  switch (r) {
    case RangeKind::Today: return "Today";
    case RangeKind::Days7: return "Last 7 days";
    case RangeKind::Days30: return "Last 30 days";
    case RangeKind::Month: return "This month";
    case RangeKind::All: return "All time";
    case RangeKind::Custom: return "Custom";
  }
  return "";
}

std::optional<RangeKind> range_from_name(const std::string& s) {
  for (RangeKind r : {RangeKind::Today, RangeKind::Days7, RangeKind::Days30, RangeKind::Month, RangeKind::All,
                      RangeKind::Custom})
    if (s == range_name(r)) return r;
  return std::nullopt;
}

bool parse_range(const std::string& s, ViewFilter* f) {
  if (auto r = range_from_name(s); r && *r != RangeKind::Custom) {
    f->range = *r;
    return true;
  }
  auto dots = s.find("..");
  if (dots == std::string::npos) return false;
  auto a = timeutil::parse_day(s.substr(0, dots));
  auto b = timeutil::parse_day(s.substr(dots + 2));
  if (!a || !b || *b < *a) return false;
  f->range = RangeKind::Custom;
  f->from = timeutil::format_day(*a);
  f->to = timeutil::format_day(*b);
  return true;
}

timeutil::Zone zone_of(const ViewFilter& f) {
  if (f.timezone.empty()) return timeutil::Zone::local();
  try {
    return timeutil::Zone::named(f.timezone);
  } catch (const std::exception&) {
    return timeutil::Zone::local();
  }
}

RangeBounds range_bounds(const ViewFilter& f, const timeutil::Zone& zone, std::int64_t now_ms) {
  RangeBounds b;
  const timeutil::Day today = zone.day_of(now_ms);
  switch (f.range) {
    case RangeKind::Today: b.first_day = today; break;
    case RangeKind::Days7: b.first_day = today - 6; break;
    case RangeKind::Days30: b.first_day = today - 29; break;
    case RangeKind::Month: b.first_day = timeutil::month_start(today); break;
    case RangeKind::All: break;
    case RangeKind::Custom:
      b.first_day = timeutil::parse_day(f.from);
      b.last_day = timeutil::parse_day(f.to);
      break;
  }
  if (f.range != RangeKind::All && f.range != RangeKind::Custom) b.last_day = today;
  if (b.first_day) b.since_ms = zone.start_of_day_ms(*b.first_day);
  if (b.last_day) b.until_ms = zone.start_of_day_ms(*b.last_day + 1);
  return b;
}

namespace {

// The family a chart legend shows: "claude-sonnet-4-5-20250929" -> "claude-sonnet-4-5".
std::string short_model(const std::string& m) {
  if (m.size() > 9 && m[m.size() - 9] == '-' &&
      std::all_of(m.end() - 8, m.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return m.substr(0, m.size() - 9);
  return m.empty() ? "(unknown)" : m;
}

report::ReportOptions base_options(const SnapshotInputs& in, const ViewFilter& f,
                                   const timeutil::Zone& zone) {
  report::ReportOptions o;
  o.zone = zone;
  if (in.row_costs) {
    o.row_usd = &in.row_costs->usd;
    o.row_priced = &in.row_costs->priced;
  }
  o.runtime = f.runtime.empty() ? std::nullopt : runtime_from_name(f.runtime);
  o.project = f.project;
  o.model = f.model;
  return o;
}

double day_cost(const std::map<timeutil::Day, report::Totals>& days, timeutil::Day a, timeutil::Day b,
                std::int64_t* tokens = nullptr) {
  double c = 0;
  for (auto it = days.lower_bound(a); it != days.end() && it->first <= b; ++it) {
    c += it->second.cost;
    if (tokens) *tokens += it->second.tokens.total();
  }
  return c;
}

// The first day the cost cards compare: the start of last month or of last week.
timeutil::Day cards_first_day(timeutil::Day today) {
  return std::min(timeutil::month_start(timeutil::month_start(today) - 1), timeutil::week_start(today) - 7);
}

// A usage report, continued from the carry's last one when there is a carry.
report::Report usage_report(const SnapshotInputs& in, const report::ReportOptions& o, report::BuilderExtras e,
                            report::IncrementalReport* keep) {
  if (!keep) return report::build_report(*in.usage, *in.prices, o, e);
  const auto& rows = in.usage->rows;
  const std::size_t settled =
      rows.empty() ? 0 : store::first_row_at(*in.usage, rows.back().ts_ms - UsageCarry::kSettleMs);
  return keep->update(*in.usage, *in.prices, o, e, settled);
}

report::Report daily_report(const SnapshotInputs& in, const ViewFilter& f, const timeutil::Zone& zone,
                            std::optional<timeutil::Day> since, std::optional<timeutil::Day> until,
                            report::IncrementalReport* keep) {
  report::ReportOptions o = base_options(in, f, zone);
  o.period = report::Period::Day;
  o.since = since;
  o.until = until;
  report::BuilderExtras e;
  e.sessions_per_day = true;
  return usage_report(in, o, e, keep);
}

void build_cards(const report::Report& daily, const timeutil::Zone& zone, std::int64_t now_ms,
                 Snapshot& out) {
  const timeutil::Day today = zone.day_of(now_ms);
  const timeutil::Day month0 = timeutil::month_start(today);
  const timeutil::Day prev_month0 = timeutil::month_start(month0 - 1);
  std::map<timeutil::Day, report::Totals> days;
  for (const auto& r : daily.rows)
    if (auto d = timeutil::parse_day(r.key)) days[*d] = r.totals;
  out.today.cost = day_cost(days, today, today, &out.today.tokens);
  out.today.previous = day_cost(days, today - 1, today - 1);
  // Periods so far are compared with the same number of days of the period before, so a
  // Monday is not measured against a whole week.
  const timeutil::Day week0 = timeutil::week_start(today);
  out.week.cost = day_cost(days, week0, today, &out.week.tokens);
  out.week.previous = day_cost(days, week0 - 7, today - 7);
  out.month.cost = day_cost(days, month0, today, &out.month.tokens);
  out.month.previous = day_cost(days, prev_month0, std::min(month0 - 1, prev_month0 + (today - month0)));
}

void build_daily(const report::Report& daily, const RangeBounds& b, Snapshot& out) {
  DailySeries& s = out.daily;
  auto in_range = [&](timeutil::Day d) {
    return (!b.first_day || d >= *b.first_day) && (!b.last_day || d <= *b.last_day);
  };
  std::optional<timeutil::Day> first = b.first_day, last = b.last_day;
  for (const auto& r : daily.rows) {
    auto d = timeutil::parse_day(r.key);
    if (!d || !in_range(*d)) continue;
    if (!first || *d < *first) first = *d;
    if (!last || *d > *last) last = *d;
  }
  if (!first || !last) return;
  const int n = *last - *first + 1;
  // Series: the five costliest models of the range, the rest folded into "other".
  std::vector<std::string> order;
  for (const auto& row : out.by_model.rows) order.push_back(short_model(row.key));
  order.erase(std::unique(order.begin(), order.end()), order.end());
  const std::size_t kTop = 5;
  bool has_other = order.size() > kTop;
  if (has_other) order.resize(kTop);
  s.models = order;
  if (has_other) s.models.push_back("other");
  std::unordered_map<std::string, std::size_t> idx;
  for (std::size_t i = 0; i < order.size(); ++i) idx.emplace(order[i], i);
  s.cost_by_model.assign(s.models.size(), std::vector<double>(n, 0.0));
  s.cost.assign(n, 0);
  s.tokens.assign(n, 0);
  s.sessions.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    s.days.push_back(timeutil::format_day(*first + i));
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::string& d = s.days.back();
    int m = std::stoi(d.substr(5, 2)), dd = std::stoi(d.substr(8, 2));
    s.labels.push_back(std::string(kMonths[m - 1]) + " " + std::to_string(dd));
  }
  for (const auto& r : daily.rows) {
    auto d = timeutil::parse_day(r.key);
    if (!d || !in_range(*d)) continue;
    int i = *d - *first;
    if (i < 0 || i >= n) continue;
    s.cost[i] = r.totals.cost;
    s.tokens[i] = static_cast<double>(r.totals.tokens.total());
    s.sessions[i] = static_cast<double>(r.sessions);
    for (const auto& ml : r.models) {
      auto it = idx.find(short_model(ml.model));
      std::size_t k = it != idx.end() ? it->second : s.models.size() - 1;
      if (it == idx.end() && !has_other) continue;
      s.cost_by_model[k][i] += ml.totals.cost;
    }
  }
}

void build_sessions(const SnapshotInputs& in, const ViewFilter& f, const timeutil::Zone& zone,
                    const RangeBounds& b, Snapshot& out) {
  report::ReportOptions o = base_options(in, f, zone);
  o.period = report::Period::Session;
  o.since = b.first_day;
  o.until = b.last_day;
  report::BuilderExtras extras;
  extras.hourly_timeline = true;
  report::Report rep = usage_report(in, o, extras, in.carry ? &in.carry->sessions : nullptr);
  out.sessions.reserve(rep.rows.size());
  for (auto& r : rep.rows) {
    SessionEntry e;
    e.row = std::move(r);
    e.timeline = std::move(e.row.timeline);
    for (const auto& m : e.row.models) {
      if (!e.models_text.empty()) e.models_text += ", ";
      std::string name = short_model(m.model);
      // The table column is narrow; the vendor prefix says nothing there.
      if (name.rfind("claude-", 0) == 0) name = name.substr(7);
      e.models_text += name;
    }
    out.sessions.push_back(std::move(e));
  }
  std::sort(out.sessions.begin(), out.sessions.end(),
            [](const SessionEntry& a, const SessionEntry& c) { return a.row.last_ms > c.row.last_ms; });
  out.sessions_by_cost.resize(out.sessions.size());
  for (std::size_t i = 0; i < out.sessions.size(); ++i) out.sessions_by_cost[i] = i;
  std::stable_sort(out.sessions_by_cost.begin(), out.sessions_by_cost.end(),
                   [&](std::size_t a, std::size_t c) {
                     return out.sessions[a].row.totals.cost > out.sessions[c].row.totals.cost;
                   });
}

// The activity stream: each run and each session once, in its latest state. A run that
// follows a failed one with the same title in the same session is a retry.
void build_events(const runs::RunTable& t, std::int64_t now_ms, Snapshot& out) {
  constexpr std::size_t kRuns = 600, kSessions = 200;
  constexpr std::int64_t kIdleMs = 30 * 60'000;  // a session quiet this long has finished
  std::vector<runs::RunBrief> latest = runs::latest_runs(t, kRuns);
  std::set<std::pair<std::string, std::string>> failed;  // (session, title) seen failing
  std::vector<ActivityEvent> ev;
  ev.reserve(latest.size() + kSessions);
  for (auto it = latest.rbegin(); it != latest.rend(); ++it) {  // oldest first, to see retries
    ActivityEvent e;
    e.run = std::move(*it);
    const auto& r = e.run;
    const bool ended = r.status == runs::RunStatus::Success || r.status == runs::RunStatus::Error ||
                       r.status == runs::RunStatus::Aborted;
    e.ts_ms = ended && r.duration_ms >= 0 ? r.started_ms + r.duration_ms : r.started_ms;
    // An end past the clock (a skewed writer) shows as "just now", not "in the future".
    if (r.started_ms <= now_ms) e.ts_ms = std::min(e.ts_ms, now_ms);
    auto key = std::make_pair(r.session, r.title);
    if (!r.title.empty() && failed.count(key))
      e.kind = EventKind::Retried;
    else if (r.status == runs::RunStatus::Success)
      e.kind = EventKind::Finished;
    else if (ended)
      e.kind = EventKind::Failed;
    if (r.status == runs::RunStatus::Error || r.status == runs::RunStatus::Aborted)
      failed.insert(key);
    else
      failed.erase(key);
    ev.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < out.sessions.size() && i < kSessions; ++i) {  // newest activity first
    const SessionEntry& se = out.sessions[i];
    ActivityEvent e;
    e.is_session = true;
    const bool active = now_ms - se.row.last_ms < kIdleMs;
    e.kind = active ? EventKind::Started : EventKind::Finished;
    e.ts_ms = active ? se.row.first_ms : se.row.last_ms;
    e.run.key = se.row.key;
    e.run.session = se.row.key;
    e.run.title = se.row.project.empty() ? se.row.project_path : se.row.project;
    e.run.project = e.run.title;
    e.run.operation = "session";
    e.run.started_ms = se.row.first_ms;
    e.run.duration_ms = se.row.last_ms - se.row.first_ms;
    e.run.status = active ? runs::RunStatus::Running : runs::RunStatus::Success;
    if (!se.row.models.empty()) e.run.model = se.row.models.front().model;
    e.run.tokens = se.row.totals.tokens;
    e.run.cost_usd = se.row.totals.cost;
    e.run.has_cost = true;
    ev.push_back(std::move(e));
  }
  std::stable_sort(ev.begin(), ev.end(),
                   [](const ActivityEvent& a, const ActivityEvent& b) { return a.ts_ms > b.ts_ms; });
  out.events = std::move(ev);
}

// The performance cards: the range, the span before it, and hours when the range is short.
void build_performance(const SnapshotInputs& in, const ViewFilter& f, const timeutil::Zone& zone,
                       const RangeBounds& b, std::int64_t now_ms, Snapshot& out) {
  const runs::RunTable& t = *in.runs;
  out.perf = runs::performance_report(t, zone, now_ms);
  constexpr std::int64_t kDay = 86'400'000;
  // Yesterday's errors may sit in either table when the range starts today.
  out.errors_yesterday = runs::performance_report(t, zone, now_ms - kDay).errors_today;
  if (in.previous_runs && b.since_ms) {
    out.perf_has_previous = true;
    out.perf_previous = runs::performance_report(*in.previous_runs, zone, now_ms);
    out.errors_yesterday += runs::performance_report(*in.previous_runs, zone, now_ms - kDay).errors_today;
  }
  const bool short_range = f.range == RangeKind::Today ||
                           (b.first_day && b.last_day && *b.last_day - *b.first_day <= 1) ||
                           out.perf.daily.size() == 1;
  if (short_range) out.perf_hourly = runs::performance_hourly(t, zone);
}

}  // namespace

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::Started: return "started";
    case EventKind::Finished: return "finished";
    case EventKind::Failed: return "failed";
    case EventKind::Retried: return "retried";
  }
  return "started";
}

namespace {

// Everything drawn from the usage rows: the cards, the daily chart, models, sessions.
void build_usage_part(const SnapshotInputs& in, const ViewFilter& f, const timeutil::Zone& zone,
                      const RangeBounds& b, std::int64_t now_ms, Snapshot& out) {
  // One daily report serves the cards and the range's chart when their spans meet.
  const timeutil::Day today = zone.day_of(now_ms), cards0 = cards_first_day(today);
  const bool apart = b.first_day && b.last_day && (*b.last_day + 1 < cards0 || *b.first_day > today + 1);
  report::IncrementalReport* keep_daily = in.carry ? &in.carry->daily : nullptr;
  const report::Report daily =
      apart ? daily_report(in, f, zone, b.first_day, b.last_day, keep_daily)
            : daily_report(
                  in, f, zone, b.first_day ? std::optional(std::min(*b.first_day, cards0)) : std::nullopt,
                  b.last_day ? std::optional(std::max(*b.last_day, today)) : std::nullopt, keep_daily);
  build_cards(apart ? daily_report(in, f, zone, cards0, today, nullptr) : daily, zone, now_ms, out);
  report::ReportOptions o = base_options(in, f, zone);
  o.period = report::Period::Model;
  o.since = b.first_day;
  o.until = b.last_day;
  out.by_model = usage_report(in, o, {}, in.carry ? &in.carry->models : nullptr);
  std::sort(out.by_model.rows.begin(), out.by_model.rows.end(),
            [](const report::Row& a, const report::Row& c) { return a.totals.cost > c.totals.cost; });
  out.range_cost = out.by_model.totals.cost;
  out.range_tokens = out.by_model.totals.tokens.total();
  out.range_responses = out.by_model.totals.responses;
  if (!out.by_model.rows.empty()) {
    out.top_model = short_model(out.by_model.rows.front().key);
    out.top_model_cost = out.by_model.rows.front().totals.cost;
  }
  build_daily(daily, b, out);
  build_sessions(in, f, zone, b, out);
  out.range_sessions = static_cast<std::int64_t>(out.sessions.size());
  std::set<std::string> projects, models;
  for (const auto& p : in.usage->projects)
    if (!p.empty()) projects.insert(p);
  for (const auto& m : in.usage->models)
    if (!m.empty()) models.insert(short_model(m));
  out.projects.assign(projects.begin(), projects.end());
  out.models.assign(models.begin(), models.end());
}

}  // namespace

void build_snapshot(const SnapshotInputs& in, const ViewFilter& f, std::int64_t now_ms, Snapshot& out,
                    const std::function<void()>& meanwhile) {
  out.now_ms = now_ms;
  out.filter = f;
  const timeutil::Zone zone = zone_of(f);
  out.zone_name = zone.name();
  const RangeBounds b = range_bounds(f, zone, now_ms);
  out.since_ms = b.since_ms;
  out.until_ms = b.until_ms;
  out.range_text = range_label(f.range);
  if (b.first_day && b.last_day)
    out.range_text += " · " + timeutil::format_day(*b.first_day) +
                      (*b.first_day == *b.last_day ? "" : " – " + timeutil::format_day(*b.last_day));

  const bool with_usage = in.usage && in.prices;
  const bool with_runs = in.runs && in.config;
  // The runs' reports are tasks that write disjoint members of `out` from shared inputs,
  // costliest first. With a second core a helper thread takes them in turn while this one
  // builds the usage part, then joins in: an append's snapshot waits for about half of the
  // whole, not the sum.
  std::vector<std::function<void()>> tasks;
  if (with_runs) {
    out.runs_in_range = static_cast<std::int64_t>(in.runs->rows.size());
    tasks = {
        [&] {
          if (in.previous && in.same_issues)
            out.issues = in.previous->issues;
          else
            out.issues = runs::issues_report(*in.runs, in.config->badges);
        },
        [&] {
          if (in.previous && in.same_errors)
            out.errors = in.previous->errors;
          else
            out.errors = runs::errors_report(*in.runs);
        },
        [&] { out.top = runs::top_report(*in.runs, 10); },
        [&] { build_performance(in, f, zone, b, now_ms, out); },
        [&] { out.tiers = runs::tiers_report(*in.runs, in.config->budgets, zone, now_ms); },
        [&] { out.runtimes = runs::runtimes_report(*in.runs, zone); },
        [&] { out.slowest = runs::slowest_runs(*in.runs, 50); },
        [&] { out.operations = runs::operations_report(*in.runs); },
        [&] { out.activity = runs::latest_runs(*in.runs, 200); },
    };
  }
  std::atomic<std::size_t> next{0};
  auto drain = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < tasks.size();) tasks[i]();
  };
  std::future<void> helper;
  if (!tasks.empty() && std::thread::hardware_concurrency() > 1)
    helper = std::async(std::launch::async, drain);
  if (with_usage) build_usage_part(in, f, zone, b, now_ms, out);
  if (meanwhile) meanwhile();
  drain();
  if (helper.valid()) helper.get();
  if (with_runs) build_events(*in.runs, now_ms, out);
  out.tier_names = in.tier_names;
  out.ready = true;
}

}  // namespace costdeck
