#include "core/sources/ondemand.hpp"  // first: sets the JSON kernel for this file

#include "core/sources/codex_rollout.hpp"

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
};

class Parser {
 public:
  simdjson::error_code err = simdjson::SUCCESS;

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
      else model_field(key, x, payload_model);
    }
    // A model on the payload wins over one inside info (as ccusage resolves it).
    if (!payload_model.empty()) line.tc.model = payload_model;
    line.model = payload_model;
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

}  // namespace

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
                             std::string* error) {
  const std::string_view line = trim(raw);
  if (line.empty()) return fail(error, "blank line");
  if (std::memchr(line.data(), '\0', line.size()) != nullptr) return fail(error, "NUL bytes");
  if (line.front() != '{') return fail(error, "invalid JSON: not an object");
  if (line.back() != '}') return fail(error, "invalid JSON: truncated or interleaved line");
  // Response items (the bulk of a rollout) carry no usage: skip them unparsed.
  const bool maybe_usage = contains(line, "token_count");
  const bool maybe_context = contains(line, "turn_context") || contains(line, "session_meta");
  if (!maybe_usage && !maybe_context) return true;

  od::parser& parser = thread_parser();
  od::document doc;
  if (auto ec = parser.iterate(line.data(), line.size(), line.size() + kPaddingBytes).get(doc))
    return fail(error, std::string("invalid JSON: ") + simdjson::error_message(ec));
  od::object obj;
  if (auto ec = doc.get_object().get(obj)) return fail(error, std::string("invalid JSON: ") + simdjson::error_message(ec));
  Parser p;
  Line l;
  std::string type_buf;
  p.top(obj, l, type_buf);
  if (p.err) return fail(error, std::string("invalid JSON: ") + simdjson::error_message(p.err));

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
  if (l.type != "event_msg" || l.payload_type != "token_count") return true;
  const TokenCount& tc = l.tc;
  if (!tc.model.empty()) st.model = tc.model;
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
    out.usage.push_back(std::move(ev));
  }
  if (theirs && !same) {
    out.ccusage_only.push_back({codex_event(cc, ts, model, st, fallback_session_id, line_no, offset), false});
  }
  return true;
}

}  // namespace costdeck::sources
