#include "core/runs/codex_runs.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/pricing.hpp"
#include "core/runs/price_memo.hpp"

namespace costdeck::runs {
namespace {

using nlohmann::json;
using sources::CodexEvent;
using sources::CodexLine;

constexpr const char* kTrack = "codex";
// Rollouts without a turn_context model: priced as gpt-5, as the usage reports do.
constexpr const char* kFallbackModel = "gpt-5";

// The HTTP status in a Codex error message ("unexpected status 429 Too Many Requests: ...",
// "last status: 503"); 0 when it names none.
int error_status(std::string_view text) {
  for (std::size_t p = text.find("status"); p != std::string_view::npos; p = text.find("status", p + 1)) {
    std::size_t i = p + 6;
    while (i < text.size() && (text[i] == ' ' || text[i] == ':')) ++i;
    int n = 0, digits = 0;
    while (i < text.size() && digits < 4 && text[i] >= '0' && text[i] <= '9')
      n = n * 10 + (text[i++] - '0'), ++digits;
    if (digits == 3) return n;
  }
  return 0;
}

json tokens_json(const TokenCounts& t) {
  return json{t.input, t.output, t.cache_write_5m, t.cache_write_1h, t.cache_read};
}

TokenCounts tokens_from(const json& a) {
  TokenCounts t;
  if (!a.is_array() || a.size() != 5) return t;
  t = {a[0].get<std::int64_t>(), a[1].get<std::int64_t>(), a[2].get<std::int64_t>(), a[3].get<std::int64_t>(),
       a[4].get<std::int64_t>()};
  return t;
}

struct Turn {
  std::string key, session, project, title;
  std::int64_t start_ms = 0;
  std::int64_t last_ms = -1;                       // the last line the agent wrote in the turn
  std::int64_t end_ms = -1;                        // task_complete / turn_aborted
  bool item_prompt = false, event_prompt = false;  // which copies of the prompt were seen
  bool active = false;                             // anything happened after the prompt
  bool aborted = false, error = false, model_assumed = false;
  std::string abort_reason, error_message;
  std::map<std::string, TokenCounts> tokens;  // by model

  json to_json() const {
    json t = json::object();
    for (const auto& [m, x] : tokens) t[m] = tokens_json(x);
    return json{{"key", key},
                {"session", session},
                {"project", project},
                {"title", title},
                {"start", start_ms},
                {"last", last_ms},
                {"end", end_ms},
                {"item_prompt", item_prompt},
                {"event_prompt", event_prompt},
                {"active", active},
                {"aborted", aborted},
                {"abort_reason", abort_reason},
                {"error", error},
                {"error_message", error_message},
                {"model_assumed", model_assumed},
                {"tokens", t}};
  }
  static Turn from_json(const json& j) {
    Turn t;
    t.key = j.value("key", "");
    t.session = j.value("session", "");
    t.project = j.value("project", "");
    t.title = j.value("title", "");
    t.start_ms = j.value("start", std::int64_t{0});
    t.last_ms = j.value("last", std::int64_t{-1});
    t.end_ms = j.value("end", std::int64_t{-1});
    t.item_prompt = j.value("item_prompt", false);
    t.event_prompt = j.value("event_prompt", false);
    t.active = j.value("active", false);
    t.aborted = j.value("aborted", false);
    t.abort_reason = j.value("abort_reason", "");
    t.error = j.value("error", false);
    t.error_message = j.value("error_message", "");
    t.model_assumed = j.value("model_assumed", false);
    if (auto it = j.find("tokens"); it != j.end() && it->is_object())
      for (auto m = it->begin(); m != it->end(); ++m) t.tokens[m.key()] = tokens_from(m.value());
    return t;
  }
};

Run run_of(const Turn& t, PriceMemo& prices) {
  Run r;
  r.key = t.key;
  r.source = RunSource::SessionFile;
  r.started_ms = t.start_ms;
  const std::int64_t ended = t.end_ms >= 0 ? t.end_ms : t.last_ms;
  if (ended >= t.start_ms) {
    r.ended_ms = ended;
    r.duration_ms = ended - t.start_ms;
  }
  r.runtime = "codex";
  r.operation = "turn";
  r.session_id = t.session;
  r.project = t.project;
  r.title = t.title;
  if (t.aborted) {
    r.status = RunStatus::Aborted;
  } else if (t.error) {
    r.status = RunStatus::Error;
    r.error = t.error_message;
  }
  double cost = 0;
  bool any_priced = false;
  std::int64_t best = -1;
  for (const auto& [model, tokens] : t.tokens) {
    r.tokens += tokens;
    if (tokens.total() > best) {
      best = tokens.total();
      r.model = model;
    }
    if (const ModelPrice* price = prices.find(model)) {
      cost += calculate_cost(*price, tokens, false, CostRules{});
      any_priced = true;
    }
  }
  if (any_priced) {
    r.cost_usd = cost;
    r.cost_computed = true;
  }
  json meta = json::object();
  if (t.model_assumed) meta["model_assumed"] = kFallbackModel;
  if (!t.abort_reason.empty()) meta["abort_reason"] = t.abort_reason;
  if (!meta.empty()) r.metadata = meta.dump();
  return r;
}

}  // namespace

class CodexTurnTracker::Processor {
 public:
  Processor(const std::vector<TurnState>& saved, const SessionRunOptions& opts, std::vector<Run>& runs,
            std::vector<ErrorEvent>& errors)
      : opts_(opts), runs_(runs), errors_(errors) {
    for (const TurnState& s : saved) {
      if (s.track != kTrack) continue;
      json j = json::parse(s.state, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;  // only the open turn's continuation is lost
      pending_start_ = j.value("pending_start", std::int64_t{-1});
      if (auto it = j.find("turn"); it != j.end() && it->is_object()) open_ = Turn::from_json(*it);
    }
  }

  void feed(const CodexLine& l) {
    switch (l.event) {
      case CodexEvent::None: return;
      case CodexEvent::Prompt: prompt(l); return;
      case CodexEvent::TaskStarted:
        // The next prompt's turn starts here: the time before it is the agent's, not the user's.
        if (l.has_ts) pending_start_ = l.ts_ms;
        return;
      default: break;
    }
    if (l.event == CodexEvent::Error) add_error(l, ErrorKind::ApiError, l.text);
    if (l.event == CodexEvent::Aborted)
      add_error(l, ErrorKind::Interruption, "Turn aborted (" + l.text + ")");
    if (l.event == CodexEvent::TaskComplete || l.event == CodexEvent::Aborted) pending_start_ = -1;
    if (!open_) return;
    Turn& t = *open_;
    if (t.project.empty()) t.project = l.cwd;
    switch (l.event) {
      case CodexEvent::Usage: {
        if (l.tokens.total() == 0) return;  // an unchanged total, or no info yet
        std::string model = l.model;
        if (model.empty()) {
          model = kFallbackModel;
          t.model_assumed = true;
        }
        t.tokens[model] += l.tokens;
        t.error = false;  // the model answered after the error: the turn went on
        break;
      }
      case CodexEvent::Error:
        t.error = true;
        t.error_message = l.text;
        break;
      case CodexEvent::Aborted:
        t.aborted = true;
        t.abort_reason = l.text;
        if (l.has_ts) t.end_ms = std::max(t.end_ms, l.ts_ms);
        break;
      case CodexEvent::TaskComplete:
        if (l.has_ts) t.end_ms = std::max(t.end_ms, l.ts_ms);
        break;
      default: break;
    }
    t.active = true;
    touched_ = true;
    if (l.has_ts) t.last_ms = std::max(t.last_ms, l.ts_ms);
  }

  std::vector<TurnState> finish() {
    if (open_ && touched_) emit(*open_);
    std::vector<TurnState> out;
    if (!open_ && pending_start_ < 0) return out;
    json j{{"pending_start", pending_start_}, {"turn", open_ ? open_->to_json() : json(nullptr)}};
    out.push_back({kTrack, j.dump()});
    return out;
  }

 private:
  void prompt(const CodexLine& l) {
    if (open_ && !open_->active && !(l.prompt_event ? open_->event_prompt : open_->item_prompt)) {
      // The other copy of the prompt that opened this turn.
      (l.prompt_event ? open_->event_prompt : open_->item_prompt) = true;
      return;
    }
    if (open_) {
      emit(*open_);
      open_.reset();
    }
    Turn t;
    const std::string when = l.has_ts ? std::to_string(l.ts_ms) : "L" + std::to_string(l.line_no);
    t.key = "cx:" + l.session_id + ":" + when;
    t.session = l.session_id;
    t.project = l.cwd;
    t.start_ms = pending_start_ >= 0 && (!l.has_ts || pending_start_ <= l.ts_ms) ? pending_start_ : l.ts_ms;
    pending_start_ = -1;
    (l.prompt_event ? t.event_prompt : t.item_prompt) = true;
    if (opts_.store_prompt_text) t.title = title_from_text(l.text, opts_.title_words);
    open_ = std::move(t);
    touched_ = true;
  }

  void emit(const Turn& t) {
    // A prompt nothing followed yet is not a run (the agent has not started on it).
    if (!t.active) return;
    runs_.push_back(run_of(t, prices_));
  }

  void add_error(const CodexLine& l, ErrorKind kind, std::string message) {
    ErrorEvent e;
    e.key = "cx:" + l.session_id + ":" + std::to_string(l.ts_ms) + ":" + std::to_string(l.line_no);
    e.ts_ms = l.ts_ms;
    e.runtime = "codex";
    e.session_id = l.session_id;
    e.project = l.cwd;
    if (open_) e.run_key = open_->key;
    e.kind = kind;
    e.status = kind == ErrorKind::ApiError ? error_status(l.text) : 0;
    e.message = message.empty() ? std::string(error_kind_name(kind)) : std::move(message);
    errors_.push_back(std::move(e));
  }

  SessionRunOptions opts_;
  PriceMemo prices_;
  std::optional<Turn> open_;
  std::int64_t pending_start_ = -1;  // task_started seen, its prompt not yet
  bool touched_ = false;
  std::vector<Run>& runs_;
  std::vector<ErrorEvent>& errors_;
};

CodexTurnTracker::CodexTurnTracker(const std::vector<TurnState>& saved, const SessionRunOptions& opts) {
  processor_ = std::make_unique<Processor>(saved, opts, result_.runs, result_.errors);
}
CodexTurnTracker::CodexTurnTracker(const std::vector<TurnState>& saved)
    : CodexTurnTracker(saved, default_session_run_options()) {}
CodexTurnTracker::~CodexTurnTracker() = default;

void CodexTurnTracker::feed(const CodexLine& line) {
  processor_->feed(line);
  result_.fed = true;
}

FileActivity CodexTurnTracker::finish() {
  result_.open = processor_->finish();
  return std::move(result_);
}

}  // namespace costdeck::runs
