#include "core/sources/ondemand.hpp"  // first: sets the JSON kernel for this file

#include "core/sources/codex_rollout.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "core/sources/text_scan.hpp"

namespace costdeck::sources {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// One token_count payload, as far as usage goes.
struct TokenCount {
  bool has_total = false, has_last = false;
  CodexTotals total, last;
  std::string model;
};

struct Line {
  std::string_view type;
  std::string timestamp;
  std::string payload_type;
  std::string model, session_id, cwd;
  bool has_info = false;
  TokenCount tc;
  // Read only for the turns (Parser::text set).
  std::string role, kind, reason, message;  // message: user_message / error text, cut
  std::string content;                      // a message item's text parts, joined, cut
  bool content_media = false;               // ... or an image part
  bool injected = false;                    // a text part Codex adds itself (is_codex_injected_text)
};

// Appends `s` to `dst` up to CodexLine::kMaxText bytes, cut on a UTF-8 character boundary.
void append_cut(std::string& dst, std::string_view s) {
  if (dst.size() >= CodexLine::kMaxText) return;
  std::size_t n = std::min(s.size(), CodexLine::kMaxText - dst.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  dst.append(s.substr(0, n));
}

bool starts_with_nocase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(p[i])))
      return false;
  return true;
}

class Parser {
 public:
  simdjson::error_code err = simdjson::SUCCESS;
  bool text = false;  // read the fields only the turns need (role, content, message, ...)

  bool check(simdjson::error_code e) {
    if (e && !err) err = e;
    return e != simdjson::SUCCESS;
  }

  bool str(od::value& v, std::string& dst) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::string) return false;
    std::string_view sv;
    if (check(v.get_string().get(sv))) return false;
    dst.assign(sv);
    return true;
  }

  std::int64_t count(od::value& v) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::number) return 0;
    od::number n;
    if (v.get_number().get(n)) return 0;
    if (n.get_number_type() == od::number_type::signed_integer) return n.get_int64() < 0 ? 0 : n.get_int64();
    if (n.get_number_type() == od::number_type::floating_point_number) {
      const double d = n.get_double();
      return d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
    }
    return INT64_MAX;
  }

  bool totals(od::value& v, CodexTotals& t) {
    od::object o;
    if (v.get_object().get(o)) return false;
    for (auto fr : o) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return false;
      od::value x = f.value();
      if (key == "input_tokens") t.input = count(x);
      else if (key == "cached_input_tokens" || key == "cache_read_input_tokens") t.cached = count(x);
      else if (key == "output_tokens") t.output = count(x);
      else if (key == "reasoning_output_tokens") t.reasoning = count(x);
      else if (key == "total_tokens") t.total = count(x);
    }
    return true;
  }

  // model, model_name, metadata.model: the first non-empty one.
  void model_field(std::string_view key, od::value& v, std::string& model) {
    std::string s;
    if (key == "model" || key == "model_name") {
      if (str(v, s) && model.empty()) model.assign(trim(s));
    } else if (key == "metadata") {
      od::object m;
      if (v.get_object().get(m)) return;
      for (auto fr : m) {
        od::field f;
        std::string_view k;
        if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(k))) return;
        od::value x = f.value();
        if (k == "model" && str(x, s) && model.empty()) model.assign(trim(s));
      }
    }
  }

  void info(od::value& v, Line& line) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::object) return;
    line.has_info = true;
    od::object o;
    if (check(v.get_object().get(o))) return;
    std::string info_model;
    for (auto fr : o) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value x = f.value();
      if (key == "total_token_usage") line.tc.has_total = totals(x, line.tc.total);
      else if (key == "last_token_usage") line.tc.has_last = totals(x, line.tc.last);
      else model_field(key, x, info_model);
    }
    if (line.tc.model.empty()) line.tc.model = info_model;
  }

  void payload(od::object o, Line& line) {
    std::string payload_model;
    for (auto fr : o) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value x = f.value();
      if (key == "type") str(x, line.payload_type);
      else if (key == "info") info(x, line);
      else if (key == "id") str(x, line.session_id);
      else if (key == "cwd") str(x, line.cwd);
      else if (!text || !turn_field(key, x, line))
        model_field(key, x, payload_model);
      if (err) return;
    }
    // A model on the payload wins over one inside info (as ccusage resolves it).
    if (!payload_model.empty()) line.tc.model = payload_model;
    line.model = payload_model;
  }

  // The payload fields only the turns read; false: not one of them.
  bool turn_field(std::string_view key, od::value& x, Line& line) {
    if (key == "role") {
      str(x, line.role);
    } else if (key == "kind") {
      str(x, line.kind);
    } else if (key == "reason") {
      str(x, line.reason);
    } else if (key == "message") {
      cut_str(x, line.message);
    } else if (key == "content") {
      content(x, line);
    } else {
      return false;
    }
    return true;
  }

  void cut_str(od::value& v, std::string& dst) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::string) return;
    std::string_view sv;
    if (check(v.get_string().get(sv))) return;
    dst.clear();
    append_cut(dst, sv);
  }

  // A message item's content: [{"type":"input_text","text":...}, {"type":"input_image",...}].
  void content(od::value& v, Line& line) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::array) return;
    od::array a;
    if (check(v.get_array().get(a))) return;
    for (auto er : a) {
      od::value part;
      od::object o;
      if (check(std::move(er).get(part)) || part.get_object().get(o)) continue;
      std::string type, text_buf;
      bool has_text = false;
      for (auto fr : o) {
        od::field f;
        std::string_view key;
        if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
        od::value x = f.value();
        if (key == "type") {
          str(x, type);
        } else if (key == "text") {
          std::string_view sv;
          od::json_type xt;
          if (check(x.type().get(xt)) || xt != od::json_type::string || check(x.get_string().get(sv)))
            continue;
          if (is_codex_injected_text(sv)) line.injected = true;
          text_buf.clear();
          append_cut(text_buf, sv);
          has_text = true;
        }
        if (err) return;
      }
      if (has_text) {
        if (!line.content.empty()) append_cut(line.content, " ");
        append_cut(line.content, text_buf);
      } else if (type.find("image") != std::string::npos) {
        line.content_media = true;
      }
    }
  }

  void top(od::object o, Line& line, std::string& type_buf) {
    for (auto fr : o) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value x = f.value();
      if (key == "type") {
        if (str(x, type_buf)) line.type = type_buf;
      } else if (key == "timestamp") {
        str(x, line.timestamp);
      } else if (key == "payload") {
        od::object p;
        if (!x.get_object().get(p)) payload(p, line);
      }
      if (err) return;
    }
  }
};

bool all_zero(const CodexTotals& t) { return t.input == 0 && t.cached == 0 && t.output == 0 && t.reasoning == 0; }

CodexTotals minus(const CodexTotals& a, const CodexTotals& b, bool saturate) {
  auto d = [&](std::int64_t x, std::int64_t y) { return saturate && x < y ? 0 : x - y; };
  return {d(a.input, b.input), d(a.cached, b.cached), d(a.output, b.output), d(a.reasoning, b.reasoning),
          d(a.total, b.total)};
}

UsageEvent codex_event(const CodexTotals& u, std::int64_t ts, const std::string& model, const CodexState& st,
                       const std::string& fallback_session_id, std::int64_t line_no, std::int64_t offset) {
  UsageEvent ev;
  ev.runtime = Runtime::Codex;
  ev.ts_ms = ts;
  ev.session_id = st.session_id.empty() ? fallback_session_id : st.session_id;
  ev.project = st.cwd;
  ev.model = model;
  const std::int64_t cached = std::min(u.cached, u.input);
  ev.tokens.input = u.input - cached;
  ev.tokens.cache_read = cached;
  ev.tokens.output = u.output;
  ev.reasoning_tokens = u.reasoning;
  ev.line_no = line_no;
  ev.offset = offset;
  return ev;
}

bool fail(std::string* error, std::string_view reason) {
  if (error) error->assign(reason);
  return false;
}

// What Codex writes first on every line: {"timestamp":"…","type":"…","payload":{"type":"…"
struct LineHead {
  std::string_view timestamp, type, payload_type;
};

bool line_head(std::string_view line, LineHead& h) {
  auto field = [&line](std::string_view key, std::string_view& value) {
    if (!line.starts_with(key)) return false;
    line.remove_prefix(key.size());
    const std::size_t q = line.substr(0, 64).find('"');  // short names and times, no escapes
    if (q == std::string_view::npos) return false;
    value = line.substr(0, q);
    line.remove_prefix(q + 1);
    return true;
  };
  return field("{\"timestamp\":\"", h.timestamp) && field(",\"type\":\"", h.type) &&
         field(",\"payload\":{\"type\":\"", h.payload_type);
}

// Parses one line into `l`; `text`: the fields only the turns need too.
simdjson::error_code parse_line(std::string_view line, bool text, Line& l, std::string& type_buf) {
  od::parser& parser = thread_parser();
  od::document doc;
  if (auto ec = parser.iterate(line.data(), line.size(), line.size() + kPaddingBytes).get(doc)) return ec;
  od::object obj;
  if (auto ec = doc.get_object().get(obj)) return ec;
  Parser p;
  p.text = text;
  p.top(obj, l, type_buf);
  return p.err;
}

void fill_state(CodexLine& a, const CodexState& st, const std::string& fallback_session_id) {
  a.model = st.model;
  a.session_id = st.session_id.empty() ? fallback_session_id : st.session_id;
  a.cwd = st.cwd;
}

// What a parsed line other than token_count / turn_context / session_meta means to a turn.
void classify(const Line& l, CodexLine& a) {
  const std::string& t = l.payload_type;
  if (l.type == "response_item") {
    if (t == "message") {
      if (l.role == "user" && !l.injected && (!l.content.empty() || l.content_media)) {
        a.event = CodexEvent::Prompt;
        a.text = l.content;
      } else if (l.role == "assistant") {
        a.event = CodexEvent::Output;
      }
    } else if (t != "ghost_snapshot") {  // taken as a turn starts, before the agent does anything
      a.event = CodexEvent::Output;
    }
    return;
  }
  if (l.type == "compacted") {
    a.event = CodexEvent::Output;
    return;
  }
  if (l.type != "event_msg") return;
  if (t == "user_message") {
    // Older rollouts also echo injected context as user_message, with a kind other than plain.
    if ((l.kind.empty() || l.kind == "plain") && !is_codex_injected_text(l.message)) {
      a.event = CodexEvent::Prompt;
      a.prompt_event = true;
      a.text = l.message;
    }
  } else if (t == "task_started" || t == "turn_started") {
    a.event = CodexEvent::TaskStarted;
  } else if (t == "task_complete" || t == "turn_complete") {
    a.event = CodexEvent::TaskComplete;
  } else if (t == "turn_aborted") {
    a.event = CodexEvent::Aborted;
    a.text = l.reason.empty() ? "aborted" : l.reason;
  } else if (t == "error") {
    a.event = CodexEvent::Error;
    a.text = l.message;
  } else if (t.starts_with("agent_") || t.ends_with("_end") || t == "context_compacted" ||
             t == "plan_update") {
    a.event = CodexEvent::Output;
  }
}

}  // namespace

bool is_codex_injected_text(std::string_view text) {
  static constexpr std::string_view kMarkers[] = {"<environment_context>",
                                                  "<user_instructions>",
                                                  "# AGENTS.md instructions",
                                                  "<INSTRUCTIONS>",
                                                  "<skill>",
                                                  "<skills_instructions>",
                                                  "<user_shell_command>",
                                                  "<turn_aborted>",
                                                  "<subagent_notification>",
                                                  "<hook_prompt"};
  while (!text.empty() &&
         (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' || text.front() == '\r'))
    text.remove_prefix(1);
  for (std::string_view m : kMarkers)
    if (starts_with_nocase(text, m)) return true;
  return false;
}

std::string CodexState::encode() const {
  std::string s = "codex1\n";
  auto num = [&](std::int64_t v) { s += std::to_string(v); s += '\n'; };
  auto text = [&](const std::string& v) {
    for (char c : v) s += c == '\n' ? ' ' : c;
    s += '\n';
  };
  num(has_prev ? 1 : 0);
  num(prev.input);
  num(prev.cached);
  num(prev.output);
  num(prev.reasoning);
  num(prev.total);
  text(model);
  text(session_id);
  text(cwd);
  return s;
}

CodexState CodexState::decode(std::string_view s) {
  CodexState st;
  std::string_view fields[9];
  if (!s.starts_with("codex1\n")) return st;
  s.remove_prefix(7);
  for (auto& f : fields) {
    const std::size_t nl = s.find('\n');
    if (nl == std::string_view::npos) return {};
    f = s.substr(0, nl);
    s.remove_prefix(nl + 1);
  }
  std::int64_t n[6];
  for (int i = 0; i < 6; ++i) {
    auto r = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), n[i]);
    if (r.ec != std::errc{}) return {};
  }
  st.has_prev = n[0] != 0;
  st.prev = {n[1], n[2], n[3], n[4], n[5]};
  st.model.assign(fields[6]);
  st.session_id.assign(fields[7]);
  st.cwd.assign(fields[8]);
  return st;
}

std::string codex_session_id_from_path(std::string_view path) {
  std::string_view name = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
  if (name.ends_with(".jsonl")) name.remove_suffix(6);
  if (name.size() >= 36) {
    const std::string_view tail = name.substr(name.size() - 36);
    bool uuid = true;
    for (std::size_t i = 0; i < 36; ++i) {
      const char c = tail[i];
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) uuid = false;
    }
    if (uuid) return std::string(tail);
  }
  return std::string(name);
}

std::string codex_ccusage_session_id(std::string_view sessions_dir, std::string_view path) {
  while (sessions_dir.size() > 1 && sessions_dir.back() == '/') sessions_dir.remove_suffix(1);
  std::string_view rel = path;
  if (!sessions_dir.empty() && path.starts_with(sessions_dir) && path.size() > sessions_dir.size() &&
      path[sessions_dir.size()] == '/')
    rel = path.substr(sessions_dir.size() + 1);
  const std::size_t slash = rel.find_last_of('/');
  const std::size_t dot = rel.find_last_of('.');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) rel = rel.substr(0, dot);
  return rel.empty() ? std::string("unknown") : std::string(rel);
}

bool parse_codex_line_padded(std::string_view raw, std::int64_t line_no, std::int64_t offset,
                             const std::string& fallback_session_id, CodexState& st, FileReadResult& out,
                             std::string* error, CodexLine* act) {
  if (act) {
    act->event = CodexEvent::None;
    act->prompt_event = act->has_ts = false;
    act->ts_ms = 0;
    act->line_no = line_no;
    act->text.clear();
    act->tokens = {};
  }
  const std::string_view line = trim(raw);
  if (line.empty()) return fail(error, "blank line");
  if (std::memchr(line.data(), '\0', line.size()) != nullptr) return fail(error, "NUL bytes");
  if (line.front() != '{') return fail(error, "invalid JSON: not an object");
  if (line.back() != '}') return fail(error, "invalid JSON: truncated or interleaved line");
  // Response items (the bulk of a rollout) carry no usage: skip them unparsed.
  const bool maybe_usage = contains(line, "token_count");
  const bool maybe_context = contains(line, "turn_context") || contains(line, "session_meta");
  const bool turns_only = !maybe_usage && !maybe_context;
  if (turns_only) {
    if (!act) return true;
    // Tool calls, their output and reasoning (megabytes at times): only their time matters
    // to a turn, and the head of the line says what they are. Messages and events are
    // parsed; so is any line not written the usual way.
    LineHead h;
    std::int64_t ts = 0;
    if (line_head(line, h) && h.type == "response_item" && h.payload_type != "message" &&
        parse_iso8601_ms(h.timestamp, ts)) {
      // Ghost snapshots are taken as a turn starts, before the agent does anything.
      act->event = h.payload_type == "ghost_snapshot" ? CodexEvent::None : CodexEvent::Output;
      act->ts_ms = ts;
      act->has_ts = true;
      fill_state(*act, st, fallback_session_id);
      return true;
    }
  }

  // A line is malformed or not as the usage reader alone judges it (the On-Demand parser
  // validates only what it visits): a line only the turns read never is, and the fields only
  // the turns read are parsed apart, when the line is one they need.
  Line l;
  std::string type_buf;
  if (simdjson::error_code err = parse_line(line, turns_only, l, type_buf))
    return turns_only || fail(error, std::string("invalid JSON: ") + simdjson::error_message(err));
  bool text_ok = act != nullptr;
  if (act && !turns_only && (l.type == "response_item" || l.type == "event_msg") &&
      l.payload_type != "token_count") {
    Line t;
    std::string t_type;
    text_ok = !parse_line(line, true, t, t_type);
    if (text_ok) {
      l = std::move(t);
      type_buf = std::move(t_type);
      l.type = type_buf;
    }
  }
  if (act) {
    act->has_ts = parse_iso8601_ms(l.timestamp, act->ts_ms);
    if (!act->has_ts) act->ts_ms = 0;
  }

  if (l.type == "session_meta") {
    if (!l.session_id.empty()) st.session_id = l.session_id;
    if (!l.cwd.empty()) st.cwd = l.cwd;
    return true;
  }
  if (l.type == "turn_context") {
    if (!l.model.empty()) st.model = l.model;
    if (!l.cwd.empty()) st.cwd = l.cwd;
    return true;
  }
  if (l.type != "event_msg" || l.payload_type != "token_count") {
    if (text_ok) {
      classify(l, *act);
      fill_state(*act, st, fallback_session_id);
    }
    return true;
  }
  const TokenCount& tc = l.tc;
  if (!tc.model.empty()) st.model = tc.model;
  if (act) {
    act->event = CodexEvent::Usage;
    fill_state(*act, st, fallback_session_id);
  }
  if (!tc.has_total && !tc.has_last) return true;  // info null: nothing to count
  std::int64_t ts = 0;
  if (!parse_iso8601_ms(l.timestamp, ts)) return fail(error, "token_count without a valid timestamp");

  // Ours: the increase of the cumulative total; a total that went down restarted from zero.
  // Without a total, last_token_usage is all there is.
  bool ours = false;
  CodexTotals mine;
  if (tc.has_total) {
    if (!st.has_prev) {
      mine = tc.total;
    } else {
      mine = minus(tc.total, st.prev, false);
      if (mine.input < 0 || mine.cached < 0 || mine.output < 0 || mine.reasoning < 0) mine = tc.total;
    }
    ours = !all_zero(mine);
  } else {
    mine = tc.last;
    ours = !all_zero(mine);
  }
  // ccusage 20.0.24: an unchanged total adds nothing; otherwise it takes last_token_usage
  // when given, else the per-field saturating difference of totals.
  bool theirs = false;
  CodexTotals cc;
  if (!(tc.has_total && st.has_prev && tc.total == st.prev)) {
    cc = tc.has_last ? tc.last : minus(tc.total, st.has_prev ? st.prev : CodexTotals{}, true);
    theirs = !all_zero(cc);
  }
  if (tc.has_total) {
    st.prev = tc.total;
    st.has_prev = true;
  }
  // No turn_context model yet: left empty, so reports can price it as gpt-5 and say so.
  const std::string& model = st.model;
  const bool same = ours && theirs && mine.input == cc.input && std::min(mine.cached, mine.input) == std::min(cc.cached, cc.input) &&
                    mine.output == cc.output && mine.reasoning == cc.reasoning;
  if (ours) {
    UsageEvent ev = codex_event(mine, ts, model, st, fallback_session_id, line_no, offset);
    ev.ccusage_skips = !same;
    if (act) act->tokens = ev.tokens;
    out.usage.push_back(std::move(ev));
  }
  if (theirs && !same) {
    out.ccusage_only.push_back({codex_event(cc, ts, model, st, fallback_session_id, line_no, offset), false});
  }
  return true;
}

}  // namespace costdeck::sources
