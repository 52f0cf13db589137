// `costdeck report tiers|performance|errors|slowest|runtimes|issues|operations|top|activity`:
// the run analytics of core/runs on the command line, with the shared filters.

#include <SQLiteCpp/SQLiteCpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/config.hpp"
#include "core/ingest.hpp"
#include "core/runs/analytics.hpp"
#include "core/runs/analytics_json.hpp"
#include "core/runs/run_json.hpp"
#include "core/runs/run_store.hpp"
#include "core/runs/session_runs.hpp"
#include "core/store/store.hpp"
#include "core/timeutil.hpp"

namespace costdeck::app {
namespace {

struct RunReportFlags {
  std::string issue;
  std::size_t limit = 0;  // 0: the report's default
};

struct Prepared {
  Config config;
  timeutil::Zone zone = timeutil::Zone::utc();
  std::int64_t now_ms = 0;
  runs::RunTable table;
  std::unique_ptr<store::Store> store;  // open while the report runs: lists fetch their texts
};

runs::LoadOptions load_options(const std::string& name, const Config& config) {
  runs::LoadOptions lo = runs::load_options_for(name, !config.budgets.empty());
  lo.parallel = true;
  return lo;
}

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "costdeck: %s\n", msg.c_str());
  return 2;
}

// Loads config, scans session files (unless --no-scan), loads the filtered runs.
Prepared prepare(const std::string& name, const CommonOptions& o, const RunReportFlags& f) {
  Prepared p;
  p.config = load_config(o.config);
  p.zone = o.timezone.empty() ? timeutil::Zone::local() : timeutil::Zone::named(o.timezone);
  if (!o.now.empty()) {
    auto t = runs::parse_time_ms(o.now);
    if (!t) throw std::invalid_argument("--now: expected an ISO 8601 time, got \"" + o.now + "\"");
    p.now_ms = *t;
  } else {
    p.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  }
  runs::RunFilter filter;
  if (!o.since.empty()) {
    auto d = timeutil::parse_day(o.since);
    if (!d) throw std::invalid_argument("--since: expected YYYY-MM-DD or YYYYMMDD, got \"" + o.since + "\"");
    filter.since_ms = p.zone.start_of_day_ms(*d);
  }
  if (!o.until.empty()) {
    auto d = timeutil::parse_day(o.until);
    if (!d) throw std::invalid_argument("--until: expected YYYY-MM-DD or YYYYMMDD, got \"" + o.until + "\"");
    filter.until_ms = p.zone.start_of_day_ms(*d + 1);
  }
  if (o.runtime != "all") filter.runtime = o.runtime;
  filter.project = o.project;
  filter.model = o.model;
  filter.tier = o.tier;
  filter.issue = f.issue;

  const std::string path = store::resolve_db_path(o.db);
  if (o.no_scan) {
    if (!store::Store::exists(path)) return p;  // nothing recorded yet: empty reports
    p.store = std::make_unique<store::Store>(store::Store::open(path, store::OpenMode::ReadOnly));
    p.table = runs::load_runs(p.store->db(), p.config, filter, load_options(name, p.config));
    return p;
  }
  auto s = store::Store::open(path);
  s.db().setBusyTimeout(runs::kWriterBusyTimeoutMs);
  runs::set_default_session_run_options({p.config.store_prompt_text, p.config.title_words});
  keep_freed_memory();
  IngestOptions io;
  io.claude_dirs = o.claude_dirs;
  io.codex_dirs = o.codex_dirs;
  ingest(s, io);
  p.table = runs::load_runs(s.db(), p.config, filter, load_options(name, p.config));
  p.store = std::make_unique<store::Store>(std::move(s));
  return p;
}

std::string money(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "$%.2f", v);
  return b;
}

std::string ms_text(double ms) {
  char b[32];
  if (ms < 1000)
    std::snprintf(b, sizeof b, "%.0f ms", ms);
  else if (ms < 120000)
    std::snprintf(b, sizeof b, "%.1f s", ms / 1000);
  else
    std::snprintf(b, sizeof b, "%.1f min", ms / 60000);
  return b;
}

void print_briefs(const std::vector<runs::RunBrief>& v) {
  std::printf("%-24s %-9s %10s %9s  %-12s %s\n", "started", "status", "duration", "cost", "runtime", "title");
  for (const auto& b : v)
    std::printf("%-24s %-9s %10s %9s  %-12s %s\n", runs::format_time_ms(b.started_ms).c_str(),
                runs::status_name(b.status),
                b.duration_ms >= 0 ? ms_text(static_cast<double>(b.duration_ms)).c_str() : "-",
                b.has_cost ? money(b.cost_usd).c_str() : "-", b.runtime.c_str(), b.title.c_str());
}

int render(const std::string& name, const CommonOptions& o, const RunReportFlags& f) {
  Prepared p;
  try {
    p = prepare(name, o, f);
  } catch (const ConfigError& e) {
    return usage_error(e.what());
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  const auto& t = p.table;
  auto out = [](const std::string& s) { std::printf("%s\n", s.c_str()); };
  if (name == "tiers") {
    auto r = runs::tiers_report(t, p.config.budgets, p.zone, p.now_ms);
    if (o.json) return out(runs::to_json(r)), 0;
    std::printf("%-14s %8s %14s %12s %7s  %s\n", "tier", "runs", "tokens", "cost", "share", "models");
    for (const auto& x : r.tiers) {
      std::string models;
      for (const auto& m : x.models) models += (models.empty() ? "" : ", ") + m;
      std::printf("%-14s %8lld %14lld %12s %6.1f%%  %s\n", x.tier.c_str(), static_cast<long long>(x.runs),
                  static_cast<long long>(x.tokens.total()), money(x.cost).c_str(), x.share * 100,
                  models.c_str());
      for (const auto& b : x.budgets)
        std::printf("    budget %s: %.2f of %.2f %s (%s)\n", b.name.c_str(), b.used, b.limit, b.unit.c_str(),
                    b.status.c_str());
    }
    std::printf("%-14s %8lld %14lld %12s\n", "total", static_cast<long long>(r.runs),
                static_cast<long long>(r.tokens.total()), money(r.cost).c_str());
  } else if (name == "performance") {
    auto r = runs::performance_report(t, p.zone, p.now_ms);
    if (o.json) return out(runs::to_json(r)), 0;
    std::printf("tasks %lld  success rate %.1f%%  avg %s  median %s  p95 %s  errors today %lld\n",
                static_cast<long long>(r.tasks), r.success_rate * 100, ms_text(r.duration.avg_ms).c_str(),
                ms_text(r.duration.median_ms).c_str(), ms_text(r.duration.p95_ms).c_str(),
                static_cast<long long>(r.errors_today));
    for (const auto& d : r.daily)
      std::printf("  %s  %6lld tasks  %5.1f%%  avg %s\n", d.day.c_str(), static_cast<long long>(d.tasks),
                  d.success_rate * 100, ms_text(d.avg_duration_ms).c_str());
  } else if (name == "errors") {
    auto r = runs::errors_report(t);
    if (o.json) return runs::to_json(r, stdout), std::printf("\n"), 0;
    std::printf("%lld errors: %lld API, %lld tool, %lld interruptions, %lld rejections, %lld failed runs\n",
                static_cast<long long>(r.total), static_cast<long long>(r.api_errors),
                static_cast<long long>(r.tool_errors), static_cast<long long>(r.interruptions),
                static_cast<long long>(r.rejections), static_cast<long long>(r.run_errors));
    std::size_t n = f.limit ? f.limit : 20;
    for (std::size_t i = 0; i < r.patterns.size() && i < n; ++i) {
      const auto& x = r.patterns[i];
      std::printf("%6lld  %-12s %-14s %s  %s\n", static_cast<long long>(x.count), x.kind.c_str(),
                  x.source.c_str(), runs::format_time_ms(x.last_ms).c_str(),
                  x.pattern.substr(0, 100).c_str());
    }
  } else if (name == "slowest") {
    auto r = runs::slowest_runs(t, f.limit ? f.limit : 10);
    if (p.store) runs::complete_briefs(p.store->db(), p.config, r);
    if (o.json) return out(runs::to_json(r, "runs")), 0;
    print_briefs(r);
  } else if (name == "activity") {
    auto r = runs::latest_runs(t, f.limit ? f.limit : 50);
    if (p.store) runs::complete_briefs(p.store->db(), p.config, r);
    if (o.json) return out(runs::to_json(r, "runs")), 0;
    print_briefs(r);
  } else if (name == "runtimes") {
    auto r = runs::runtimes_report(t, p.zone);
    if (o.json) return out(runs::to_json(r)), 0;
    std::printf("%-14s %8s %8s %10s %12s %10s %14s\n", "runtime", "tasks", "success", "avg", "cost",
                "per task", "tokens");
    for (const auto& x : r)
      std::printf("%-14s %8lld %7.1f%% %10s %12s %10s %14lld\n", x.runtime.c_str(),
                  static_cast<long long>(x.tasks), x.success_rate * 100, ms_text(x.avg_duration_ms).c_str(),
                  money(x.cost).c_str(), money(x.cost_per_task).c_str(),
                  static_cast<long long>(x.tokens.total()));
  } else if (name == "issues") {
    auto r = runs::issues_report(t, p.config.badges);
    if (o.json) return runs::to_json(r, stdout), std::printf("\n"), 0;
    std::printf("%-14s %-7s %12s %9s %14s\n", "issue", "badge", "cost", "sessions", "tokens");
    for (const auto& x : r)
      std::printf("%-14s %-7s %12s %9zu %14lld\n", x.issue.c_str(), x.badge.c_str(), money(x.cost).c_str(),
                  x.sessions.size(), static_cast<long long>(x.tokens.total()));
  } else if (name == "operations") {
    auto r = runs::operations_report(t);
    if (o.json) return out(runs::to_json(r)), 0;
    std::printf("%-20s %8s %12s %7s %10s\n", "operation", "runs", "cost", "share", "avg");
    for (const auto& x : r)
      std::printf("%-20s %8lld %12s %6.1f%% %10s\n", x.operation.c_str(), static_cast<long long>(x.runs),
                  money(x.cost).c_str(), x.share * 100, ms_text(x.avg_duration_ms).c_str());
  } else if (name == "top") {
    auto r = runs::top_report(t, f.limit ? f.limit : 10);
    if (p.store) runs::complete_briefs(p.store->db(), p.config, r.runs);
    if (o.json) return out(runs::to_json(r)), 0;
    std::printf("Most expensive runs\n");
    print_briefs(r.runs);
    std::printf("\nMost expensive sessions\n");
    for (const auto& s : r.sessions)
      std::printf("%-40s %10s %6lld runs  %s\n", s.session.c_str(), money(s.cost).c_str(),
                  static_cast<long long>(s.runs), s.issue.c_str());
  }
  return 0;
}

}  // namespace

void add_run_report_commands(CLI::App* report, CommonOptions& o, Handler* run) {
  static RunReportFlags f;
  static const char* kReports[][2] = {
      {"tiers", "Cost and tokens per tier (with budgets when configured)"},
      {"performance", "Success rate, durations, tasks, errors today, daily series"},
      {"errors", "Error patterns, API errors by status, tool errors by tool, interruptions, rejections"},
      {"slowest", "The slowest runs (--limit, default 10)"},
      {"runtimes", "Per runtime: tasks, success rate, duration, cost, operations, daily series"},
      {"issues", "Per issue: cost, tokens, sessions, models, badge"},
      {"operations", "Cost by operation type"},
      {"top", "The most expensive runs and sessions (--limit, default 10)"},
      {"activity", "The latest runs (--limit, default 50)"},
  };
  for (const auto& r : kReports) {
    std::string name = r[0];
    auto* cmd = report->add_subcommand(name, r[1]);
    add_source_options(cmd, o);
    add_filter_options(cmd, o);
    cmd->add_option("--issue", f.issue, "Only this issue");
    cmd->add_option("--limit,-n", f.limit, "How many rows");
    cmd->callback([name, &o, run] { *run = [name, &o] { return render(name, o, f); }; });
  }
}

}  // namespace costdeck::app
