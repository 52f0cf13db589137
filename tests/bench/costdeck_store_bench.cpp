// Fills a store at the issue's scale (1,000,000 usage events, 100,000 runs) through the
// store's own writers, so reports can be timed with --no-scan on it (scripts/bench.sh).
//
//   costdeck_store_bench fill --db PATH [--events N] [--runs N] [--seed S]
//   costdeck_store_bench reports     # the report names bench.sh times

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "core/runs/run_store.hpp"
#include "core/store/store.hpp"
#include "core/store/writer.hpp"
#include "tests/bench/corpus_rng.hpp"

namespace {

using costdeck::bench::Rng;
using Clock = std::chrono::steady_clock;

constexpr const char* kReports[] = {"daily",  "weekly",      "monthly", "session", "models",
                                    "tiers",  "performance", "errors",  "slowest", "runtimes",
                                    "issues", "operations",  "top",     "activity"};

constexpr const char* kClaudeModels[] = {"claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929",
                                         "claude-haiku-4-5-20251001", "claude-opus-4-1-20250805"};
constexpr const char* kCodexModels[] = {"gpt-5-codex", "gpt-5"};
constexpr const char* kAgents[] = {"main", "Explore",       "general-purpose",
                                   "Plan", "code-reviewer", "orchestrator"};
constexpr const char* kTiers[] = {"planner", "worker", "reviewer", "scout"};
constexpr const char* kOperations[] = {"iteration",       "tool call", "verification",
                                       "agent execution", "task",      "turn"};
constexpr const char* kTriggers[] = {"manual", "cron", "autonomous", "webhook"};
constexpr const char* kErrors[] = {"Exit code 1: test failed at src/report_%d.cpp:%d",
                                   "API Error: 529 overloaded (request req_%d, attempt %d)",
                                   "File /home/dev/work/app/src/file_%d.ts not found (line %d)",
                                   "Timeout after %d ms waiting for lock %d",
                                   "[Request interrupted by user for tool use] %d %d"};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fmt(const char* pattern, long long a, long long b) {
  char buf[256];
  std::snprintf(buf, sizeof buf, pattern, a, b);
  return buf;
}

void fill_usage(SQLite::Database& db, Rng& rng, std::int64_t events, std::int64_t start_ms,
                std::int64_t span_ms) {
  namespace src = costdeck::sources;
  namespace st = costdeck::store;
  st::Writer writer(db, {});
  const std::int64_t per_file = 500;
  const std::int64_t files = (events + per_file - 1) / per_file;
  std::vector<st::FileUpdate> batch;
  std::int64_t written = 0;
  const auto t0 = Clock::now();
  for (std::int64_t f = 0; f < files; ++f) {
    st::FileUpdate u;
    const bool codex = rng.chance(0.12);
    const auto project = "/home/dev/work/project-" + std::to_string(rng.below(40));
    auto& rec = u.record;
    rec.kind = codex ? src::FileKind::CodexRollout : src::FileKind::ClaudeTranscript;
    const std::string session = costdeck::bench::make_uuid(rng);
    rec.project_dir = "-home-dev-work-" + project.substr(15);
    rec.path = codex ? "/bench/codex/sessions/" + session + ".jsonl"
                     : "/bench/claude/projects/" + rec.project_dir + "/" + session + ".jsonl";
    rec.dev = 1;
    rec.ino = static_cast<std::uint64_t>(f + 1);
    const std::int64_t n = std::min(per_file, events - written);
    // Sessions are spread evenly over the span, a few hours each.
    std::int64_t ts = start_ms + span_ms * f / files;
    std::string message_id;
    for (std::int64_t i = 0; i < n; ++i) {
      costdeck::UsageEvent e;
      e.runtime = codex ? costdeck::Runtime::Codex : costdeck::Runtime::Claude;
      ts += rng.range(2000, 60000);
      e.ts_ms = ts;
      e.session_id = session;
      e.project = project;
      e.model = codex ? rng.pick(kCodexModels) : rng.pick(kClaudeModels);
      // One in ten Claude rows is another copy of the previous response (same ids, more output).
      if (codex || message_id.empty() || !rng.chance(0.1)) {
        message_id = codex ? "" : "msg_bench_" + std::to_string(f) + "_" + std::to_string(i);
      }
      e.message_id = message_id;
      e.request_id = codex ? "" : "req_" + message_id;
      e.tokens.input = rng.range(1, 3000);
      e.tokens.output = rng.range(10, 4000);
      e.tokens.cache_write_5m = rng.range(0, 8000);
      e.tokens.cache_read = rng.range(5000, 150000);
      e.offset = i * 2000;
      e.line_no = i + 1;
      u.result.usage.push_back(std::move(e));
    }
    rec.size = n * 2000;
    rec.mtime_ns = ts * 1000000;
    rec.cursor.offset = rec.size;
    rec.cursor.line_no = n;
    rec.lines = n;
    rec.usage_lines = n;
    rec.first_seen_ms = rec.last_scan_ms = ts;
    u.result.lines = n;
    u.result.bytes = rec.size;
    u.result.next = rec.cursor;
    written += n;
    batch.push_back(std::move(u));
    if (batch.size() == 100 || f + 1 == files) {
      writer.write(batch);
      batch.clear();
      std::fprintf(stderr, "\rusage: %lld / %lld events (%.0f s)", static_cast<long long>(written),
                   static_cast<long long>(events), seconds_since(t0));
    }
  }
  std::fprintf(stderr, "\n");
}

void fill_runs(SQLite::Database& db, Rng& rng, std::int64_t count, std::int64_t start_ms,
               std::int64_t span_ms) {
  namespace runs = costdeck::runs;
  const auto t0 = Clock::now();
  std::vector<runs::Run> batch;
  std::vector<runs::ErrorEvent> errors;
  for (std::int64_t i = 0; i < count; ++i) {
    runs::Run r;
    r.key = "bench-run-" + std::to_string(i);
    r.source = rng.chance(0.5) ? runs::RunSource::Recorded : runs::RunSource::Import;
    r.started_ms = start_ms + span_ms * i / count + rng.range(0, 60000);
    r.duration_ms = static_cast<std::int64_t>(rng.lognormal(45000, 1.2));
    r.ended_ms = r.started_ms + *r.duration_ms;
    r.runtime = rng.chance(0.75) ? "claude-code" : "codex";
    r.agent = rng.pick(kAgents);
    r.subagent = r.agent != "main" && r.agent != "orchestrator";
    r.tier = rng.chance(0.8) ? rng.pick(kTiers) : "";
    r.issue = rng.chance(0.7) ? "MIN-" + std::to_string(rng.range(1, 500)) : "";
    r.project = "/home/dev/work/project-" + std::to_string(rng.below(40));
    r.session_id = "bench-session-" + std::to_string(i / 8);
    r.git_branch = r.issue.empty() ? "main" : "feature/" + r.issue + "-work";
    r.operation = rng.pick(kOperations);
    r.trigger = rng.pick(kTriggers);
    r.title = "Task " + std::to_string(i) + ": fix the report";
    const double s = rng.unit();
    r.status = s < 0.85   ? runs::RunStatus::Success
               : s < 0.93 ? runs::RunStatus::Error
               : s < 0.98 ? runs::RunStatus::Aborted
                          : runs::RunStatus::Running;
    if (r.status == runs::RunStatus::Error)
      r.error = fmt(rng.pick(kErrors), rng.range(1, 99999), rng.range(1, 999));
    r.model = r.runtime == "codex" ? rng.pick(kCodexModels) : rng.pick(kClaudeModels);
    r.tokens.input = rng.range(100, 50000);
    r.tokens.output = rng.range(50, 20000);
    r.tokens.cache_read = rng.range(0, 400000);
    r.tokens.cache_write_5m = rng.range(0, 30000);
    if (rng.chance(0.5))
      r.cost_usd = static_cast<double>(rng.range(1, 500000)) / 100000.0;
    else
      runs::fill_computed_cost(r);
    if (rng.chance(0.1)) r.metadata = "{\"attempt\":" + std::to_string(rng.range(1, 5)) + "}";
    batch.push_back(std::move(r));
    if (rng.chance(0.2)) {
      runs::ErrorEvent e;
      e.key = "bench-error-" + std::to_string(i);
      e.ts_ms = batch.back().started_ms + 1000;
      e.runtime = batch.back().runtime;
      e.session_id = batch.back().session_id;
      e.project = batch.back().project;
      e.run_key = batch.back().key;
      e.kind = static_cast<runs::ErrorKind>(rng.below(4));
      e.tool = "Bash";
      e.status = e.kind == runs::ErrorKind::ApiError ? 529 : 0;
      e.message = fmt(rng.pick(kErrors), rng.range(1, 99999), rng.range(1, 999));
      errors.push_back(std::move(e));
    }
    if (batch.size() == 10000 || i + 1 == count) {
      SQLite::Transaction tx(db);
      runs::upsert_runs(db, batch);
      runs::upsert_error_events(db, errors);
      tx.commit();
      batch.clear();
      errors.clear();
      std::fprintf(stderr, "\rruns: %lld / %lld (%.0f s)", static_cast<long long>(i + 1),
                   static_cast<long long>(count), seconds_since(t0));
    }
  }
  std::fprintf(stderr, "\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Store-scale benchmark helper"};
  app.require_subcommand(1);
  std::string db_path;
  std::int64_t events = 1000000, runs = 100000;
  std::uint64_t seed = 1;
  auto* fill = app.add_subcommand("fill", "Fill a new store with usage events and runs");
  fill->add_option("--db", db_path, "Store to create (must not exist)")->required();
  fill->add_option("--events", events, "Usage events");
  fill->add_option("--runs", runs, "Runs");
  fill->add_option("--seed", seed, "Seed");
  app.add_subcommand("reports", "Print the report names to time");
  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("reports")) {
    for (const char* r : kReports) std::cout << r << "\n";
    return 0;
  }
  try {
    auto store = costdeck::store::Store::open(db_path);
    Rng rng(seed);
    // 180 days up to a fixed date: the same seed fills the same store.
    const std::int64_t end_ms = costdeck::bench::days_from_civil(2026, 1, 1) * 86400000;
    const std::int64_t span = 180LL * 86400000;
    fill_usage(store.db(), rng, events, end_ms - span, span);
    fill_runs(store.db(), rng, runs, end_ms - span, span);
    store.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const std::exception& e) {
    std::cerr << "costdeck_store_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
