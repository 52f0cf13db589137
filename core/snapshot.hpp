#pragma once
// What the window draws: an immutable picture of the data for one filter, built on the
// worker thread and handed to the UI as shared_ptr<const Snapshot>. Everything heavy
// (report aggregates, sorted tables, chart series) is computed here once, so a frame only
// reads. The version number lets panels key their small caches.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/live/live_snapshot.hpp"
#include "core/pricing.hpp"
#include "core/report/report.hpp"
#include "core/report/report_builder.hpp"
#include "core/runs/analytics.hpp"
#include "core/store/queries.hpp"
#include "core/store/usage_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck {

enum class RangeKind : std::uint8_t { Today, Days7, Days30, Month, All, Custom };
const char* range_name(RangeKind r);   // today / 7d / 30d / month / all / custom
const char* range_label(RangeKind r);  // "Today", "Last 7 days", ...
std::optional<RangeKind> range_from_name(const std::string& s);

// What the user asked to see. Equality decides whether the worker must rebuild.
struct ViewFilter {
  RangeKind range = RangeKind::Days30;
  std::string from, to;  // Custom: YYYY-MM-DD, inclusive
  std::string runtime;   // "" (all), "claude", "codex"
  std::string project;   // substring of the project path
  std::string model;     // substring of the model id
  std::string tier;      // exact tier (runs only: usage lines carry no tier)
  std::string timezone;  // IANA name; "" = local
  bool operator==(const ViewFilter&) const = default;
};
// Parses "today|7d|30d|month|all|FROM..TO" into the filter; false on anything else.
bool parse_range(const std::string& s, ViewFilter* f);

struct LoadProgress {
  bool scanning = false;  // the first ingest (or a refresh) is running
  std::int64_t files_done = 0, files_total = 0;
  std::int64_t bytes_done = 0, bytes_total = 0;
  double bytes_per_second = 0;
};

struct PeriodCost {
  double cost = 0, previous = 0;  // previous: the same span of the period before
  std::int64_t tokens = 0;
};

// Contiguous days of the selected range (zeros where nothing happened).
struct DailySeries {
  std::vector<std::string> days;                   // YYYY-MM-DD
  std::vector<std::string> labels;                 // "Jan 5"
  std::vector<std::string> models;                 // stacked series: the top models, then "other"
  std::vector<std::vector<double>> cost_by_model;  // [model][day]
  std::vector<double> cost, tokens, sessions;      // per day
};

struct SessionEntry {
  report::Row row;          // key = session id, totals, models (by cost), first/last, project
  std::string models_text;  // "opus-4-5, sonnet-4-5"
  // Cost per hour of activity, oldest first: (hour start UTC ms, cost).
  std::vector<std::pair<std::int64_t, double>> timeline;
};

struct SourcesInfo {
  std::vector<store::FileStat> files;
  std::vector<store::MalformedRecord> malformed;  // first few
  store::StoreCounts counts;
  std::vector<report::UnknownModel> unknown_models;
  std::int64_t last_scan_ms = 0;
  std::vector<std::string> errors;  // ingest and store errors, newest last
  std::vector<std::string> roots;   // folders looked in
  std::string db_path;
  std::int64_t duplicates_dropped = 0;
  double last_scan_seconds = 0;
  // Where the worker's last rebuild spent its time (ms), so a slow refresh can be pinned
  // down from the Sources view or a benchmark.
  struct PassTimes {
    double scan = 0, usage = 0, files = 0, runs = 0, build = 0, live = 0, total = 0;
  } pass;
};

// One line of the activity stream: a run or a session in its latest state.
enum class EventKind : std::uint8_t { Started, Finished, Failed, Retried };
const char* event_kind_name(EventKind k);  // started / finished / failed / retried
struct ActivityEvent {
  std::int64_t ts_ms = 0;
  EventKind kind = EventKind::Started;
  bool is_session = false;  // a session from the session files, else a run
  runs::RunBrief run;       // sessions: title = project, operation = "session", totals
};

// A part of a snapshot the next one shares when its inputs did not change (the largest
// reports at all time: copying them would cost what rebuilding them does, and memory).
template <class T>
class SharedPart {
 public:
  SharedPart() : p_(std::make_shared<const T>()) {}
  SharedPart& operator=(T v) {
    p_ = std::make_shared<const T>(std::move(v));
    return *this;
  }
  const T& operator*() const { return *p_; }
  const T* operator->() const { return p_.get(); }

 private:
  std::shared_ptr<const T> p_;
};

struct Snapshot {
  std::uint64_t version = 0;
  // The worker's run table its run reports came from (RunCache::changes()); 0: none.
  std::uint64_t runs_table = 0;
  std::int64_t now_ms = 0;
  ViewFilter filter;
  std::string zone_name;
  std::string range_text;  // "Last 30 days (2025-01-01 – 2025-01-30)"
  std::optional<std::int64_t> since_ms, until_ms;
  LoadProgress progress;
  bool ready = false;      // at least one full build happened
  bool first_run = false;  // nothing found anywhere: offer the demo
  bool demo = false;
  std::string fatal_error;  // the store could not be opened, ...

  // Dashboard
  PeriodCost today, week, month;
  double range_cost = 0;
  std::int64_t range_tokens = 0, range_sessions = 0, range_responses = 0;
  std::string top_model;
  double top_model_cost = 0;

  // Costs
  DailySeries daily;
  report::Report by_model;  // rows by cost, highest first
  std::vector<runs::OperationRow> operations;
  runs::TopReport top;                        // most expensive runs (and sessions with runs)
  std::vector<SessionEntry> sessions;         // in range, newest activity first
  std::vector<std::size_t> sessions_by_cost;  // indexes into sessions, most expensive first

  // Tiers, activity
  runs::TiersReport tiers;
  std::vector<runs::RunBrief> activity;  // newest first
  std::int64_t runs_in_range = 0;

  SourcesInfo sources;

  // Performance, runtimes, issues and the activity stream (from the runs in range).
  runs::PerformanceReport perf;
  runs::PerformanceReport perf_previous;   // the same span just before the range
  bool perf_has_previous = false;          // false for "all time"
  std::int64_t errors_yesterday = 0;       // what "errors today" is compared with
  std::vector<runs::PerfDay> perf_hourly;  // filled when the range is one or two days
  SharedPart<runs::ErrorsReport> errors;
  std::vector<runs::RunBrief> slowest;  // longest first
  std::vector<runs::RuntimeRow> runtimes;
  SharedPart<std::vector<runs::IssueRow>> issues;
  std::vector<ActivityEvent> events;  // newest first

  // Choices for the filter combos (whole store, not only the range).
  std::vector<std::string> projects, models, tier_names;

  // Live: sessions now, the current 5-hour block, budgets, notices (filled by the worker,
  // core/live/live_snapshot.hpp; independent of the filter except for the time zone).
  live::LiveData live;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

// The usage reports a long-lived builder (the window's worker) keeps between passes, so an
// append costs the rows it added. The owner says which rows changed.
struct UsageCarry {
  report::IncrementalReport daily, models, sessions;
  // Rows within this much of the newest may still be rewritten by the next append (the
  // later copies of a response being written): they are added after a savepoint.
  static constexpr std::int64_t kSettleMs = 15 * 60'000;
  void rows_changed_from(std::size_t n) {
    for (auto* r : {&daily, &models, &sessions}) r->rows_changed_from(n);
  }
  void clear() {
    for (auto* r : {&daily, &models, &sessions}) r->clear();
  }
};

// Inputs the worker has loaded: the whole counted usage, the runs in the filter's range.
struct SnapshotInputs {
  const store::UsageTable* usage = nullptr;  // all time, costdeck's rules
  const PriceTable* prices = nullptr;
  const Config* config = nullptr;
  const runs::RunTable* runs = nullptr;           // already filtered by range/runtime/project/model/tier
  const runs::RunTable* previous_runs = nullptr;  // same filter, the span just before the range
  std::vector<std::string> tier_names;            // every tier the store knows
  // Optional: each usage row's cost under costdeck's rules (one per row), priced once per
  // data change instead of once per report.
  const live::RowCosts* row_costs = nullptr;
  // Optional: reports kept from the last build; updated by this one.
  UsageCarry* carry = nullptr;
  // Optional: the last snapshot, and which of its run reports still hold because the rows
  // they read did not change (the caller knows what its run cache patched).
  const Snapshot* previous = nullptr;
  bool same_issues = false, same_errors = false;
};

// Time bounds of the filter in its zone at `now_ms`: [since, until) in UTC ms.
struct RangeBounds {
  std::optional<timeutil::Day> first_day, last_day;  // inclusive
  std::optional<std::int64_t> since_ms, until_ms;
};
RangeBounds range_bounds(const ViewFilter& f, const timeutil::Zone& zone, std::int64_t now_ms);
timeutil::Zone zone_of(const ViewFilter& f);  // falls back to local on an unknown name

// Fills every aggregate field of `out` (not version, progress, sources) from the inputs (and
// the carry, which it updates). The runs' reports are tasks a second thread takes in turn
// when there is a core for it, while the calling thread builds the usage part, runs
// `meanwhile` (optional: it may fill the members the build leaves alone, live and sources)
// and then takes the tasks left.
void build_snapshot(const SnapshotInputs& in, const ViewFilter& f, std::int64_t now_ms, Snapshot& out,
                    const std::function<void()>& meanwhile = {});

}  // namespace costdeck
