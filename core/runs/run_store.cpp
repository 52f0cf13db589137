#include "core/runs/run_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <map>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "core/runs/attribution.hpp"

namespace costdeck::runs {

const char* const kRunsSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id                 INTEGER PRIMARY KEY,
  run_key            TEXT    NOT NULL UNIQUE,
  source             TEXT    NOT NULL DEFAULT 'recorded'
                     CHECK (source IN ('recorded', 'session-file', 'import')),
  started_ms         INTEGER NOT NULL,
  ended_ms           INTEGER,
  duration_ms        INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
  runtime            TEXT    NOT NULL DEFAULT 'claude-code',
  agent              TEXT,
  subagent           INTEGER NOT NULL DEFAULT 0,
  tier               TEXT,
  issue              TEXT,
  project            TEXT,
  session_id         TEXT,
  git_branch         TEXT,
  operation          TEXT,
  trigger_type       TEXT,
  title              TEXT,
  status             TEXT    NOT NULL DEFAULT 'success'
                     CHECK (status IN ('success', 'error', 'aborted', 'running', 'pending')),
  error              TEXT,
  model              TEXT,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL,
  cost_computed      INTEGER NOT NULL DEFAULT 0,
  metadata           TEXT    CHECK (metadata IS NULL OR json_valid(metadata)),
  file_id            INTEGER,
  written_ms         INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_ms);
CREATE INDEX IF NOT EXISTS runs_session ON runs(session_id);
CREATE INDEX IF NOT EXISTS runs_issue ON runs(issue);
CREATE TABLE IF NOT EXISTS session_links (
  session_id TEXT PRIMARY KEY,
  issue      TEXT NOT NULL,
  phase      TEXT,
  model      TEXT,
  started_ms INTEGER,
  ended_ms   INTEGER
);
CREATE INDEX IF NOT EXISTS session_links_issue ON session_links(issue);
CREATE TABLE IF NOT EXISTS run_errors (
  id         INTEGER PRIMARY KEY,
  event_key  TEXT    NOT NULL UNIQUE,
  ts_ms      INTEGER NOT NULL,
  runtime    TEXT    NOT NULL DEFAULT 'claude-code',
  session_id TEXT,
  project    TEXT,
  run_key    TEXT,
  kind       TEXT    NOT NULL CHECK (kind IN ('api_error', 'tool_error', 'interruption', 'rejection', 'run_error')),
  tool       TEXT,
  status     INTEGER,
  message    TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS run_errors_ts ON run_errors(ts_ms);
CREATE TABLE IF NOT EXISTS run_turn_state (
  file_id INTEGER NOT NULL,
  track   TEXT    NOT NULL,
  state   TEXT    NOT NULL,
  PRIMARY KEY (file_id, track)
);
)sql";

void ensure_runs_schema(SQLite::Database& db) { db.exec(kRunsSchemaV1); }

namespace {

void bind_text(SQLite::Statement& st, int i, const std::string& s) {
  if (s.empty())
    st.bind(i);
  else
    st.bind(i, s);
}

}  // namespace

void upsert_runs(SQLite::Database& db, const std::vector<Run>& runs) {
  SQLite::Statement st(db, R"sql(
INSERT INTO runs (run_key, source, started_ms, ended_ms, duration_ms, runtime, agent, subagent, tier, issue,
  project, session_id, git_branch, operation, trigger_type, title, status, error, model, input_tokens,
  output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, cost_computed, metadata, file_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
  ?23, ?24, ?25, ?26, ?27)
ON CONFLICT (run_key) DO UPDATE SET
  started_ms = excluded.started_ms,
  ended_ms = COALESCE(excluded.ended_ms, ended_ms),
  duration_ms = COALESCE(excluded.duration_ms, duration_ms),
  runtime = excluded.runtime,
  agent = COALESCE(excluded.agent, agent),
  subagent = excluded.subagent,
  tier = COALESCE(excluded.tier, tier),
  issue = COALESCE(excluded.issue, issue),
  project = COALESCE(excluded.project, project),
  session_id = COALESCE(excluded.session_id, session_id),
  git_branch = COALESCE(excluded.git_branch, git_branch),
  operation = COALESCE(excluded.operation, operation),
  trigger_type = COALESCE(excluded.trigger_type, trigger_type),
  title = COALESCE(excluded.title, title),
  status = excluded.status,
  error = CASE WHEN excluded.status IN ('success', 'running', 'pending') THEN excluded.error
               ELSE COALESCE(excluded.error, error) END,
  model = COALESCE(excluded.model, model),
  input_tokens = CASE WHEN excluded.source = 'session-file' OR excluded.input_tokens <> 0
                      THEN excluded.input_tokens ELSE input_tokens END,
  output_tokens = CASE WHEN excluded.source = 'session-file' OR excluded.output_tokens <> 0
                       THEN excluded.output_tokens ELSE output_tokens END,
  cache_read_tokens = CASE WHEN excluded.source = 'session-file' OR excluded.cache_read_tokens <> 0
                           THEN excluded.cache_read_tokens ELSE cache_read_tokens END,
  cache_write_tokens = CASE WHEN excluded.source = 'session-file' OR excluded.cache_write_tokens <> 0
                            THEN excluded.cache_write_tokens ELSE cache_write_tokens END,
  cost_computed = CASE WHEN excluded.cost_usd IS NOT NULL THEN excluded.cost_computed ELSE cost_computed END,
  cost_usd = COALESCE(excluded.cost_usd, cost_usd),
  metadata = COALESCE(excluded.metadata, metadata),
  written_ms = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE runs.source <> 'session-file' OR runs.file_id IS excluded.file_id
)sql");
  for (const auto& r : runs) {
    st.bind(1, r.key);
    st.bind(2, source_name(r.source));
    st.bind(3, static_cast<std::int64_t>(r.started_ms));
    if (r.ended_ms) st.bind(4, static_cast<std::int64_t>(*r.ended_ms)); else st.bind(4);
    if (r.duration_ms) st.bind(5, static_cast<std::int64_t>(*r.duration_ms)); else st.bind(5);
    st.bind(6, normalize_runtime(r.runtime));
    bind_text(st, 7, r.agent);
    st.bind(8, r.subagent ? 1 : 0);
    bind_text(st, 9, r.tier);
    bind_text(st, 10, r.issue);
    bind_text(st, 11, r.project);
    bind_text(st, 12, r.session_id);
    bind_text(st, 13, r.git_branch);
    bind_text(st, 14, r.operation);
    bind_text(st, 15, r.trigger);
    bind_text(st, 16, r.title);
    st.bind(17, status_name(r.status));
    bind_text(st, 18, r.error);
    bind_text(st, 19, r.model);
    st.bind(20, static_cast<std::int64_t>(r.tokens.input));
    st.bind(21, static_cast<std::int64_t>(r.tokens.output));
    st.bind(22, static_cast<std::int64_t>(r.tokens.cache_read));
    st.bind(23, static_cast<std::int64_t>(r.tokens.cache_write()));
    if (r.cost_usd) st.bind(24, *r.cost_usd); else st.bind(24);
    st.bind(25, r.cost_computed ? 1 : 0);
    bind_text(st, 26, r.metadata);
    if (r.file_id) st.bind(27, static_cast<std::int64_t>(r.file_id)); else st.bind(27);
    st.exec();
    st.reset();
  }
}

void upsert_links(SQLite::Database& db, const std::vector<SessionLink>& links) {
  SQLite::Statement st(db, R"sql(
INSERT INTO session_links (session_id, issue, phase, model, started_ms, ended_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (session_id) DO UPDATE SET issue = excluded.issue, phase = COALESCE(excluded.phase, phase),
  model = COALESCE(excluded.model, model), started_ms = COALESCE(excluded.started_ms, started_ms),
  ended_ms = COALESCE(excluded.ended_ms, ended_ms)
)sql");
  for (const auto& l : links) {
    st.bind(1, l.session_id);
    st.bind(2, l.issue);
    bind_text(st, 3, l.phase);
    bind_text(st, 4, l.model);
    if (l.started_ms >= 0) st.bind(5, static_cast<std::int64_t>(l.started_ms)); else st.bind(5);
    if (l.ended_ms >= 0) st.bind(6, static_cast<std::int64_t>(l.ended_ms)); else st.bind(6);
    st.exec();
    st.reset();
  }
}

void upsert_error_events(SQLite::Database& db, const std::vector<ErrorEvent>& events) {
  SQLite::Statement st(db, R"sql(
INSERT OR IGNORE INTO run_errors (event_key, ts_ms, runtime, session_id, project, run_key, kind, tool, status, message)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
)sql");
  for (const auto& e : events) {
    st.bind(1, e.key);
    st.bind(2, static_cast<std::int64_t>(e.ts_ms));
    st.bind(3, normalize_runtime(e.runtime));
    bind_text(st, 4, e.session_id);
    bind_text(st, 5, e.project);
    bind_text(st, 6, e.run_key);
    st.bind(7, error_kind_name(e.kind));
    bind_text(st, 8, e.tool);
    if (e.status) st.bind(9, e.status); else st.bind(9);
    st.bind(10, e.message);
    st.exec();
    st.reset();
  }
}

std::int64_t count_runs(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM runs").getInt64();
}

const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::ApiError: return "api_error";
    case ErrorKind::ToolError: return "tool_error";
    case ErrorKind::Interruption: return "interruption";
    case ErrorKind::Rejection: return "rejection";
    case ErrorKind::RunError: return "run_error";
  }
  return "tool_error";
}

std::optional<ErrorKind> error_kind_from_name(const std::string& s) {
  for (auto k : {ErrorKind::ApiError, ErrorKind::ToolError, ErrorKind::Interruption, ErrorKind::Rejection,
                 ErrorKind::RunError})
    if (s == error_kind_name(k)) return k;
  return std::nullopt;
}

namespace {

class Interner {
 public:
  std::int32_t add(const char* p, std::size_t n) {
    if (n == 0) return -1;
    std::string_view v(p, n);
    auto it = index_.find(v);
    if (it != index_.end()) return it->second;
    store_.emplace_back(v);
    auto id = static_cast<std::int32_t>(store_.size() - 1);
    index_.emplace(std::string_view(store_.back()), id);
    return id;
  }
  std::int32_t add(const std::string& s) { return add(s.data(), s.size()); }
  std::int32_t add_column(const SQLite::Column& c) {
    if (c.isNull()) return -1;
    return add(static_cast<const char*>(c.getText()), static_cast<std::size_t>(c.getBytes()));
  }
  std::vector<std::string> take() { return {std::make_move_iterator(store_.begin()), std::make_move_iterator(store_.end())}; }
  const std::string& at(std::int32_t i) const {
    static const std::string kEmpty;
    return i < 0 ? kEmpty : store_[static_cast<std::size_t>(i)];
  }

 private:
  std::deque<std::string> store_;
  std::unordered_map<std::string_view, std::int32_t> index_;
};

bool contains(const std::string& hay, const std::string& needle) {
  return needle.empty() || hay.find(needle) != std::string::npos;
}

std::string text_or_empty(const SQLite::Column& c) {
  return c.isNull() ? std::string() : std::string(static_cast<const char*>(c.getText()), static_cast<std::size_t>(c.getBytes()));
}

}  // namespace

RunTable load_runs(SQLite::Database& db, const Config& config, const RunFilter& f) {
  RunTable t;
  Interner strings;
  const std::int64_t since = f.since_ms.value_or(INT64_MIN), until = f.until_ms.value_or(INT64_MAX);
  const std::string runtime = f.runtime.empty() || f.runtime == "all" ? std::string() : normalize_runtime(f.runtime);

  struct LinkInfo {
    std::int32_t issue = -1, phase = -1;
  };
  std::unordered_map<std::string, LinkInfo> links;
  {
    SQLite::Statement q(db, "SELECT session_id, issue, phase FROM session_links");
    while (q.executeStep())
      links[q.getColumn(0).getString()] = {strings.add_column(q.getColumn(1)), strings.add_column(q.getColumn(2))};
  }

  std::string sql =
      "SELECT id, started_ms, ended_ms, duration_ms, runtime, agent, subagent, tier, issue, project, session_id, "
      "git_branch, operation, trigger_type, title, status, error, model, input_tokens, output_tokens, "
      "cache_read_tokens, cache_write_tokens, cost_usd, cost_computed, source, run_key FROM runs "
      "WHERE started_ms >= ?1 AND started_ms < ?2";
  if (!runtime.empty()) sql += " AND runtime = ?3";
  sql += " ORDER BY started_ms, id";
  // The C API directly: SQLiteCpp's Column objects cost a shared_ptr copy each, which is
  // most of the load time at 100k rows x 26 columns.
  sqlite3* h = db.getHandle();
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
    throw SQLite::Exception(h, sqlite3_errcode(h));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
  sqlite3_bind_int64(st, 1, since);
  sqlite3_bind_int64(st, 2, until);
  if (!runtime.empty()) sqlite3_bind_text(st, 3, runtime.data(), static_cast<int>(runtime.size()), SQLITE_TRANSIENT);

  IssueMatcher matcher(config.issue_branch_pattern);
  std::map<std::array<std::int32_t, 5>, std::int32_t> tier_cache;  // (agent, model, runtime, project, subagent)
  bool rules_use_duration = false;
  for (const auto& r : config.tier_rules) rules_use_duration = rules_use_duration || r.min_duration_ms.has_value();

  auto null = [st](int c) { return sqlite3_column_type(st, c) == SQLITE_NULL; };
  auto i64 = [st](int c) { return static_cast<std::int64_t>(sqlite3_column_int64(st, c)); };
  auto text = [st](int c) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, c))) : std::string_view();
  };
  auto intern = [&](int c) -> std::int32_t {
    if (null(c)) return -1;
    auto v = text(c);
    return strings.add(v.data(), v.size());
  };
  t.rows.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, db.execAndGet("SELECT count(*) FROM runs").getInt64())));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    RunRow r;
    r.id = i64(0);
    r.started_ms = i64(1);
    if (!null(2)) r.ended_ms = i64(2);
    if (!null(3))
      r.duration_ms = i64(3);
    else if (r.ended_ms >= 0)
      r.duration_ms = std::max<std::int64_t>(0, r.ended_ms - r.started_ms);
    r.runtime = intern(4);
    r.agent = intern(5);
    r.subagent = i64(6) != 0;
    r.tier = intern(7);
    r.issue = intern(8);
    r.project = intern(9);
    r.session = intern(10);
    r.branch = intern(11);
    r.operation = intern(12);
    r.trigger = intern(13);
    r.title = std::string(text(14));
    r.status = status_from_name(std::string(text(15))).value_or(RunStatus::Success);
    r.error = std::string(text(16));
    r.model = intern(17);
    r.tokens.input = i64(18);
    r.tokens.output = i64(19);
    r.tokens.cache_read = i64(20);
    r.tokens.cache_write_5m = i64(21);
    r.has_cost = !null(22);
    r.cost_usd = r.has_cost ? sqlite3_column_double(st, 22) : 0.0;
    r.cost_computed = i64(23) != 0;
    r.source = source_from_name(std::string(text(24))).value_or(RunSource::Recorded);
    r.key = std::string(text(25));

    r.tier_recorded = r.tier >= 0;
    if (!r.tier_recorded) {
      auto compute = [&] {
        TierInput in{strings.at(r.agent), strings.at(r.model), strings.at(r.runtime), strings.at(r.project), r.subagent,
                     r.duration_ms >= 0 ? std::optional<std::int64_t>(r.duration_ms) : std::nullopt};
        return strings.add(tier_by_rules(config, in));
      };
      if (rules_use_duration) {
        r.tier = compute();
      } else {
        std::array<std::int32_t, 5> k{r.agent, r.model, r.runtime, r.project, r.subagent ? 1 : 0};
        auto it = tier_cache.find(k);
        if (it == tier_cache.end()) {
          r.tier = compute();
          tier_cache.emplace(k, r.tier);
        } else {
          r.tier = it->second;
        }
      }
    }
    r.issue_recorded = r.issue >= 0;
    if (r.session >= 0) {
      auto it = links.find(strings.at(r.session));
      if (it != links.end()) {
        if (!r.issue_recorded) r.issue = it->second.issue;
        r.phase = it->second.phase;
      }
    }
    if (r.issue < 0 && r.branch >= 0) r.issue = strings.add(matcher.issue_for(strings.at(r.branch)));

    if (!f.project.empty() && !contains(strings.at(r.project), f.project)) continue;
    if (!f.model.empty() && !contains(strings.at(r.model), f.model)) continue;
    if (!f.tier.empty() && strings.at(r.tier) != f.tier) continue;
    if (!f.issue.empty() && strings.at(r.issue) != f.issue) continue;
    t.rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) throw SQLite::Exception(h, rc);

  SQLite::Statement e(db,
                      "SELECT event_key, ts_ms, runtime, session_id, project, run_key, kind, tool, status, message "
                      "FROM run_errors WHERE ts_ms >= ?1 AND ts_ms < ?2 ORDER BY ts_ms, id");
  e.bind(1, static_cast<std::int64_t>(since));
  e.bind(2, static_cast<std::int64_t>(until));
  while (e.executeStep()) {
    ErrorEvent ev;
    ev.key = e.getColumn(0).getString();
    ev.ts_ms = e.getColumn(1).getInt64();
    ev.runtime = e.getColumn(2).getString();
    if (!runtime.empty() && ev.runtime != runtime) continue;
    ev.session_id = text_or_empty(e.getColumn(3));
    ev.project = text_or_empty(e.getColumn(4));
    if (!f.project.empty() && !contains(ev.project, f.project)) continue;
    ev.run_key = text_or_empty(e.getColumn(5));
    ev.kind = error_kind_from_name(e.getColumn(6).getString()).value_or(ErrorKind::ToolError);
    ev.tool = text_or_empty(e.getColumn(7));
    ev.status = e.getColumn(8).isNull() ? 0 : e.getColumn(8).getInt();
    ev.message = e.getColumn(9).getString();
    t.errors.push_back(std::move(ev));
  }
  t.strings = strings.take();
  return t;
}

}  // namespace costdeck::runs
