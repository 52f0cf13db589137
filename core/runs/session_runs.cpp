#include "core/runs/session_runs.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "core/pricing.hpp"
#include "core/runs/price_memo.hpp"
#include "core/runs/run.hpp"
#include "core/runs/run_store.hpp"
#include "core/sources/text_scan.hpp"

namespace costdeck::runs {
namespace {

using nlohmann::json;
using sources::ClaudeLine;

constexpr std::string_view kInterruptMarker = "[Request interrupted by user";
constexpr std::string_view kRejectMarker = "The user doesn't want to proceed with this tool use";

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  return s;
}

struct Response {
  TokenCounts tokens;
  std::string model;
  std::optional<double> cost_usd;
};

struct Turn {
  std::string key, session, project, branch, agent_id, title;
  bool subagent = false;
  std::int64_t start_ms = 0, last_assistant_ms = -1, duration_ms = -1;
  bool interrupted = false, api_error = false;
  std::string api_error_message;
  std::map<std::string, Response> responses;  // by message.id: one response counts once
  std::map<std::string, std::string> tools;   // tool_use id -> tool name

  json to_json() const {
    json r = json::object();
    for (const auto& [id, x] : responses)
      r[id] = json{x.tokens.input,
                   x.tokens.output,
                   x.tokens.cache_write_5m,
                   x.tokens.cache_write_1h,
                   x.tokens.cache_read,
                   x.model,
                   x.cost_usd ? json(*x.cost_usd) : json(nullptr)};
    return json{{"key", key},
                {"session", session},
                {"project", project},
                {"branch", branch},
                {"agent_id", agent_id},
                {"title", title},
                {"subagent", subagent},
                {"start", start_ms},
                {"last", last_assistant_ms},
                {"duration", duration_ms},
                {"interrupted", interrupted},
                {"api_error", api_error},
                {"api_error_message", api_error_message},
                {"responses", r},
                {"tools", tools}};
  }
  static Turn from_json(const json& j) {
    Turn t;
    t.key = j.value("key", "");
    t.session = j.value("session", "");
    t.project = j.value("project", "");
    t.branch = j.value("branch", "");
    t.agent_id = j.value("agent_id", "");
    t.title = j.value("title", "");
    t.subagent = j.value("subagent", false);
    t.start_ms = j.value("start", std::int64_t{0});
    t.last_assistant_ms = j.value("last", std::int64_t{-1});
    t.duration_ms = j.value("duration", std::int64_t{-1});
    t.interrupted = j.value("interrupted", false);
    t.api_error = j.value("api_error", false);
    t.api_error_message = j.value("api_error_message", "");
    if (j.contains("responses"))
      for (auto it = j["responses"].begin(); it != j["responses"].end(); ++it) {
        const auto& a = it.value();
        Response r;
        r.tokens = {a[0].get<std::int64_t>(), a[1].get<std::int64_t>(), a[2].get<std::int64_t>(),
                    a[3].get<std::int64_t>(), a[4].get<std::int64_t>()};
        r.model = a[5].get<std::string>();
        if (!a[6].is_null()) r.cost_usd = a[6].get<double>();
        t.responses.emplace(it.key(), std::move(r));
      }
    if (j.contains("tools")) t.tools = j["tools"].get<std::map<std::string, std::string>>();
    return t;
  }
};

std::string line_text(const ClaudeLine& l) {
  std::string s;
  for (const auto& b : l.content)
    if (b.type == "text") {
      if (!s.empty()) s += ' ';
      s += b.text;
    }
  return s;
}

int api_status(std::string_view text) {
  auto p = text.find("API Error: ");
  if (p == std::string_view::npos) return 0;
  int n = 0, digits = 0;
  for (std::size_t i = p + 11; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 3;
       ++i, ++digits)
    n = n * 10 + (text[i] - '0');
  return digits == 3 ? n : 0;
}

Run run_of(const Turn& t, std::int64_t file_id, PriceMemo& prices) {
  Run r;
  r.key = t.key;
  r.source = RunSource::SessionFile;
  r.file_id = file_id;
  r.started_ms = t.start_ms;
  if (t.duration_ms >= 0)
    r.duration_ms = t.duration_ms;
  else if (t.last_assistant_ms >= t.start_ms)
    r.duration_ms = t.last_assistant_ms - t.start_ms;
  if (r.duration_ms) r.ended_ms = r.started_ms + *r.duration_ms;
  r.runtime = "claude-code";
  r.subagent = t.subagent;
  r.operation = t.subagent ? "agent execution" : "turn";
  r.session_id = t.session;
  r.project = t.project;
  r.git_branch = t.branch;
  r.title = t.title;
  if (t.interrupted) {
    r.status = RunStatus::Aborted;
  } else if (t.api_error) {
    r.status = RunStatus::Error;
    r.error = t.api_error_message;
  }
  std::map<std::string, std::int64_t> by_model;
  double cost = 0;
  bool any_priced = false;
  for (const auto& [id, resp] : t.responses) {
    r.tokens += resp.tokens;
    by_model[resp.model] += resp.tokens.total();
    // As fill_computed_cost on a run of this one response.
    std::optional<double> one_cost = resp.cost_usd;
    bool one_computed = false;
    if (!one_cost && !resp.model.empty())
      if (const ModelPrice* price = prices.find(resp.model)) {
        one_cost = calculate_cost(*price, resp.tokens, false, CostRules{});
        one_computed = true;
      }
    if (one_cost) {
      cost += *one_cost;
      any_priced = true;
      r.cost_computed = r.cost_computed || one_computed;
    }
  }
  if (any_priced) r.cost_usd = cost;
  std::int64_t best = -1;
  for (const auto& [m, n] : by_model)
    if (n > best) {
      best = n;
      r.model = m;
    }
  if (!t.agent_id.empty()) r.metadata = json{{"agent_id", t.agent_id}}.dump();
  return r;
}

}  // namespace

// The turns of one file's new lines. Touches no database: the ingest runs one per file on
// its reader threads and hands the result to the writer.
class TurnTracker::Processor {
 public:
  // Runs and error events are appended to `runs` / `errors`; file_id is left 0.
  Processor(const std::vector<TurnState>& saved, PriceMemo& prices, const SessionRunOptions& opts,
            std::vector<Run>& runs, std::vector<ErrorEvent>& errors)
      : prices_(prices), file_id_(0), opts_(opts), runs_(runs), errors_(errors) {
    for (const TurnState& t : saved) {
      json j = json::parse(t.state, nullptr, false);
      if (j.is_discarded()) continue;  // a state we cannot read only loses the open turn's continuation
      auto [it, added] = open_.emplace(t.track, Turn::from_json(j));
      if (added)
        for (const auto& r : it->second.responses) claims_.try_emplace(r.first, t.track);
    }
  }

  void feed(const ClaudeLine& l) {
    const std::string track = l.sidechain ? "side:" + l.agent_id : "main";
    Turn* turn = nullptr;
    if (auto it = open_.find(track); it != open_.end()) turn = &it->second;

    if (l.type == "user") {
      if (is_real_prompt(l)) {
        if (turn) close(track);
        Turn t;
        t.key = "cc:" + (l.uuid.empty() ? l.session_id + ":" + std::to_string(l.ts_ms) : l.uuid);
        t.session = l.session_id;
        t.project = l.cwd;
        t.branch = l.git_branch;
        t.agent_id = l.agent_id;
        t.subagent = l.sidechain;
        t.start_ms = l.ts_ms;
        if (opts_.store_prompt_text) t.title = title_from_prompt(l, opts_.title_words);
        open_[track] = std::move(t);
        touched_[track] = true;
        return;
      }
      user_errors(l, turn);
      if (turn) touched_[track] = true;
      return;
    }
    if (l.type == "assistant") {
      if (l.is_api_error) {
        std::string text = line_text(l);
        add_error(l, 0, ErrorKind::ApiError, "", api_status(text), text);
        if (turn) {
          turn->api_error = true;
          turn->api_error_message = text;
        }
      }
      if (!turn) return;
      touched_[track] = true;
      if (l.has_ts) turn->last_assistant_ms = std::max(turn->last_assistant_ms, l.ts_ms);
      if (turn->branch.empty()) turn->branch = l.git_branch;
      if (turn->project.empty()) turn->project = l.cwd;
      for (const auto& b : l.content)
        if (b.type == "tool_use" && !b.tool_use_id.empty()) turn->tools[b.tool_use_id] = b.tool_name;
      if (l.is_api_error || !l.has_usage) return;
      turn->api_error = false;  // a later good response means the turn went on
      const std::string id = !l.message_id.empty() ? l.message_id : "req:" + l.request_id;
      if (!claim(id, track)) return;
      auto& resp = turn->responses[id];
      if (l.tokens.total() >= resp.tokens.total() || resp.model.empty()) {
        resp.tokens = l.tokens;
        resp.model = l.model;
        resp.cost_usd = l.cost_usd;
      }
      return;
    }
    if (l.type == "system" && l.subtype == "turn_duration" && turn && l.duration_ms >= 0) {
      turn->duration_ms = l.duration_ms;
      touched_[track] = true;
    }
  }

  // Emits the open turns touched by this read; returns the open turns' state.
  std::vector<TurnState> finish() {
    for (auto& [track, t] : open_)
      if (touched_.count(track)) emit(t);
    std::vector<TurnState> out;
    out.reserve(open_.size());
    for (const auto& [track, t] : open_) out.push_back({track, t.to_json().dump()});
    return out;
  }

 private:
  void close(const std::string& track) {
    auto it = open_.find(track);
    emit(it->second);  // closing by a new prompt changes nothing in it, but it must be final
    for (const auto& r : it->second.responses) {
      auto c = claims_.find(r.first);
      if (c != claims_.end() && c->second == track) claims_.erase(c);
    }
    open_.erase(it);
    touched_.erase(track);
  }

  // Whether `track`'s turn counts response `id`. A /btw side question replays a main-thread
  // response in a sidechain (same message.id): one response counts in one turn, the main
  // thread's. A replay comes while the turn that counted the response is open (turns close
  // only at their thread's next prompt), so the open turns' responses are all it is checked
  // against, and the runs do not depend on where reads of the file begin and end.
  bool claim(const std::string& id, const std::string& track) {
    auto [c, fresh] = claims_.try_emplace(id, track);
    if (fresh || c->second == track) return true;
    if (track != "main") return false;
    if (auto side = open_.find(c->second); side != open_.end()) {
      side->second.responses.erase(id);
      touched_[c->second] = true;
    }
    c->second = track;
    return true;
  }

  void emit(const Turn& t) {
    // A prompt nothing answered and nobody interrupted was a local command (/clear, /model).
    if (t.responses.empty() && t.last_assistant_ms < 0 && !t.interrupted && t.duration_ms < 0) return;
    runs_.push_back(run_of(t, file_id_, prices_));
  }

  void user_errors(const ClaudeLine& l, Turn* turn) {
    for (std::size_t i = 0; i < l.content.size(); ++i) {
      const auto& b = l.content[i];
      std::string_view text = trim_left(b.text);
      if (starts_with(text, kInterruptMarker)) {
        if (turn) turn->interrupted = true;
        add_error(l, i, ErrorKind::Interruption, "", 0, std::string(text));
        continue;
      }
      if (b.type != "tool_result" || !b.is_error) continue;
      std::string tool;
      if (turn) {
        auto it = turn->tools.find(b.tool_use_id);
        if (it != turn->tools.end()) tool = it->second;
      }
      ErrorKind kind =
          text.find(kRejectMarker) != std::string_view::npos ? ErrorKind::Rejection : ErrorKind::ToolError;
      add_error(l, i, kind, tool, 0, std::string(text));
    }
  }

  void add_error(const ClaudeLine& l, std::size_t block, ErrorKind kind, std::string tool, int status,
                 std::string message) {
    ErrorEvent e;
    e.key = "cc:" + (l.uuid.empty() ? l.session_id + ":" + std::to_string(l.ts_ms) : l.uuid) + ":" +
            std::to_string(block);
    e.ts_ms = l.ts_ms;
    e.session_id = l.session_id;
    e.project = l.cwd;
    auto it = open_.find(l.sidechain ? "side:" + l.agent_id : "main");
    if (it != open_.end()) e.run_key = it->second.key;
    e.kind = kind;
    e.tool = std::move(tool);
    e.status = status;
    e.message = message.empty() ? std::string(error_kind_name(kind)) : std::move(message);
    errors_.push_back(std::move(e));
  }

  PriceMemo& prices_;
  std::int64_t file_id_;
  const SessionRunOptions& opts_;
  std::map<std::string, Turn> open_;
  std::map<std::string, bool> touched_;
  std::unordered_map<std::string, std::string> claims_;  // response id -> the track that counts it
  std::vector<Run>& runs_;
  std::vector<ErrorEvent>& errors_;
};

bool is_real_prompt(const ClaudeLine& l) {
  if (l.type != "user" || l.is_meta || l.is_compact_summary) return false;
  bool any_text = false;
  for (const auto& b : l.content) {
    if (b.type == "tool_result") return false;
    if (b.type != "text" && b.type != "image") continue;
    std::string_view t = trim_left(b.text);
    if (b.type == "image") {
      any_text = true;
      continue;
    }
    if (t.empty()) continue;
    if (starts_with(t, kInterruptMarker)) return false;
    // Echoes of local slash commands, not prompts to the model.
    if (starts_with(t, "<local-command-stdout>") || starts_with(t, "<local-command-stderr>") ||
        starts_with(t, "<local-command-caveat>") ||
        starts_with(t, "Caveat: The messages below were generated"))
      return false;
    any_text = true;
  }
  return any_text;
}

std::string title_from_prompt(const ClaudeLine& l, int words) {
  std::string text = line_text(l);
  // A slash command's prompt line names the command: show that, not the markup.
  if (auto p = text.find("<command-name>"); p != std::string::npos) {
    auto e = text.find("</command-name>", p);
    if (e != std::string::npos) {
      std::string cmd = text.substr(p + 14, e - p - 14);
      auto ap = text.find("<command-args>");
      auto ae = text.find("</command-args>");
      if (ap != std::string::npos && ae != std::string::npos && ae > ap)
        cmd += " " + text.substr(ap + 14, ae - ap - 14);
      text = cmd;
    }
  }
  return title_from_text(text, words);
}

std::string title_from_text(std::string_view text, int words) {
  std::string out;
  int n = 0;
  std::size_t i = 0;
  while (i < text.size() && n < words) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t s = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == s) break;
    if (!out.empty()) out += ' ';
    out.append(text, s, i - s);
    ++n;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i < text.size()) out += "…";
  sources::cut_utf8(out, 200);
  return out;
}

namespace {
SessionRunOptions& default_options() {
  static SessionRunOptions o;
  return o;
}
}  // namespace

const SessionRunOptions& default_session_run_options() {
  return default_options();
}

void set_default_session_run_options(const SessionRunOptions& opts) {
  default_options() = opts;
}

TurnTracker::TurnTracker(const std::vector<TurnState>& saved, const SessionRunOptions& opts)
    : opts_(opts), prices_(std::make_unique<PriceMemo>()) {
  processor_ = std::make_unique<Processor>(saved, *prices_, opts_, result_.runs, result_.errors);
}
TurnTracker::TurnTracker(const std::vector<TurnState>& saved) : TurnTracker(saved, default_options()) {}
TurnTracker::~TurnTracker() = default;

void TurnTracker::feed(const ClaudeLine& line) {
  processor_->feed(line);
  result_.fed = true;
}

FileActivity TurnTracker::finish() {
  result_.open = processor_->finish();
  return std::move(result_);
}

std::vector<TurnState> load_turn_state(SQLite::Database& db, std::int64_t file_id) {
  SQLite::Statement q(db, "SELECT track, state FROM run_turn_state WHERE file_id = ?1");
  q.bind(1, static_cast<std::int64_t>(file_id));
  std::vector<TurnState> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString()});
  return out;
}

void ingest_session_activity(SQLite::Database& db, std::int64_t file_id,
                             const std::vector<ClaudeLine>& lines) {
  ingest_session_activity(db, file_id, lines, default_options());
}

void ingest_session_activity(SQLite::Database& db, std::int64_t file_id, const std::vector<ClaudeLine>& lines,
                             const SessionRunOptions& opts) {
  if (lines.empty()) return;
  ActivityBatch batch(db, opts);
  batch.file(file_id, lines);
  batch.flush();
}

void reset_session_activity(SQLite::Database& db, std::int64_t file_id) {
  SQLite::Statement del(db, "DELETE FROM run_turn_state WHERE file_id = ?1");
  del.bind(1, static_cast<std::int64_t>(file_id));
  del.exec();
}

// Statements prepared once and reused for every file (preparing them per file cost more
// than the work itself on a cold ingest of thousands of files).
struct ActivityBatch::Impl {
  Impl(SQLite::Database& d, const SessionRunOptions& o)
      : db(d),
        opts(o),
        del(d, "DELETE FROM run_turn_state WHERE file_id = ?1"),
        ins(d, "INSERT INTO run_turn_state (file_id, track, state) VALUES (?1, ?2, ?3)") {}
  SQLite::Database& db;
  SessionRunOptions opts;
  SQLite::Statement del, ins;
  std::vector<Run> runs;
  std::vector<ErrorEvent> errors;
};

ActivityBatch::ActivityBatch(SQLite::Database& db) : ActivityBatch(db, default_options()) {}
ActivityBatch::ActivityBatch(SQLite::Database& db, const SessionRunOptions& opts)
    : impl_(std::make_unique<Impl>(db, opts)) {}
ActivityBatch::~ActivityBatch() = default;

void ActivityBatch::file(std::int64_t file_id, const std::vector<ClaudeLine>& lines) {
  if (lines.empty()) return;
  TurnTracker t(load_turn_state(impl_->db, file_id), impl_->opts);
  for (const auto& l : lines) t.feed(l);
  file(file_id, t.finish());
}

void ActivityBatch::file(std::int64_t file_id, FileActivity&& a) {
  if (!a.fed) return;
  for (Run& r : a.runs) {
    r.file_id = file_id;
    impl_->runs.push_back(std::move(r));
  }
  for (ErrorEvent& e : a.errors) impl_->errors.push_back(std::move(e));
  SQLite::Statement& del = impl_->del;
  del.bind(1, static_cast<std::int64_t>(file_id));
  del.exec();
  del.reset();
  SQLite::Statement& ins = impl_->ins;
  for (const TurnState& t : a.open) {
    ins.bind(1, static_cast<std::int64_t>(file_id));
    ins.bind(2, t.track);
    ins.bind(3, t.state);
    ins.exec();
    ins.reset();
  }
}

void ActivityBatch::reset(std::int64_t file_id) {
  SQLite::Statement& del = impl_->del;
  del.bind(1, static_cast<std::int64_t>(file_id));
  del.exec();
  del.reset();
}

void ActivityBatch::flush() {
  // In file order, as per-file writes would have been: a run key seen in two files of the
  // batch ends as the later file left it.
  if (!impl_->runs.empty()) upsert_runs(impl_->db, impl_->runs);
  if (!impl_->errors.empty()) upsert_error_events(impl_->db, impl_->errors);
  discard();
}

void ActivityBatch::discard() {
  impl_->runs.clear();
  impl_->errors.clear();
}

}  // namespace costdeck::runs
