#pragma once
// The reports over runs (tiers, performance, errors, slowest, runtimes, issues, operations,
// top, activity): pure functions of a loaded RunTable (complete_briefs alone reads the
// store). The CLI prints these structs as JSON (analytics_json.hpp) and the window's
// snapshot holds them as they are.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/runs/run_store.hpp"
#include "core/runs/run_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck::runs {

// What the report called `name` reads of the runs table (load_runs): the fields its
// function looks at, texts only for the errors report (lists fetch theirs by id), the
// session-file error events only for errors and performance. With `budgets` the tiers
// report also reads each run's project and session.
LoadOptions load_options_for(std::string_view name, bool budgets);

// A run as lists show it (slowest, top, activity).
struct RunBrief {
  std::int64_t id = 0;
  std::string key;
  std::int64_t started_ms = 0;
  std::int64_t duration_ms = -1;  // -1: unknown
  std::string runtime, agent, tier, issue, session, project, operation, title, error, model;
  RunStatus status = RunStatus::Success;
  RunSource source = RunSource::Recorded;
  TokenCounts tokens;
  double cost_usd = 0;
  bool has_cost = false;
};
RunBrief brief_of(const RunTable& t, const RunRow& r);

// Lists (slowest, top, activity) choose their few runs from a load of a few fields
// (load_options_for); this reads those runs whole, attributed as any load attributes
// them, and rewrites each brief as a load of every field would have made it.
void complete_briefs(SQLite::Database& db, const Config& config, std::vector<RunBrief>& briefs);

// --- tiers ---
struct TierBudget {
  std::string name, unit, period;  // usd|tokens, day|week|month|session|block
  double limit = 0, used = 0, projected = 0, fraction = 0;
  std::string status;  // ok / warning / exceeded
};
struct TierRow {
  std::string tier;
  std::vector<std::string> models;  // by cost, highest first
  TokenCounts tokens;
  double cost = 0;
  double share = 0;  // of the total cost (0..1)
  std::int64_t runs = 0;
  std::int64_t unpriced_runs = 0;  // no recorded cost and no price for the model
  std::vector<TierBudget> budgets;
};
struct TiersReport {
  std::vector<TierRow> tiers;  // by cost, highest first
  TokenCounts tokens;
  double cost = 0;
  std::int64_t runs = 0;
};
// `budgets`: those with a tier are evaluated on that tier's runs (day/week/month in `zone`).
TiersReport tiers_report(const RunTable& t, const std::vector<live::Budget>& budgets,
                         const timeutil::Zone& zone, std::int64_t now_ms);

// --- performance ---
struct DurationStats {
  std::int64_t count = 0;  // runs with a known duration
  double avg_ms = 0, median_ms = 0, p95_ms = 0;
};
// Nearest-rank percentiles over the durations (p in 0..100).
DurationStats duration_stats(std::vector<std::int64_t> durations_ms);

struct PerfDay {
  std::string day;  // YYYY-MM-DD in the zone
  std::int64_t tasks = 0, successes = 0, errors = 0, aborted = 0;
  double success_rate = 0;  // successes / finished (success + error + aborted); 0 when none
  double avg_duration_ms = 0;
};
struct PerformanceReport {
  std::int64_t tasks = 0, successes = 0, errors = 0, aborted = 0,
               unfinished = 0;  // unfinished: running+pending
  double success_rate = 0;
  DurationStats duration;
  std::int64_t errors_today = 0;  // runs in error + session-file error events, today in the zone
  std::vector<PerfDay> daily;     // days with runs, oldest first
};
PerformanceReport performance_report(const RunTable& t, const timeutil::Zone& zone, std::int64_t now_ms);
// The same counts per hour (in the zone) for short ranges, hours with runs only, oldest
// first; PerfDay::day holds "YYYY-MM-DD HH:00".
std::vector<PerfDay> performance_hourly(const RunTable& t, const timeutil::Zone& zone);

// --- errors ---
// Numbers, hex ids and uuids, paths, quoted values and URLs folded to placeholders, so
// "timeout after 30s in /a/b.ts" and "timeout after 12s in /c.ts" are one pattern.
std::string normalize_error(std::string_view message);
void normalize_error_into(std::string_view message, std::string& out);  // the same, into a reused buffer

struct ErrorOccurrence {
  std::int64_t ts_ms = 0;
  std::string session, run_key, message;
};
struct ErrorPattern {
  std::string pattern;
  std::string kind;    // api_error / tool_error / interruption / rejection / run_error
  std::string source;  // tool name for tool errors, else the runtime
  std::int64_t count = 0, first_ms = 0, last_ms = 0;
  std::string example;                       // the latest full message
  std::vector<ErrorOccurrence> occurrences;  // newest first, at most max_occurrences
};
struct CountBy {
  std::string key;
  std::int64_t count = 0;
};
struct ErrorsReport {
  std::vector<ErrorPattern> patterns;  // by count, then latest
  std::vector<CountBy> api_by_status;  // "529", "timeout", ...
  std::vector<CountBy> tool_by_tool;
  std::int64_t total = 0, api_errors = 0, tool_errors = 0, interruptions = 0, rejections = 0, run_errors = 0;
};
ErrorsReport errors_report(const RunTable& t, std::size_t max_occurrences = 20);

// --- slowest, activity ---
std::vector<RunBrief> slowest_runs(const RunTable& t, std::size_t n = 10);  // longest first
std::vector<RunBrief> latest_runs(const RunTable& t, std::size_t n = 50);   // newest first

// --- operations, runtimes ---
struct OperationRow {
  std::string operation;  // "(none)" when the writer gave none
  std::int64_t runs = 0, successes = 0;
  double success_rate = 0;
  double cost = 0, share = 0;
  TokenCounts tokens;
  double avg_duration_ms = 0;
};
std::vector<OperationRow> operations_report(const RunTable& t);  // by cost, highest first

struct RuntimeDay {
  std::string day;
  std::int64_t tasks = 0;
  double success_rate = 0, cost = 0, avg_duration_ms = 0;
};
struct RuntimeRow {
  std::string runtime;
  std::int64_t tasks = 0, successes = 0, errors = 0;
  double success_rate = 0, avg_duration_ms = 0, cost = 0, cost_per_task = 0;
  TokenCounts tokens;
  std::vector<OperationRow> operations;
  std::vector<RuntimeDay> daily;
};
std::vector<RuntimeRow> runtimes_report(const RunTable& t, const timeutil::Zone& zone);  // by tasks

// --- issues ---
// Tens of thousands per all-time report: the strings live in the issue's one buffer.
struct IssueSession {
  TextSpan session, phase, model;  // into IssueRow::text; model: the one with the most cost
  double cost = 0;
  TokenCounts tokens;
  std::int64_t runs = 0, first_ms = 0, last_ms = 0;
};
struct IssueModel {
  std::string model;
  double cost = 0, share = 0;
  TokenCounts tokens;
};
struct IssueRow {
  std::string issue;
  double cost = 0;
  TokenCounts tokens;
  std::int64_t runs = 0, first_ms = 0, last_ms = 0;
  std::string badge;                   // green / yellow / orange / red
  std::vector<IssueSession> sessions;  // oldest first
  std::vector<IssueModel> models;      // by cost
  std::string text;                    // the sessions' strings
  std::string_view str(TextSpan t) const { return std::string_view(text).substr(t.offset, t.size); }
};
std::vector<IssueRow> issues_report(const RunTable& t, const BadgeThresholds& badges);  // by cost

// --- top ---
struct SessionBrief {
  std::string session, project, issue, model;
  std::int64_t runs = 0, first_ms = 0, last_ms = 0;
  double cost = 0;
  TokenCounts tokens;
};
struct TopReport {
  std::vector<RunBrief> runs;
  std::vector<SessionBrief> sessions;
};
TopReport top_report(const RunTable& t, std::size_t n = 10);

}  // namespace costdeck::runs
