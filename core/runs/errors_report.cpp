// The errors report: messages normalised into patterns (numbers, ids, paths, quoted values
// folded) and grouped by kind and source, with API errors by status and tool errors by tool.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/runs/analytics.hpp"

namespace costdeck::runs {
namespace {

// ASCII classes, inline: what <cctype> answers in the C locale, without a call per byte
// (normalising is most of the report's time at all time).
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_xdigit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

bool is_hex_run(std::string_view s, std::size_t i, std::size_t& end) {
  std::size_t j = i, hex_letters = 0, digits = 0;
  while (j < s.size() && (is_xdigit(s[j]) || s[j] == '-')) {
    if (is_digit(s[j]))
      ++digits;
    else if (s[j] != '-')
      ++hex_letters;
    ++j;
  }
  end = j;
  // An id: long, and mixing digits and letters (a plain word like "deadbeef" stays).
  return j - i >= 8 && digits > 0 && hex_letters > 0;
}

bool word_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '_';
}

}  // namespace

std::string normalize_error(std::string_view s) {
  std::string out;
  normalize_error_into(s, out);
  return out;
}

void normalize_error_into(std::string_view s, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size() && out.size() < 400) {
    char c = s[i];
    // Quoted values: "..." '...' `...`
    if (c == '"' || c == '\'' || c == '`') {
      std::size_t j = s.find(c, i + 1);
      // An apostrophe inside a word (don't) is not a quote.
      bool apostrophe = c == '\'' && i > 0 && word_char(s[i - 1]);
      if (!apostrophe && j != std::string_view::npos && j - i <= 200) {
        out += "<str>";
        i = j + 1;
        continue;
      }
    }
    // URLs
    if (c == 'h' && (s.substr(i, 7) == "http://" || s.substr(i, 8) == "https://")) {
      while (i < s.size() && !is_space(s[i]) && s[i] != '"' && s[i] != ')') ++i;
      out += "<url>";
      continue;
    }
    // Paths: /a/b, ./a, ~/a, C:\a
    bool path_start = (c == '/' && i + 1 < s.size() && (word_char(s[i + 1]) || s[i + 1] == '.')) ||
                      (c == '~' && i + 1 < s.size() && s[i + 1] == '/') ||
                      (c == '.' && i + 1 < s.size() && s[i + 1] == '/');
    if (path_start && (i == 0 || !word_char(s[i - 1]))) {
      while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != ')' && s[i] != ']' && s[i] != '"' &&
             s[i] != '\'' && !(s[i] == ':' && i + 1 < s.size() && s[i + 1] == ' '))
        ++i;
      out += "<path>";
      continue;
    }
    // Ids (uuids, hashes, request ids) and numbers, only at a word start.
    if (i == 0 || !word_char(s[i - 1])) {
      std::size_t end;
      if (is_hex_run(s, i, end) && (end == s.size() || !word_char(s[end]))) {
        out += "<id>";
        i = end;
        continue;
      }
      if (is_digit(c)) {
        std::size_t j = i;
        auto digit = [&](std::size_t k) { return k < s.size() && is_digit(s[k]); };
        // 1,234.5 is one number; "3, 4" and a sentence's final "3." are not.
        while (digit(j) || ((s[j] == '.' || s[j] == ',') && digit(j + 1))) ++j;
        // Units glued to numbers (30s, 12ms, 4KB) fold with the number.
        while (j < s.size() && is_alpha(s[j]) && j - i < 12) ++j;
        out += "<n>";
        i = j;
        continue;
      }
      // Identifiers with digits in them (req_011CTx..., toolu_01AB...) are ids too.
      std::size_t j = i;
      bool has_digit = false, has_alpha = false;
      while (j < s.size() && (word_char(s[j]) || s[j] == '-')) {
        has_digit = has_digit || is_digit(s[j]);
        has_alpha = has_alpha || is_alpha(s[j]);
        ++j;
      }
      if (j - i >= 12 && has_digit && has_alpha) {
        out += "<id>";
        i = j;
        continue;
      }
    }
    // Whitespace runs collapse to one space.
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      ++i;
      continue;
    }
    out += c;
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
}

ErrorsReport errors_report(const RunTable& t, std::size_t max_occurrences) {
  ErrorsReport rep;
  // Tens of thousands of errors at all time fold into a few thousand patterns: each distinct
  // message is normalised once, patterns are found by number, and an occurrence is kept as
  // a reference to its error until the few shown are copied out at the end.
  struct Ref {
    std::int64_t ts_ms;
    std::uint32_t at;  // index into t.errors, or into t.rows with kRowBit set
  };
  constexpr std::uint32_t kRowBit = 0x8000'0000u;
  struct Acc {
    std::int32_t pattern = 0, source = 0;
    ErrorKind kind = ErrorKind::ToolError;
    std::int64_t count = 0, first_ms = 0, last_ms = 0;
    std::uint32_t example = 0;
    std::vector<Ref> refs;
  };
  // Patterns are looked up by a view of the one reused buffer they are normalised into, and
  // copied only when new.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::vector<std::string> pattern_text;
  std::unordered_map<std::string_view, std::int32_t> pattern_of_message;
  std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> pattern_id;
  std::string norm;
  std::vector<std::string_view> source_text;
  std::unordered_map<std::string_view, std::int32_t> source_id;
  std::unordered_map<std::uint64_t, std::size_t> slot;  // kind, source, pattern -> accs
  std::vector<Acc> accs;
  std::map<std::string, std::int64_t> api_status, tools;

  auto add = [&](std::int64_t ts, ErrorKind kind, std::string_view source, std::string_view message,
                 std::uint32_t at) {
    auto pm = pattern_of_message.find(message);
    if (pm == pattern_of_message.end()) {
      normalize_error_into(message, norm);
      auto pi = pattern_id.find(std::string_view(norm));
      if (pi == pattern_id.end()) {
        pi = pattern_id.emplace(norm, static_cast<std::int32_t>(pattern_text.size())).first;
        pattern_text.push_back(norm);
      }
      pm = pattern_of_message.emplace(message, pi->second).first;
    }
    auto [si, new_source] = source_id.try_emplace(source, static_cast<std::int32_t>(source_text.size()));
    if (new_source) source_text.push_back(source);
    const std::uint64_t key = (static_cast<std::uint64_t>(kind) << 56) |
                              (static_cast<std::uint64_t>(static_cast<std::uint32_t>(si->second)) << 32) |
                              static_cast<std::uint32_t>(pm->second);
    auto [it, fresh] = slot.try_emplace(key, accs.size());
    if (fresh) {
      Acc& n = accs.emplace_back();
      n.pattern = pm->second;
      n.source = si->second;
      n.kind = kind;
      n.first_ms = n.last_ms = ts;
      n.example = at;
    }
    Acc& p = accs[it->second];
    p.count++;
    p.first_ms = std::min(p.first_ms, ts);
    if (ts >= p.last_ms) {
      p.last_ms = ts;
      p.example = at;
    }
    p.refs.push_back({ts, at});
    rep.total++;
  };

  // Every message may be distinct: sized once instead of rehashed as they come.
  pattern_of_message.reserve(t.errors.size() + t.rows.size() / 8);
  slot.reserve(t.errors.size() / 2);
  static const std::string kUnknownTool = "(unknown tool)", kNoMessage = "(no message)";
  for (std::size_t i = 0; i < t.errors.size(); ++i) {
    const ErrorEvent& e = t.errors[i];
    const std::string& source = e.kind == ErrorKind::ToolError || e.kind == ErrorKind::Rejection
                                    ? (e.tool.empty() ? kUnknownTool : e.tool)
                                    : e.runtime;
    add(e.ts_ms, e.kind, source, e.message, static_cast<std::uint32_t>(i));
    switch (e.kind) {
      case ErrorKind::ApiError: {
        rep.api_errors++;
        std::string key = e.status                                             ? std::to_string(e.status)
                          : e.message.find("timed out") != std::string::npos   ? "timeout"
                          : e.message.find("usage limit") != std::string::npos ? "usage limit"
                                                                               : "other";
        api_status[key]++;
        break;
      }
      case ErrorKind::ToolError:
        rep.tool_errors++;
        tools[source]++;
        break;
      case ErrorKind::Interruption: rep.interruptions++; break;
      case ErrorKind::Rejection: rep.rejections++; break;
      case ErrorKind::RunError: rep.run_errors++; break;
    }
  }
  // Recorded runs that failed; session-file turns in error are already API error events.
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const RunRow& r = t.rows[i];
    if (r.status != RunStatus::Error || r.source == RunSource::SessionFile) continue;
    rep.run_errors++;
    add(r.started_ms, ErrorKind::RunError, t.str(r.runtime), r.error.size ? t.text_of(r.error) : kNoMessage,
        static_cast<std::uint32_t>(i) | kRowBit);
  }
  auto message_of = [&](std::uint32_t at) -> std::string_view {
    if (!(at & kRowBit)) return t.errors[at].message;
    const RunRow& r = t.rows[at & ~kRowBit];
    return r.error.size ? t.text_of(r.error) : std::string_view(kNoMessage);
  };
  auto occurrence = [&](const Ref& ref) {
    ErrorOccurrence o;
    o.ts_ms = ref.ts_ms;
    o.message = std::string(message_of(ref.at));
    if (ref.at & kRowBit) {
      const RunRow& r = t.rows[ref.at & ~kRowBit];
      o.session = t.str(r.session);
      o.run_key = std::string(t.text_of(r.key));
    } else {
      o.session = t.errors[ref.at].session_id;
      o.run_key = t.errors[ref.at].run_key;
    }
    return o;
  };
  rep.patterns.reserve(accs.size());
  for (Acc& a : accs) {
    ErrorPattern& p = rep.patterns.emplace_back();
    p.pattern = pattern_text[static_cast<std::size_t>(a.pattern)];
    p.kind = error_kind_name(a.kind);
    p.source = std::string(source_text[static_cast<std::size_t>(a.source)]);
    p.count = a.count;
    p.first_ms = a.first_ms;
    p.last_ms = a.last_ms;
    // Refs are in visiting order: the stable sort keeps it among equal times.
    std::stable_sort(a.refs.begin(), a.refs.end(),
                     [](const Ref& x, const Ref& y) { return x.ts_ms > y.ts_ms; });
    const std::size_t n = std::min(a.refs.size(), max_occurrences);
    p.occurrences.reserve(n);
    for (std::size_t k = 0; k < n; ++k) p.occurrences.push_back(occurrence(a.refs[k]));
    p.example = std::string(message_of(a.example));
    a.refs = {};
  }
  std::sort(rep.patterns.begin(), rep.patterns.end(), [](const ErrorPattern& a, const ErrorPattern& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.last_ms != b.last_ms) return a.last_ms > b.last_ms;
    return a.pattern < b.pattern;
  });
  for (auto& [k, n] : api_status) rep.api_by_status.push_back({k, n});
  for (auto& [k, n] : tools) rep.tool_by_tool.push_back({k, n});
  auto by_count = [](const CountBy& a, const CountBy& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  };
  std::sort(rep.api_by_status.begin(), rep.api_by_status.end(), by_count);
  std::sort(rep.tool_by_tool.begin(), rep.tool_by_tool.end(), by_count);
  return rep;
}

}  // namespace costdeck::runs
