// Writers of the runs table: record (flags or an NDJSON stream), import (NDJSON runs or a
// session-to-issue map), link; and `config show`. Bad input: a message naming the field or
// line, exit status 2, nothing written.

#include <SQLiteCpp/SQLiteCpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/config.hpp"
#include "core/runs/run_json.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/store.hpp"

namespace costdeck::app {
namespace {

using runs::Run;
using runs::RunInputError;

constexpr int kUsageError = 2;

struct RecordFlags {
  std::string id, runtime, agent, tier, issue, project, session, operation, trigger, title, status, error;
  std::string started, ended, duration_ms, model, tokens_in, tokens_out, cache_read, cache_write, cost, meta;
  std::string git_branch;
  bool subagent = false;
  bool from_stdin = false;
  bool quiet = false;
  std::size_t batch = 1000;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t parse_count(const std::string& v, const char* flag) {
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || v.empty() || n < 0)
    throw RunInputError(std::string(flag) + ": expected a whole number >= 0, got \"" + v + "\"");
  return n;
}

Run run_from_flags(const RecordFlags& f, bool* started_given) {
  Run r;
  r.key = f.id;
  if (!f.runtime.empty()) r.runtime = f.runtime;
  r.agent = f.agent;
  r.subagent = f.subagent;
  r.tier = f.tier;
  r.issue = f.issue;
  r.project = f.project;
  r.session_id = f.session;
  r.git_branch = f.git_branch;
  r.operation = f.operation;
  r.trigger = f.trigger;
  r.title = f.title;
  r.error = f.error;
  r.model = f.model;
  if (!f.status.empty()) {
    auto s = runs::status_from_name(f.status);
    if (!s) throw RunInputError("--status: expected success, error, aborted, running or pending, got \"" + f.status + "\"");
    r.status = *s;
  }
  *started_given = !f.started.empty();
  if (!f.started.empty()) {
    auto t = runs::parse_time_ms(f.started);
    if (!t) throw RunInputError("--started: expected an ISO 8601 time or epoch milliseconds, got \"" + f.started + "\"");
    r.started_ms = *t;
  }
  if (!f.ended.empty()) {
    auto t = runs::parse_time_ms(f.ended);
    if (!t) throw RunInputError("--ended: expected an ISO 8601 time or epoch milliseconds, got \"" + f.ended + "\"");
    r.ended_ms = *t;
  }
  if (!f.duration_ms.empty()) r.duration_ms = parse_count(f.duration_ms, "--duration-ms");
  if (!f.tokens_in.empty()) r.tokens.input = parse_count(f.tokens_in, "--tokens-in");
  if (!f.tokens_out.empty()) r.tokens.output = parse_count(f.tokens_out, "--tokens-out");
  if (!f.cache_read.empty()) r.tokens.cache_read = parse_count(f.cache_read, "--cache-read");
  if (!f.cache_write.empty()) r.tokens.cache_write_5m = parse_count(f.cache_write, "--cache-write");
  if (!f.cost.empty()) {
    std::size_t used = 0;
    double c = -1;
    try {
      c = std::stod(f.cost, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != f.cost.size() || !(c >= 0)) throw RunInputError("--cost: expected a number of USD >= 0, got \"" + f.cost + "\"");
    r.cost_usd = c;
  }
  if (!f.meta.empty()) {
    try {
      r.metadata = runs::normalize_metadata(f.meta);
    } catch (const RunInputError& e) {
      throw RunInputError(std::string("--") + e.what());
    }
  }
  return r;
}

store::Store open_for_writing(const std::string& db_flag) {
  auto s = store::Store::open(store::resolve_db_path(db_flag));
  s.db().setBusyTimeout(runs::kWriterBusyTimeoutMs);
  return s;
}

void write_runs(store::Store& s, const std::vector<Run>& rs) {
  SQLite::Transaction tx(s.db(), SQLite::TransactionBehavior::IMMEDIATE);
  runs::upsert_runs(s.db(), rs);
  tx.commit();
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "costdeck: %s\n", msg.c_str());
  return kUsageError;
}

// Reads `record --stdin`: validated and committed a batch at a time, so a long stream from
// a hook lands steadily; a bad line stops the stream before its batch is written.
int record_stdin(const CommonOptions& o, bool quiet, std::size_t batch_size) {
  const std::size_t kBatch = std::max<std::size_t>(1, batch_size);
  auto s = open_for_writing(o.db);
  std::vector<Run> batch;
  std::string line;
  std::int64_t line_no = 0, written = 0;
  const std::int64_t now = now_ms();
  auto flush = [&] {
    if (batch.empty()) return;
    write_runs(s, batch);
    written += static_cast<std::int64_t>(batch.size());
    batch.clear();
  };
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      bool started_given = false;
      Run r = runs::run_from_json(line, &started_given);
      runs::finish_run(r, now, started_given);
      batch.push_back(std::move(r));
    } catch (const RunInputError& e) {
      return fail("stdin line " + std::to_string(line_no) + ": " + e.what() + " (" + std::to_string(written) +
                  " runs of earlier batches were written; this batch was not)");
    }
    if (batch.size() >= kBatch) flush();
  }
  flush();
  if (!quiet) std::printf("recorded %lld runs\n", static_cast<long long>(written));
  return 0;
}

struct ParsedImport {
  std::vector<Run> runs;
  std::vector<runs::SessionLink> links;
};

// The session-to-issue map: {"MIN-123": {"sessions": [{"id","startedAt","endedAt","type","model"}]}}.
std::optional<ParsedImport> parse_session_map(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.empty()) return std::nullopt;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!it.value().is_object() || !it.value().contains("sessions")) return std::nullopt;
  ParsedImport out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& issue = it.key();
    const auto& sessions = it.value()["sessions"];
    if (!sessions.is_array()) throw RunInputError(issue + ".sessions: expected an array");
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const auto& e = sessions[i];
      const std::string where = issue + ".sessions[" + std::to_string(i) + "]";
      if (!e.is_object()) throw RunInputError(where + ": expected an object");
      if (!e.contains("id") || !e["id"].is_string() || e["id"].get<std::string>().empty())
        throw RunInputError(where + ".id: expected a session id");
      runs::SessionLink l;
      l.session_id = e["id"].get<std::string>();
      l.issue = issue;
      auto str = [&](const char* k) -> std::string {
        if (!e.contains(k) || e[k].is_null()) return {};
        if (!e[k].is_string()) throw RunInputError(where + "." + k + ": expected a string");
        return e[k].get<std::string>();
      };
      l.phase = str("type");
      l.model = str("model");
      for (auto [key, dst] : {std::pair{"startedAt", &l.started_ms}, std::pair{"endedAt", &l.ended_ms}}) {
        std::string v = str(key);
        if (v.empty()) continue;
        auto t = runs::parse_time_ms(v);
        if (!t) throw RunInputError(where + "." + key + ": expected an ISO 8601 time, got \"" + v + "\"");
        *dst = *t;
      }
      out.links.push_back(std::move(l));
    }
  }
  return out;
}

ParsedImport parse_ndjson_runs(const std::string& text, const std::string& path) {
  ParsedImport out;
  std::istringstream in(text);
  std::string line;
  std::int64_t line_no = 0;
  std::map<std::string, int> seen;
  const std::int64_t now = now_ms();
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      bool started_given = false;
      Run r = runs::run_from_json(line, &started_given);
      r.source = runs::RunSource::Import;
      if (r.key.empty()) r.key = runs::import_key(line, seen[line]++);
      runs::finish_run(r, now, started_given);
      out.runs.push_back(std::move(r));
    } catch (const RunInputError& e) {
      throw RunInputError(path + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  return out;
}

int import_file(const CommonOptions& o, const std::string& path, bool quiet) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail("import: cannot open " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  ParsedImport p;
  try {
    auto m = parse_session_map(text);
    p = m ? std::move(*m) : parse_ndjson_runs(text, path);
  } catch (const RunInputError& e) {
    return fail(std::string("import: ") + e.what() + "; nothing was imported");
  }
  auto s = open_for_writing(o.db);
  // Tests set this to prove a killed import leaves nothing behind.
  const char* kill_after = std::getenv("COSTDECK_TEST_KILL_IMPORT_AFTER");
  SQLite::Transaction tx(s.db(), SQLite::TransactionBehavior::IMMEDIATE);
  constexpr std::size_t kChunk = 500;
  for (std::size_t i = 0; i < p.runs.size(); i += kChunk) {
    std::vector<Run> chunk(p.runs.begin() + static_cast<std::ptrdiff_t>(i),
                           p.runs.begin() + static_cast<std::ptrdiff_t>(std::min(p.runs.size(), i + kChunk)));
    runs::upsert_runs(s.db(), chunk);
    if (kill_after && i + kChunk >= static_cast<std::size_t>(std::atoll(kill_after))) std::raise(SIGKILL);
  }
  runs::upsert_links(s.db(), p.links);
  tx.commit();
  if (!quiet) {
    if (!p.links.empty())
      std::printf("imported %zu session links\n", p.links.size());
    else
      std::printf("imported %zu runs\n", p.runs.size());
  }
  return 0;
}

}  // namespace

void add_record_commands(CLI::App* root, CommonOptions& o, Handler* run) {
  static RecordFlags f;
  auto* rec = root->add_subcommand("record", "Record a task run in the store (or a stream of them with --stdin)");
  rec->add_option("--db", o.db, "SQLite store (default: $COSTDECK_DB or $XDG_DATA_HOME/costdeck/costdeck.db)");
  rec->add_option("--id", f.id, "Unique key; recording the same key again updates that run");
  rec->add_option("--runtime", f.runtime, "claude-code, codex, ... (default claude-code)");
  rec->add_option("--agent", f.agent, "Agent name or type");
  rec->add_flag("--subagent", f.subagent, "The run is a subagent's, not the main thread's");
  rec->add_option("--tier", f.tier, "Tier (default: by the config's rules)");
  rec->add_option("--issue", f.issue, "Issue key, e.g. MIN-123");
  rec->add_option("--project", f.project, "Project path or name");
  rec->add_option("--session", f.session, "Agent session id");
  rec->add_option("--git-branch", f.git_branch, "Git branch (issue attribution)");
  rec->add_option("--operation", f.operation, "iteration, tool call, verification, agent execution, task, ...");
  rec->add_option("--trigger", f.trigger, "manual, cron, autonomous, webhook, ...");
  rec->add_option("--title", f.title, "Short description");
  rec->add_option("--status", f.status, "success (default), error, aborted, running, pending");
  rec->add_option("--error", f.error, "Error message");
  rec->add_option("--started", f.started, "Start (ISO 8601 or epoch ms; default: now - duration)");
  rec->add_option("--ended", f.ended, "End (ISO 8601 or epoch ms)");
  rec->add_option("--duration-ms", f.duration_ms, "Duration in milliseconds");
  rec->add_option("--model", f.model, "Model id");
  rec->add_option("--tokens-in", f.tokens_in, "Input tokens (uncached)");
  rec->add_option("--tokens-out", f.tokens_out, "Output tokens");
  rec->add_option("--cache-read", f.cache_read, "Cache-read tokens");
  rec->add_option("--cache-write", f.cache_write, "Cache-write tokens");
  rec->add_option("--cost", f.cost, "Cost in USD (default: computed from tokens and the price table)");
  rec->add_option("--meta", f.meta, "Free-form JSON object");
  rec->add_flag("--stdin", f.from_stdin, "Read NDJSON runs from stdin (same keys as the flags, see docs/store.md)");
  rec->add_flag("--quiet,-q", f.quiet, "Print nothing on success");
  rec->add_option("--batch", f.batch, "--stdin: runs per transaction (default 1000)");
  rec->callback([&o, run] {
    *run = [&o]() -> int {
      if (f.from_stdin) return record_stdin(o, f.quiet, f.batch);
      Run r;
      try {
        bool started_given = false;
        r = run_from_flags(f, &started_given);
        runs::finish_run(r, now_ms(), started_given);
      } catch (const RunInputError& e) {
        return fail(std::string("record: ") + e.what() + "; nothing was written");
      }
      auto s = open_for_writing(o.db);
      write_runs(s, {r});
      if (!f.quiet) std::printf("%s\n", r.key.c_str());
      return 0;
    };
  });

  static std::string import_path;
  static bool import_quiet = false;
  auto* imp = root->add_subcommand("import", "Import NDJSON runs or a session-to-issue map, all or nothing");
  imp->add_option("FILE", import_path, "NDJSON runs, or {\"MIN-123\": {\"sessions\": [...]}}")->required();
  imp->add_option("--db", o.db, "SQLite store");
  imp->add_flag("--quiet,-q", import_quiet, "Print nothing on success");
  imp->callback([&o, run] { *run = [&o] { return import_file(o, import_path, import_quiet); }; });

  static std::string link_session, link_issue, link_phase;
  auto* link = root->add_subcommand("link", "Attribute an agent session to an issue");
  link->add_option("SESSION", link_session, "Session id")->required();
  link->add_option("ISSUE", link_issue, "Issue key, e.g. MIN-123")->required();
  link->add_option("--phase", link_phase, "planning, implementation, review, ...");
  link->add_option("--db", o.db, "SQLite store");
  link->callback([&o, run] {
    *run = [&o]() -> int {
      if (link_session.empty() || link_issue.empty()) return fail("link: SESSION and ISSUE must not be empty");
      auto s = open_for_writing(o.db);
      SQLite::Transaction tx(s.db(), SQLite::TransactionBehavior::IMMEDIATE);
      runs::upsert_links(s.db(), {{link_session, link_issue, link_phase, "", -1, -1}});
      tx.commit();
      return 0;
    };
  });

  auto* cfg = root->add_subcommand("config", "Show the configuration in effect (defaults included)");
  cfg->require_subcommand(1);
  auto* show = cfg->add_subcommand("show", "Print the config as JSON (the file's values over the defaults)");
  show->add_option("--config", o.config, "Config file (default: $XDG_CONFIG_HOME/costdeck/config.json)");
  show->callback([&o, run] {
    *run = [&o]() -> int {
      try {
        Config c = load_config(o.config);
        std::printf("%s\n", config_to_json(c).c_str());
        return 0;
      } catch (const ConfigError& e) {
        return fail(e.what());
      }
    };
  });
  auto* path = cfg->add_subcommand("path", "Print where the config file is read from");
  path->callback([&o, run] {
    *run = [&o]() -> int {
      std::printf("%s\n", o.config.empty() ? default_config_path().c_str() : o.config.c_str());
      return 0;
    };
  });
}

}  // namespace costdeck::app
