#include "core/runs/analytics_json.hpp"

#include <nlohmann/json.hpp>

#include "core/runs/run_json.hpp"

namespace costdeck::runs {
namespace {

using ordered = nlohmann::ordered_json;

ordered tokens(const TokenCounts& t) {
  return ordered{{"inputTokens", t.input},
                 {"outputTokens", t.output},
                 {"cacheCreationTokens", t.cache_write()},
                 {"cacheReadTokens", t.cache_read},
                 {"totalTokens", t.total()}};
}

ordered brief(const RunBrief& b) {
  ordered j{{"id", b.key},
            {"started", format_time_ms(b.started_ms)},
            {"durationMs", b.duration_ms >= 0 ? ordered(b.duration_ms) : ordered(nullptr)},
            {"status", status_name(b.status)},
            {"title", b.title},
            {"runtime", b.runtime},
            {"agent", b.agent},
            {"tier", b.tier},
            {"issue", b.issue},
            {"session", b.session},
            {"project", b.project},
            {"operation", b.operation},
            {"model", b.model},
            {"source", source_name(b.source)}};
  if (!b.error.empty()) j["error"] = b.error;
  j["tokens"] = tokens(b.tokens);
  j["costUSD"] = b.has_cost ? ordered(b.cost_usd) : ordered(nullptr);
  return j;
}

ordered op(const OperationRow& o) {
  return ordered{{"operation", o.operation}, {"runs", o.runs},          {"successes", o.successes},
                 {"successRate", o.success_rate}, {"costUSD", o.cost}, {"share", o.share},
                 {"avgDurationMs", o.avg_duration_ms}, {"tokens", tokens(o.tokens)}};
}

}  // namespace

std::string to_json(const TiersReport& r) {
  ordered tiers = ordered::array();
  for (const auto& t : r.tiers) {
    ordered budgets = ordered::array();
    for (const auto& b : t.budgets)
      budgets.push_back(ordered{{"name", b.name},         {"unit", b.unit},     {"period", b.period},
                                {"limit", b.limit},       {"used", b.used},     {"projected", b.projected},
                                {"fraction", b.fraction}, {"status", b.status}});
    tiers.push_back(ordered{{"tier", t.tier},
                            {"runs", t.runs},
                            {"models", t.models},
                            {"tokens", tokens(t.tokens)},
                            {"costUSD", t.cost},
                            {"share", t.share},
                            {"unpricedRuns", t.unpriced_runs},
                            {"budgets", budgets}});
  }
  return ordered{{"tiers", tiers}, {"totals", {{"runs", r.runs}, {"tokens", tokens(r.tokens)}, {"costUSD", r.cost}}}}
      .dump(2);
}

std::string to_json(const PerformanceReport& r) {
  ordered daily = ordered::array();
  for (const auto& d : r.daily)
    daily.push_back(ordered{{"date", d.day},
                            {"tasks", d.tasks},
                            {"successes", d.successes},
                            {"errors", d.errors},
                            {"aborted", d.aborted},
                            {"successRate", d.success_rate},
                            {"avgDurationMs", d.avg_duration_ms}});
  return ordered{{"tasks", r.tasks},
                 {"successes", r.successes},
                 {"errors", r.errors},
                 {"aborted", r.aborted},
                 {"unfinished", r.unfinished},
                 {"successRate", r.success_rate},
                 {"duration",
                  {{"count", r.duration.count},
                   {"avgMs", r.duration.avg_ms},
                   {"medianMs", r.duration.median_ms},
                   {"p95Ms", r.duration.p95_ms}}},
                 {"errorsToday", r.errors_today},
                 {"daily", daily}}
      .dump(2);
}

std::string to_json(const ErrorsReport& r) {
  ordered patterns = ordered::array();
  for (const auto& p : r.patterns) {
    ordered occ = ordered::array();
    for (const auto& o : p.occurrences)
      occ.push_back(ordered{{"time", format_time_ms(o.ts_ms)}, {"session", o.session}, {"run", o.run_key}, {"message", o.message}});
    patterns.push_back(ordered{{"pattern", p.pattern},
                               {"kind", p.kind},
                               {"source", p.source},
                               {"count", p.count},
                               {"firstSeen", format_time_ms(p.first_ms)},
                               {"lastSeen", format_time_ms(p.last_ms)},
                               {"example", p.example},
                               {"occurrences", occ}});
  }
  auto counts = [](const std::vector<CountBy>& v, const char* name) {
    ordered a = ordered::array();
    for (const auto& c : v) a.push_back(ordered{{name, c.key}, {"count", c.count}});
    return a;
  };
  return ordered{{"total", r.total},
                 {"apiErrors", r.api_errors},
                 {"toolErrors", r.tool_errors},
                 {"interruptions", r.interruptions},
                 {"rejections", r.rejections},
                 {"runErrors", r.run_errors},
                 {"apiErrorsByStatus", counts(r.api_by_status, "status")},
                 {"toolErrorsByTool", counts(r.tool_by_tool, "tool")},
                 {"patterns", patterns}}
      .dump(2);
}

std::string to_json(const std::vector<RunBrief>& runs, const char* key) {
  ordered a = ordered::array();
  for (const auto& b : runs) a.push_back(brief(b));
  return ordered{{key, a}}.dump(2);
}

std::string to_json(const std::vector<OperationRow>& r) {
  ordered a = ordered::array();
  for (const auto& o : r) a.push_back(op(o));
  return ordered{{"operations", a}}.dump(2);
}

std::string to_json(const std::vector<RuntimeRow>& r) {
  ordered a = ordered::array();
  for (const auto& x : r) {
    ordered ops = ordered::array();
    for (const auto& o : x.operations) ops.push_back(op(o));
    ordered daily = ordered::array();
    for (const auto& d : x.daily)
      daily.push_back(ordered{{"date", d.day}, {"tasks", d.tasks}, {"successRate", d.success_rate}, {"costUSD", d.cost},
                              {"avgDurationMs", d.avg_duration_ms}});
    a.push_back(ordered{{"runtime", x.runtime},
                        {"tasks", x.tasks},
                        {"successes", x.successes},
                        {"errors", x.errors},
                        {"successRate", x.success_rate},
                        {"avgDurationMs", x.avg_duration_ms},
                        {"costUSD", x.cost},
                        {"costPerTaskUSD", x.cost_per_task},
                        {"tokens", tokens(x.tokens)},
                        {"operations", ops},
                        {"daily", daily}});
  }
  return ordered{{"runtimes", a}}.dump(2);
}

std::string to_json(const std::vector<IssueRow>& r) {
  ordered a = ordered::array();
  for (const auto& i : r) {
    ordered sessions = ordered::array();
    for (const auto& s : i.sessions)
      sessions.push_back(ordered{{"session", s.session}, {"phase", s.phase},   {"model", s.model},
                                 {"costUSD", s.cost},    {"runs", s.runs},     {"tokens", tokens(s.tokens)},
                                 {"first", format_time_ms(s.first_ms)},        {"last", format_time_ms(s.last_ms)}});
    ordered models = ordered::array();
    for (const auto& m : i.models)
      models.push_back(ordered{{"model", m.model}, {"costUSD", m.cost}, {"share", m.share}, {"tokens", tokens(m.tokens)}});
    a.push_back(ordered{{"issue", i.issue},
                        {"costUSD", i.cost},
                        {"badge", i.badge},
                        {"runs", i.runs},
                        {"sessionCount", static_cast<std::int64_t>(i.sessions.size())},
                        {"tokens", tokens(i.tokens)},
                        {"first", format_time_ms(i.first_ms)},
                        {"last", format_time_ms(i.last_ms)},
                        {"sessions", sessions},
                        {"models", models}});
  }
  return ordered{{"issues", a}}.dump(2);
}

std::string to_json(const TopReport& r) {
  ordered runs = ordered::array();
  for (const auto& b : r.runs) runs.push_back(brief(b));
  ordered sessions = ordered::array();
  for (const auto& s : r.sessions)
    sessions.push_back(ordered{{"session", s.session}, {"project", s.project}, {"issue", s.issue}, {"model", s.model},
                               {"runs", s.runs},       {"costUSD", s.cost},    {"tokens", tokens(s.tokens)},
                               {"first", format_time_ms(s.first_ms)},          {"last", format_time_ms(s.last_ms)}});
  return ordered{{"runs", runs}, {"sessions", sessions}}.dump(2);
}

}  // namespace costdeck::runs
