#include "core/runs/run_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <string_view>
#include <thread>
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

void ensure_runs_schema(SQLite::Database& db) {
  db.exec(kRunsSchemaV1);
}

namespace {

// No copy: every bound string outlives the statement's exec (a cold ingest binds ~20
// strings for each of tens of thousands of runs).
void bind_text(SQLite::Statement& st, int i, const std::string& s) {
  if (s.empty())
    st.bind(i);
  else
    st.bindNoCopy(i, s);
}

}  // namespace

void upsert_runs(SQLite::Database& db, const std::vector<Run>& runs) {
  SQLite::Statement st(db, R"sql(
INSERT INTO runs (run_key, source, started_ms, ended_ms, duration_ms, runtime, agent, subagent, tier, issue,
  project, session_id, git_branch, operation, trigger_type, title, status, error, model, input_tokens,
  output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, cost_computed, metadata, file_id, written_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
  ?23, ?24, ?25, ?26, ?27, ?28)
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
  written_ms = excluded.written_ms
WHERE runs.source <> 'session-file' OR runs.file_id IS excluded.file_id
)sql");
  // The write's time, once per batch: the column's default computes julianday('now') per
  // row, a third of an upsert's time in a first ingest of 26k turns.
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  st.bind(28, now_ms);
  for (const auto& r : runs) {
    st.bindNoCopy(1, r.key);
    st.bind(2, source_name(r.source));
    st.bind(3, static_cast<std::int64_t>(r.started_ms));
    if (r.ended_ms)
      st.bind(4, static_cast<std::int64_t>(*r.ended_ms));
    else
      st.bind(4);
    if (r.duration_ms)
      st.bind(5, static_cast<std::int64_t>(*r.duration_ms));
    else
      st.bind(5);
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
    if (r.cost_usd)
      st.bind(24, *r.cost_usd);
    else
      st.bind(24);
    st.bind(25, r.cost_computed ? 1 : 0);
    bind_text(st, 26, r.metadata);
    if (r.file_id)
      st.bind(27, static_cast<std::int64_t>(r.file_id));
    else
      st.bind(27);
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
    if (l.started_ms >= 0)
      st.bind(5, static_cast<std::int64_t>(l.started_ms));
    else
      st.bind(5);
    if (l.ended_ms >= 0)
      st.bind(6, static_cast<std::int64_t>(l.ended_ms));
    else
      st.bind(6);
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
    st.bindNoCopy(1, e.key);
    st.bind(2, static_cast<std::int64_t>(e.ts_ms));
    st.bind(3, normalize_runtime(e.runtime));
    bind_text(st, 4, e.session_id);
    bind_text(st, 5, e.project);
    bind_text(st, 6, e.run_key);
    st.bind(7, error_kind_name(e.kind));
    bind_text(st, 8, e.tool);
    if (e.status)
      st.bind(9, e.status);
    else
      st.bind(9);
    st.bindNoCopy(10, e.message);
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
  std::vector<std::string> take() {
    return {std::make_move_iterator(store_.begin()), std::make_move_iterator(store_.end())};
  }
  const std::string& at(std::int32_t i) const {
    static const std::string kEmpty;
    return i < 0 ? kEmpty : store_[static_cast<std::size_t>(i)];
  }

 private:
  std::deque<std::string> store_;
  std::unordered_map<std::string_view, std::int32_t> index_;
};

// One column's values -> ids local to the column, each promoted to a shared id when the
// rows are walked in their final order (shared ids are handed out in first-seen order, and
// reports break ties by them). A small open-addressing table per column with the bytes in
// one arena: the shared node-based hash table cost a cache miss or three per lookup, a
// fifth of the load time at 100k runs.
class ColumnInterner {
 public:
  explicit ColumnInterner(Interner& all) : all_(all), slots_(64) {}
  std::int32_t add(std::string_view v) {
    if (v.empty()) return -1;
    if (last_id_ >= 0 && v == last_) return last_id_;
    const std::uint64_t h = XXH3_64bits(v.data(), v.size());
    std::size_t mask = slots_.size() - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id < 0) break;
      if (s.hash == h && s.len == v.size() && std::memcmp(arena_.data() + s.off, v.data(), v.size()) == 0) {
        remember(v, s.id);
        return s.id;
      }
    }
    const auto id = static_cast<std::int32_t>(values_.size());
    slots_[i] = {h, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(v.size()), id};
    values_.push_back({static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(v.size()), -1});
    arena_.append(v);
    if (++used_ * 2 > slots_.size()) grow();
    remember(v, id);
    return id;
  }
  std::string_view value(std::int32_t local) const {
    const Value& v = values_[static_cast<std::size_t>(local)];
    return std::string_view(arena_).substr(v.off, v.len);
  }
  // The shared id of a local one.
  std::int32_t shared(std::int32_t local) {
    if (local < 0) return -1;
    Value& v = values_[static_cast<std::size_t>(local)];
    if (v.shared < 0) v.shared = all_.add(arena_.data() + v.off, v.len);
    return v.shared;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t off = 0, len = 0;
    std::int32_t id = -1;
  };
  struct Value {
    std::uint32_t off = 0, len = 0;
    std::int32_t shared = -1;
  };
  void remember(std::string_view v, std::int32_t id) {
    last_.assign(v);
    last_id_ = id;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id < 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].id >= 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  Interner& all_;
  std::string last_;
  std::int32_t last_id_ = -1;
  std::vector<Slot> slots_;  // power-of-two size, at most half full
  std::size_t used_ = 0;
  std::vector<Value> values_;  // by local id
  std::string arena_;
};

bool contains(const std::string& hay, const std::string& needle) {
  return needle.empty() || hay.find(needle) != std::string::npos;
}

std::optional<RunStatus> status_of(std::string_view s) {
  if (s == "success") return RunStatus::Success;
  if (s == "error") return RunStatus::Error;
  if (s == "aborted") return RunStatus::Aborted;
  if (s == "running") return RunStatus::Running;
  if (s == "pending") return RunStatus::Pending;
  return std::nullopt;
}

std::optional<RunSource> source_of(std::string_view s) {
  if (s == "recorded") return RunSource::Recorded;
  if (s == "session-file") return RunSource::SessionFile;
  if (s == "import") return RunSource::Import;
  return std::nullopt;
}

using StmtPtr = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

StmtPtr prepare(sqlite3* h, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
    throw SQLite::Exception(h, sqlite3_errcode(h));
  return StmtPtr(st, sqlite3_finalize);
}

// Column readers over the C API: SQLiteCpp's Column objects cost a shared_ptr copy each,
// which was most of the load time at 100k rows x 26 columns.
struct Reader {
  sqlite3_stmt* st;
  bool null(int c) const { return sqlite3_column_type(st, c) == SQLITE_NULL; }
  std::int64_t i64(int c) const { return static_cast<std::int64_t>(sqlite3_column_int64(st, c)); }
  std::string_view text(int c) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, c)))
             : std::string_view();
  }
};

// The interned text columns of a runs SELECT, column-local ids until the rows are in order.
struct Columns {
  ColumnInterner runtime, agent, tier, issue, project, session, branch, operation, trigger, model;
  explicit Columns(Interner& all)
      : runtime(all),
        agent(all),
        tier(all),
        issue(all),
        project(all),
        session(all),
        branch(all),
        operation(all),
        trigger(all),
        model(all) {}
  // The row's interned fields, in the order of `all()`.
  static std::array<std::int32_t*, 10> fields(RunRow& r) {
    return {&r.runtime, &r.agent,  &r.tier,      &r.issue,   &r.project,
            &r.session, &r.branch, &r.operation, &r.trigger, &r.model};
  }
  std::array<ColumnInterner*, 10> all() {
    return {&runtime, &agent, &tier, &issue, &project, &session, &branch, &operation, &trigger, &model};
  }
};

// Steps a runs SELECT (the column order load_runs writes) into rows; their texts go into
// `texts`. Returns the last sqlite3_step code.
int decode_rows(sqlite3_stmt* st, Columns& c, RunTable& texts, std::vector<RunRow>& out) {
  const Reader rd{st};
  // NULL and '' both mean "not given"; text() is empty for either, so no type check.
  auto intern = [&](ColumnInterner& col, int i) -> std::int32_t { return col.add(rd.text(i)); };
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    RunRow& r = out.emplace_back();
    r.id = rd.i64(0);
    r.started_ms = rd.i64(1);
    if (!rd.null(2)) r.ended_ms = rd.i64(2);
    if (!rd.null(3))
      r.duration_ms = rd.i64(3);
    else if (r.ended_ms >= 0)
      r.duration_ms = std::max<std::int64_t>(0, r.ended_ms - r.started_ms);
    r.runtime = intern(c.runtime, 4);
    r.agent = intern(c.agent, 5);
    r.subagent = rd.i64(6) != 0;
    r.tier = intern(c.tier, 7);
    r.issue = intern(c.issue, 8);
    r.project = intern(c.project, 9);
    r.session = intern(c.session, 10);
    r.branch = intern(c.branch, 11);
    r.operation = intern(c.operation, 12);
    r.trigger = intern(c.trigger, 13);
    r.title = texts.add_text(rd.text(14));
    r.status = status_of(rd.text(15)).value_or(RunStatus::Success);
    r.error = texts.add_text(rd.text(16));
    r.model = intern(c.model, 17);
    r.tokens.input = rd.i64(18);
    r.tokens.output = rd.i64(19);
    r.tokens.cache_read = rd.i64(20);
    r.tokens.cache_write_5m = rd.i64(21);
    r.has_cost = !rd.null(22);
    r.cost_usd = r.has_cost ? sqlite3_column_double(st, 22) : 0.0;
    r.cost_computed = rd.i64(23) != 0;
    r.source = source_of(rd.text(24)).value_or(RunSource::Recorded);
    r.key = texts.add_text(rd.text(25));
  }
  return rc;
}

// The session-file errors in [since, until), by runtime and project substring.
void load_error_events(sqlite3* h, std::int64_t since, std::int64_t until, const std::string& runtime,
                       const std::string& project, std::vector<ErrorEvent>& out) {
  StmtPtr es =
      prepare(h,
              "SELECT NULL, ts_ms, runtime, session_id, project, run_key, kind, tool, status, message "
              "FROM run_errors WHERE ts_ms >= ?1 AND ts_ms < ?2 ORDER BY ts_ms, id");
  sqlite3_bind_int64(es.get(), 1, since);
  sqlite3_bind_int64(es.get(), 2, until);
  const Reader e{es.get()};
  int rc;
  while ((rc = sqlite3_step(es.get())) == SQLITE_ROW) {
    if (!runtime.empty() && e.text(2) != runtime) continue;
    if (!project.empty() && e.text(4).find(project) == std::string_view::npos) continue;
    ErrorEvent ev;  // no key: it only names the event for writers
    ev.ts_ms = e.i64(1);
    ev.runtime = std::string(e.text(2));
    ev.session_id = std::string(e.text(3));
    ev.project = std::string(e.text(4));
    ev.run_key = std::string(e.text(5));
    ev.kind = error_kind_from_name(std::string(e.text(6))).value_or(ErrorKind::ToolError);
    ev.tool = std::string(e.text(7));
    ev.status = e.null(8) ? 0 : static_cast<int>(e.i64(8));
    ev.message = std::string(e.text(9));
    out.push_back(std::move(ev));
  }
  if (rc != SQLITE_DONE) throw SQLite::Exception(h, rc);
}

}  // namespace

RunTable load_runs(SQLite::Database& db, const Config& config, const RunFilter& f) {
  return load_runs(db, config, f, LoadOptions{});
}

RunTable load_runs(SQLite::Database& db, const Config& config, const RunFilter& f, const LoadOptions& opt) {
  RunTable t;
  Interner strings;
  const std::int64_t since = f.since_ms.value_or(INT64_MIN), until = f.until_ms.value_or(INT64_MAX);
  const std::string runtime =
      f.runtime.empty() || f.runtime == "all" ? std::string() : normalize_runtime(f.runtime);
  sqlite3* h = db.getHandle();

  // Texts a report does not print are not read at all (NULL in their place).
  const char* key_col = "run_key";
  const char* title_col = "title";
  const char* error_col = "error";
  if (opt.texts == LoadOptions::Texts::ErrorRuns) {
    key_col = "CASE WHEN status = 'error' THEN run_key END";
    title_col = "NULL";
    error_col = "CASE WHEN status = 'error' THEN error END";
  } else if (opt.texts == LoadOptions::Texts::None) {
    key_col = title_col = error_col = "NULL";
  }
  // The fields the caller reads, the filters test and the attribution looks at.
  using F = LoadOptions;
  std::uint32_t need = opt.fields;
  if (!f.project.empty()) need |= F::Project;
  if (!f.model.empty()) need |= F::Model;
  if (!f.tier.empty()) need |= F::Tier;
  if (!f.issue.empty()) need |= F::Issue;
  bool rules_use_duration = false;
  for (const auto& r : config.tier_rules)
    rules_use_duration = rules_use_duration || r.min_duration_ms.has_value();
  if (need & F::Tier)
    need |=
        F::Agent | F::Model | F::Runtime | F::Project | F::Subagent | (rules_use_duration ? F::Duration : 0u);
  if (need & F::Issue) need |= F::Session | F::Branch;
  auto col = [need](std::uint32_t field, const char* expr) { return (need & field) ? expr : "NULL"; };
  // Session links only serve the attributed issue (and the phase that comes with it).
  struct LinkInfo {
    std::int32_t issue = -1, phase = -1;
  };
  std::unordered_map<std::string, LinkInfo> links;
  if (need & F::Issue) {
    SQLite::Statement q(db, "SELECT session_id, issue, phase FROM session_links");
    while (q.executeStep())
      links[q.getColumn(0).getString()] = {strings.add_column(q.getColumn(1)),
                                           strings.add_column(q.getColumn(2))};
  }

  // Without time bounds the table is read in rowid order and sorted here: walking the
  // started_ms index costs a seek into the table per row, and a store filled by ingests
  // of many files is far from rowid order.
  const bool bounded = f.since_ms || f.until_ms;
  std::string sql = "SELECT id, started_ms";
  for (const char* c : {col(F::Duration, "ended_ms"),
                        col(F::Duration, "duration_ms"),
                        col(F::Runtime, "runtime"),
                        col(F::Agent, "agent"),
                        col(F::Subagent, "subagent"),
                        col(F::Tier, "tier"),
                        col(F::Issue, "issue"),
                        col(F::Project, "project"),
                        col(F::Session, "session_id"),
                        col(F::Branch, "git_branch"),
                        col(F::Operation, "operation"),
                        col(F::Trigger, "trigger_type"),
                        title_col,
                        col(F::Status, "status"),
                        error_col,
                        col(F::Model, "model"),
                        col(F::Tokens, "input_tokens"),
                        col(F::Tokens, "output_tokens"),
                        col(F::Tokens, "cache_read_tokens"),
                        col(F::Tokens, "cache_write_tokens"),
                        col(F::Cost, "cost_usd"),
                        col(F::Cost, "cost_computed"),
                        col(F::Source, "source"),
                        key_col})
    sql.append(", ").append(c);
  sql += std::string(" FROM runs WHERE ") + (bounded ? "started_ms >= ?1 AND started_ms < ?2" : "1");
  if (!runtime.empty()) sql += " AND runtime = ?3";
  if (f.written_since_ms) sql += " AND written_ms >= ?4";
  if (!opt.ids.empty()) {
    sql += " AND id IN (";
    for (std::size_t i = 0; i < opt.ids.size(); ++i) sql += (i ? "," : "") + std::to_string(opt.ids[i]);
    sql += ")";
  }
  if (bounded) sql += " ORDER BY started_ms, id";
  auto bind = [&](sqlite3_stmt* st) {
    if (bounded) {
      sqlite3_bind_int64(st, 1, since);
      sqlite3_bind_int64(st, 2, until);
    }
    if (!runtime.empty())
      sqlite3_bind_text(st, 3, runtime.data(), static_cast<int>(runtime.size()), SQLITE_TRANSIENT);
    if (f.written_since_ms) sqlite3_bind_int64(st, 4, *f.written_since_ms);
  };

  IssueMatcher matcher(config.issue_branch_pattern);
  std::map<std::array<std::int32_t, 5>, std::int32_t>
      tier_cache;  // (agent, model, runtime, project, subagent)
  // Attributed issue per branch id and linked info per session id: the regex and the link
  // lookup run once per distinct value.
  std::unordered_map<std::int32_t, std::int32_t> issue_of_branch;
  std::unordered_map<std::int32_t, const LinkInfo*> link_of_session;

  Columns cols(strings);
  std::vector<RunRow> loaded;
  std::size_t count = 0;
  if (!bounded && !f.written_since_ms && opt.ids.empty()) {
    // With room for a sixteenth more: the window's cache adds recorded runs to this table,
    // and growing a hundred thousand rows would copy them all.
    count = static_cast<std::size_t>(
        std::max<std::int64_t>(0, db.execAndGet("SELECT count(*) FROM runs").getInt64()));
    loaded.reserve(count + count / 16 + 64);
  }
  // A whole table for a report: the upper half of the ids decodes on a second read-only
  // connection (WAL lets them read side by side), with the session-file errors after it.
  const char* file = sqlite3_db_filename(h, "main");
  const bool split = opt.parallel && count >= opt.parallel_min_rows && file && *file &&
                     std::thread::hardware_concurrency() > 1;
  std::future<void> upper;
  Interner strings_b;
  Columns cols_b(strings_b);
  RunTable upper_t;
  std::vector<RunRow> rows_b;
  std::int64_t mid_id = INT64_MAX;
  if (split) {
    SQLite::Statement q(db, "SELECT min(id), max(id) FROM runs");
    q.executeStep();
    mid_id = q.getColumn(0).getInt64() + (q.getColumn(1).getInt64() - q.getColumn(0).getInt64()) / 2;
    rows_b.reserve(count / 2 + 64);
    upper = std::async(std::launch::async, [&, path = std::string(file)] {
      sqlite3* h2 = nullptr;
      const int orc = sqlite3_open_v2(path.c_str(), &h2, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
      std::unique_ptr<sqlite3, int (*)(sqlite3*)> close(h2, sqlite3_close);
      if (orc != SQLITE_OK) throw SQLite::Exception(h2, orc);
      sqlite3_busy_timeout(h2, 5000);
      StmtPtr st2 = prepare(h2, sql + " AND id > ?5");
      bind(st2.get());
      sqlite3_bind_int64(st2.get(), 5, mid_id);
      if (int rc2 = decode_rows(st2.get(), cols_b, upper_t, rows_b); rc2 != SQLITE_DONE)
        throw SQLite::Exception(h2, rc2);
      st2.reset();
      if (opt.error_events) load_error_events(h2, since, until, runtime, f.project, upper_t.errors);
    });
  }
  {
    StmtPtr stmt = prepare(h, split ? sql + " AND id <= ?5" : sql);
    bind(stmt.get());
    if (split) sqlite3_bind_int64(stmt.get(), 5, mid_id);
    const int rc = decode_rows(stmt.get(), cols, t, loaded);
    if (rc != SQLITE_DONE) {
      if (upper.valid()) upper.wait();
      throw SQLite::Exception(h, rc);
    }
  }
  if (split) {
    upper.get();
    // The upper half's column ids and text spans, moved into the lower half's.
    const auto shift = static_cast<std::uint32_t>(t.text.size());
    t.text += upper_t.text;
    upper_t.text = {};
    const auto into = cols.all(), from = cols_b.all();
    for (RunRow& r : rows_b) {
      const auto ids = Columns::fields(r);
      for (std::size_t k = 0; k < ids.size(); ++k)
        if (*ids[k] >= 0) *ids[k] = into[k]->add(from[k]->value(*ids[k]));
      for (TextSpan* sp : {&r.key, &r.title, &r.error})
        if (sp->size) sp->offset += shift;
      loaded.push_back(std::move(r));
    }
    rows_b = {};
    t.errors = std::move(upper_t.errors);
  }

  auto earlier = [](const RunRow& a, const RunRow& b) {
    return a.started_ms != b.started_ms ? a.started_ms < b.started_ms : a.id < b.id;
  };
  if (!std::is_sorted(loaded.begin(), loaded.end(), earlier))
    std::sort(loaded.begin(), loaded.end(), earlier);

  // In start order, as the rows would have come from the index: shared ids, attribution
  // and the filters on attributed fields see the rows in the same order as ever. Rows
  // that pass are compacted in place.
  std::size_t kept = 0;
  for (std::size_t n = 0; n < loaded.size(); ++n) {
    RunRow& r = loaded[n];
    {
      const auto ids = Columns::fields(r);
      const auto in = cols.all();
      for (std::size_t k = 0; k < ids.size(); ++k) *ids[k] = in[k]->shared(*ids[k]);
    }

    r.tier_recorded = r.tier >= 0;
    if (!r.tier_recorded && (need & F::Tier)) {
      auto compute = [&] {
        TierInput in{strings.at(r.agent),
                     strings.at(r.model),
                     strings.at(r.runtime),
                     strings.at(r.project),
                     r.subagent,
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
    if (r.session >= 0 && !links.empty()) {
      auto [lit, fresh] = link_of_session.try_emplace(r.session, nullptr);
      if (fresh) {
        auto it = links.find(strings.at(r.session));
        if (it != links.end()) lit->second = &it->second;
      }
      if (const LinkInfo* link = lit->second) {
        if (!r.issue_recorded) r.issue = link->issue;
        r.phase = link->phase;
      }
    }
    if (r.issue < 0 && r.branch >= 0 && (need & F::Issue)) {
      auto [it, fresh] = issue_of_branch.try_emplace(r.branch, -1);
      if (fresh) it->second = strings.add(matcher.issue_for(strings.at(r.branch)));
      r.issue = it->second;
    }

    if (!f.project.empty() && !contains(strings.at(r.project), f.project)) continue;
    if (!f.model.empty() && !contains(strings.at(r.model), f.model)) continue;
    if (!f.tier.empty() && strings.at(r.tier) != f.tier) continue;
    if (!f.issue.empty() && strings.at(r.issue) != f.issue) continue;
    if (kept != n) loaded[kept] = std::move(r);
    ++kept;
  }
  const bool dropped = kept < loaded.size();
  loaded.resize(kept);
  t.rows = std::move(loaded);
  if (dropped) t.compact_text();

  if (opt.error_events && !split) load_error_events(h, since, until, runtime, f.project, t.errors);
  t.strings = strings.take();
  return t;
}

void RunTable::compact_text() {
  std::size_t bytes = 0;
  for (const RunRow& r : rows) bytes += r.key.size + r.title.size + r.error.size;
  std::string old;
  old.swap(text);
  text.reserve(bytes + bytes / 16);
  for (RunRow& r : rows)
    for (TextSpan* s : {&r.key, &r.title, &r.error})
      *s = add_text(std::string_view(old).substr(s->offset, s->size));
}

}  // namespace costdeck::runs
