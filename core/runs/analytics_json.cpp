#include "core/runs/analytics_json.hpp"

#include "core/runs/json_out.hpp"
#include "core/runs/run_json.hpp"

namespace costdeck::runs {
namespace {

// Every writer below emits, field for field, what the nlohmann trees it replaced dumped
// with dump(2); the reports' numbers and bytes stay the same.

void tokens(JsonOut& j, const TokenCounts& t) {
  j.begin_object()
      .field("inputTokens", t.input)
      .field("outputTokens", t.output)
      .field("cacheCreationTokens", t.cache_write())
      .field("cacheReadTokens", t.cache_read)
      .field("totalTokens", t.total())
      .end_object();
}

void brief(JsonOut& j, const RunBrief& b) {
  j.begin_object().field("id", b.key).field("started", format_time_ms(b.started_ms)).key("durationMs");
  if (b.duration_ms >= 0)
    j.value(b.duration_ms);
  else
    j.null();
  j.field("status", status_name(b.status))
      .field("title", b.title)
      .field("runtime", b.runtime)
      .field("agent", b.agent)
      .field("tier", b.tier)
      .field("issue", b.issue)
      .field("session", b.session)
      .field("project", b.project)
      .field("operation", b.operation)
      .field("model", b.model)
      .field("source", source_name(b.source));
  if (!b.error.empty()) j.field("error", b.error);
  j.key("tokens");
  tokens(j, b.tokens);
  j.key("costUSD");
  if (b.has_cost)
    j.value(b.cost_usd);
  else
    j.null();
  j.end_object();
}

void op(JsonOut& j, const OperationRow& o) {
  j.begin_object()
      .field("operation", o.operation)
      .field("runs", o.runs)
      .field("successes", o.successes)
      .field("successRate", o.success_rate)
      .field("costUSD", o.cost)
      .field("share", o.share)
      .field("avgDurationMs", o.avg_duration_ms)
      .key("tokens");
  tokens(j, o.tokens);
  j.end_object();
}

}  // namespace

std::string to_json(const TiersReport& r) {
  JsonOut j;
  j.begin_object().key("tiers").begin_array();
  for (const auto& t : r.tiers) {
    j.begin_object().field("tier", t.tier).field("runs", t.runs).key("models").begin_array();
    for (const auto& m : t.models) j.value(m);
    j.end_array().key("tokens");
    tokens(j, t.tokens);
    j.field("costUSD", t.cost)
        .field("share", t.share)
        .field("unpricedRuns", t.unpriced_runs)
        .key("budgets")
        .begin_array();
    for (const auto& b : t.budgets)
      j.begin_object()
          .field("name", b.name)
          .field("unit", b.unit)
          .field("period", b.period)
          .field("limit", b.limit)
          .field("used", b.used)
          .field("projected", b.projected)
          .field("fraction", b.fraction)
          .field("status", b.status)
          .end_object();
    j.end_array().end_object();
  }
  j.end_array().key("totals").begin_object().field("runs", r.runs).key("tokens");
  tokens(j, r.tokens);
  j.field("costUSD", r.cost).end_object().end_object();
  return j.take();
}

std::string to_json(const PerformanceReport& r) {
  JsonOut j;
  j.begin_object()
      .field("tasks", r.tasks)
      .field("successes", r.successes)
      .field("errors", r.errors)
      .field("aborted", r.aborted)
      .field("unfinished", r.unfinished)
      .field("successRate", r.success_rate)
      .key("duration")
      .begin_object()
      .field("count", r.duration.count)
      .field("avgMs", r.duration.avg_ms)
      .field("medianMs", r.duration.median_ms)
      .field("p95Ms", r.duration.p95_ms)
      .end_object()
      .field("errorsToday", r.errors_today)
      .key("daily")
      .begin_array();
  for (const auto& d : r.daily)
    j.begin_object()
        .field("date", d.day)
        .field("tasks", d.tasks)
        .field("successes", d.successes)
        .field("errors", d.errors)
        .field("aborted", d.aborted)
        .field("successRate", d.success_rate)
        .field("avgDurationMs", d.avg_duration_ms)
        .end_object();
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const ErrorsReport& r, std::FILE* sink) {
  JsonOut j = sink ? JsonOut(sink) : JsonOut();
  auto counts = [&j](const std::vector<CountBy>& v, const char* name) {
    j.begin_array();
    for (const auto& c : v) j.begin_object().field(name, c.key).field("count", c.count).end_object();
    j.end_array();
  };
  j.begin_object()
      .field("total", r.total)
      .field("apiErrors", r.api_errors)
      .field("toolErrors", r.tool_errors)
      .field("interruptions", r.interruptions)
      .field("rejections", r.rejections)
      .field("runErrors", r.run_errors)
      .key("apiErrorsByStatus");
  counts(r.api_by_status, "status");
  j.key("toolErrorsByTool");
  counts(r.tool_by_tool, "tool");
  j.key("patterns").begin_array();
  for (const auto& p : r.patterns) {
    j.begin_object()
        .field("pattern", p.pattern)
        .field("kind", p.kind)
        .field("source", p.source)
        .field("count", p.count)
        .field("firstSeen", format_time_ms(p.first_ms))
        .field("lastSeen", format_time_ms(p.last_ms))
        .field("example", p.example)
        .key("occurrences")
        .begin_array();
    for (const auto& o : p.occurrences)
      j.begin_object()
          .field("time", format_time_ms(o.ts_ms))
          .field("session", o.session)
          .field("run", o.run_key)
          .field("message", o.message)
          .end_object();
    j.end_array().end_object();
  }
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const std::vector<RunBrief>& runs, const char* key) {
  JsonOut j;
  j.begin_object().key(key).begin_array();
  for (const auto& b : runs) brief(j, b);
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const std::vector<OperationRow>& r) {
  JsonOut j;
  j.begin_object().key("operations").begin_array();
  for (const auto& o : r) op(j, o);
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const std::vector<RuntimeRow>& r) {
  JsonOut j;
  j.begin_object().key("runtimes").begin_array();
  for (const auto& x : r) {
    j.begin_object()
        .field("runtime", x.runtime)
        .field("tasks", x.tasks)
        .field("successes", x.successes)
        .field("errors", x.errors)
        .field("successRate", x.success_rate)
        .field("avgDurationMs", x.avg_duration_ms)
        .field("costUSD", x.cost)
        .field("costPerTaskUSD", x.cost_per_task)
        .key("tokens");
    tokens(j, x.tokens);
    j.key("operations").begin_array();
    for (const auto& o : x.operations) op(j, o);
    j.end_array().key("daily").begin_array();
    for (const auto& d : x.daily)
      j.begin_object()
          .field("date", d.day)
          .field("tasks", d.tasks)
          .field("successRate", d.success_rate)
          .field("costUSD", d.cost)
          .field("avgDurationMs", d.avg_duration_ms)
          .end_object();
    j.end_array().end_object();
  }
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const std::vector<IssueRow>& r, std::FILE* sink) {
  JsonOut j = sink ? JsonOut(sink) : JsonOut();
  j.begin_object().key("issues").begin_array();
  for (const auto& i : r) {
    j.begin_object()
        .field("issue", i.issue)
        .field("costUSD", i.cost)
        .field("badge", i.badge)
        .field("runs", i.runs)
        .field("sessionCount", static_cast<std::int64_t>(i.sessions.size()))
        .key("tokens");
    tokens(j, i.tokens);
    j.field("first", format_time_ms(i.first_ms))
        .field("last", format_time_ms(i.last_ms))
        .key("sessions")
        .begin_array();
    for (const auto& s : i.sessions) {
      j.begin_object()
          .field("session", i.str(s.session))
          .field("phase", i.str(s.phase))
          .field("model", i.str(s.model))
          .field("costUSD", s.cost)
          .field("runs", s.runs)
          .key("tokens");
      tokens(j, s.tokens);
      j.field("first", format_time_ms(s.first_ms)).field("last", format_time_ms(s.last_ms)).end_object();
    }
    j.end_array().key("models").begin_array();
    for (const auto& m : i.models) {
      j.begin_object().field("model", m.model).field("costUSD", m.cost).field("share", m.share).key("tokens");
      tokens(j, m.tokens);
      j.end_object();
    }
    j.end_array().end_object();
  }
  j.end_array().end_object();
  return j.take();
}

std::string to_json(const TopReport& r) {
  JsonOut j;
  j.begin_object().key("runs").begin_array();
  for (const auto& b : r.runs) brief(j, b);
  j.end_array().key("sessions").begin_array();
  for (const auto& s : r.sessions) {
    j.begin_object()
        .field("session", s.session)
        .field("project", s.project)
        .field("issue", s.issue)
        .field("model", s.model)
        .field("runs", s.runs)
        .field("costUSD", s.cost)
        .key("tokens");
    tokens(j, s.tokens);
    j.field("first", format_time_ms(s.first_ms)).field("last", format_time_ms(s.last_ms)).end_object();
  }
  j.end_array().end_object();
  return j.take();
}

}  // namespace costdeck::runs
