#include "core/sources/ondemand.hpp"  // first: sets the JSON kernel for this file

#include "core/sources/claude_line.hpp"

#include <cstring>

#include "core/sources/text_scan.hpp"

// Deduplication is the store's job, not this file's: a response is written on several lines
// (and files) with the same message.id + requestId. The store keeps one copy per response:
// the non-sidechain copy first, then the largest input+output+cache-write+cache-read, ties to
// the first in (file path, offset) order; the kept copy's timestamp decides the day. A
// sidechain copy with the same message.id and another requestId (a /btw replay) is also a
// duplicate. Events without a message.id are never deduplicated.

namespace costdeck::sources {
namespace {

enum class Kind : std::uint8_t { String, Null, Other };

// Fields ccusage deserializes, by object; a repeated one makes its serde parse fail.
enum TopBit : unsigned { kTsBit = 1, kMsgBit = 2, kVerBit = 4, kSidBit = 8, kCostBit = 16, kReqBit = 32, kSideBit = 64 };

// What ccusage would see of the usage-carrying part of a line (top level or progress copy).
struct CcView {
  bool bad = false;  // a serde type mismatch or duplicate field
  bool ts_ok = false;
  bool empty_id = false;
  unsigned seen = 0;
};

class LineParser {
 public:
  LineParser(ClaudeLine& out, const ClaudeParseOptions& opts, std::string_view line)
      : out_(out), opts_(opts), line_end_(line.data() + line.size()) {}

  simdjson::error_code err = simdjson::SUCCESS;
  bool compact_usage = false;  // a usage key written as "usage":{ was seen

  void top(od::object obj) {
    for (auto fr : obj) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      top_field(key, v);
      if (err) return;
    }
  }

  // Applies what was read from a progress copy, once the whole envelope is known.
  void finish() {
    if (!out_.has_usage && emb_has_usage_) {
      out_.is_progress_copy = true;
      out_.has_ts = parse_iso8601_ms(emb_ts_, out_.ts_ms);
      out_.request_id = emb_request_id_;
      out_.sidechain = emb_sidechain_;
      out_.cost_usd = emb_cost_;
      out_.ccusage_skips = emb_cc_.bad || !emb_cc_.ts_ok || emb_cc_.empty_id;
    } else if (out_.has_usage) {
      out_.ccusage_skips = top_cc_.bad || !top_cc_.ts_ok || top_cc_.empty_id;
    }
  }

 private:
  bool check(simdjson::error_code e) {
    if (e && !err) err = e;
    return e != simdjson::SUCCESS;
  }

  Kind read_string(od::value& v, std::string& dst) {
    od::json_type t;
    if (check(v.type().get(t))) return Kind::Other;
    if (t == od::json_type::string) {
      std::string_view sv;
      if (check(v.get_string().get(sv))) return Kind::Other;
      dst.assign(sv);
      return Kind::String;
    }
    return t == od::json_type::null ? Kind::Null : Kind::Other;
  }

  Kind read_view(od::value& v, std::string_view& dst) {
    od::json_type t;
    if (check(v.type().get(t))) return Kind::Other;
    if (t == od::json_type::string) return check(v.get_string().get(dst)) ? Kind::Other : Kind::String;
    return t == od::json_type::null ? Kind::Null : Kind::Other;
  }

  // A token count. We take any non-negative number (fractions truncated); ccusage's serde
  // takes only an unsigned integer, so anything else makes it drop the line.
  std::int64_t read_count(od::value& v, bool& cc_bad) {
    od::json_type t;
    if (check(v.type().get(t))) return 0;
    if (t != od::json_type::number) {
      cc_bad = true;
      return 0;
    }
    od::number n;
    if (v.get_number().get(n)) {
      cc_bad = true;  // out of range for serde as well
      return 0;
    }
    switch (n.get_number_type()) {
      case od::number_type::signed_integer: {
        const std::int64_t i = n.get_int64();
        if (i < 0) cc_bad = true;
        return i < 0 ? 0 : i;
      }
      case od::number_type::unsigned_integer: return INT64_MAX;
      default: {
        cc_bad = true;
        const double d = n.get_double();
        return d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
      }
    }
  }

  std::int64_t read_int(od::value& v, std::int64_t fallback) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::number) return fallback;
    od::number n;
    if (v.get_number().get(n)) return fallback;
    if (n.get_number_type() == od::number_type::signed_integer) return n.get_int64();
    if (n.get_number_type() == od::number_type::floating_point_number) {
      // 81E34 is a number too: beyond what 64 bits hold it is no usable value.
      const double d = n.get_double();
      return d > -9e18 && d < 9e18 ? static_cast<std::int64_t>(d) : fallback;
    }
    return fallback;
  }

  bool read_bool(od::value& v, bool& cc_bad) {
    od::json_type t;
    if (check(v.type().get(t))) return false;
    if (t == od::json_type::boolean) {
      bool b = false;
      check(v.get_bool().get(b));
      return b;
    }
    if (t != od::json_type::null) cc_bad = true;
    return false;
  }

  std::optional<double> read_cost(od::value& v, bool& cc_bad) {
    od::json_type t;
    if (check(v.type().get(t))) return std::nullopt;
    if (t == od::json_type::number) {
      double d = 0;
      if (!v.get_double().get(d)) return d;
      cc_bad = true;
      return std::nullopt;
    }
    if (t != od::json_type::null) cc_bad = true;
    return std::nullopt;
  }

  void once(unsigned& seen, unsigned bit, bool& cc_bad) {
    if (seen & bit) cc_bad = true;
    seen |= bit;
  }

  // ccusage's Option<String> ids: null handled by its text scan, "" rejected, non-strings
  // fail serde (message.id is the exception: it survives a number).
  void read_id(od::value& v, std::string& dst, CcView& cc, bool number_ok) {
    const Kind k = read_string(v, dst);
    if (k == Kind::String && dst.empty()) cc.empty_id = true;
    if (k == Kind::Other && !number_ok) cc.bad = true;
  }

  void top_field(std::string_view key, od::value& v) {
    bool ignored = false;
    if (!opts_.content && activity_only(key)) return;  // a usage-only read leaves them unread
    if (key == "type") {
      read_string(v, out_.type);
    } else if (key == "message") {
      once(top_cc_.seen, kMsgBit, top_cc_.bad);
      od::object m;
      if (v.get_object().get(m)) {
        top_cc_.bad = true;
        return;
      }
      message(m, top_cc_, /*direct=*/true);
    } else if (key == "timestamp") {
      once(top_cc_.seen, kTsBit, top_cc_.bad);
      std::string_view ts;
      if (read_view(v, ts) == Kind::String) {
        out_.has_ts = parse_iso8601_ms(ts, out_.ts_ms);
        top_cc_.ts_ok = ccusage_accepts_timestamp(ts);
      }
    } else if (key == "sessionId") {
      once(top_cc_.seen, kSidBit, top_cc_.bad);
      read_id(v, out_.session_id, top_cc_, false);
    } else if (key == "requestId") {
      once(top_cc_.seen, kReqBit, top_cc_.bad);
      read_id(v, out_.request_id, top_cc_, false);
    } else if (key == "version") {
      once(top_cc_.seen, kVerBit, top_cc_.bad);
      const Kind k = read_string(v, out_.version);
      if (k == Kind::Other || (k == Kind::String && !ccusage_semver_prefix(out_.version))) top_cc_.bad = true;
    } else if (key == "isSidechain") {
      once(top_cc_.seen, kSideBit, top_cc_.bad);
      out_.sidechain = read_bool(v, top_cc_.bad);
    } else if (key == "costUSD") {
      once(top_cc_.seen, kCostBit, top_cc_.bad);
      out_.cost_usd = read_cost(v, top_cc_.bad);
    } else if (key == "uuid") {
      read_string(v, out_.uuid);
    } else if (key == "parentUuid") {
      read_string(v, out_.parent_uuid);
    } else if (key == "cwd") {
      read_string(v, out_.cwd);
    } else if (key == "gitBranch") {
      read_string(v, out_.git_branch);
    } else if (key == "agentId") {
      read_string(v, out_.agent_id);
    } else if (key == "userType") {
      read_string(v, out_.user_type);
    } else if (key == "subtype") {
      read_string(v, out_.subtype);
    } else if (key == "isMeta") {
      out_.is_meta = read_bool(v, ignored);
    } else if (key == "isApiErrorMessage") {
      out_.is_api_error = read_bool(v, ignored);
    } else if (key == "isCompactSummary" || key == "isVisibleInTranscriptOnly") {
      out_.is_compact_summary = read_bool(v, ignored) || out_.is_compact_summary;
    } else if (key == "durationMs") {
      out_.duration_ms = read_int(v, -1);
    } else if (key == "messageCount") {
      out_.message_count = read_int(v, -1);
    } else if (key == "retryInMs") {
      out_.retry_in_ms = read_int(v, -1);
    } else if (key == "retryAttempt") {
      out_.retry_attempt = read_int(v, -1);
    } else if (key == "maxRetries") {
      out_.max_retries = read_int(v, -1);
    } else if (key == "error") {
      od::object e;
      if (!v.get_object().get(e)) error_object(e, 0);
    } else if (key == "data") {
      od::object d;
      if (!v.get_object().get(d)) data(d);
    }
  }

  // Top-level fields that only turns and errors read.
  static bool activity_only(std::string_view key) {
    return key == "uuid" || key == "parentUuid" || key == "gitBranch" || key == "agentId" ||
           key == "userType" || key == "subtype" || key == "isMeta" || key == "isCompactSummary" ||
           key == "isVisibleInTranscriptOnly" || key == "durationMs" || key == "messageCount" ||
           key == "retryInMs" || key == "retryAttempt" || key == "maxRetries" || key == "error";
  }

  // api_error lines carry error.status, sometimes one level deeper.
  void error_object(od::object e, int depth) {
    for (auto fr : e) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "status") {
        const std::int64_t s = read_int(v, 0);
        if (out_.error_status == 0 && s > 0 && s < 1000) out_.error_status = static_cast<int>(s);
      } else if (depth < 2 && (key == "error" || key == "cause")) {
        od::object inner;
        if (!v.get_object().get(inner)) error_object(inner, depth + 1);
      }
    }
  }

  void data(od::object d) {
    for (auto fr : d) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "type") {
        read_string(v, out_.progress_type);
      } else if (key == "message" && opts_.progress_copy) {
        od::object m;
        if (!v.get_object().get(m)) progress_envelope(m);
      }
    }
  }

  void progress_envelope(od::object m) {
    for (auto fr : m) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "message") {
        once(emb_cc_.seen, kMsgBit, emb_cc_.bad);
        od::object inner;
        if (v.get_object().get(inner)) {
          emb_cc_.bad = true;
          continue;
        }
        message(inner, emb_cc_, /*direct=*/false);
      } else if (key == "timestamp") {
        once(emb_cc_.seen, kTsBit, emb_cc_.bad);
        std::string_view ts;
        if (read_view(v, ts) == Kind::String) {
          emb_ts_.assign(ts);
          emb_cc_.ts_ok = ccusage_accepts_timestamp(ts);
        }
      } else if (key == "requestId") {
        once(emb_cc_.seen, kReqBit, emb_cc_.bad);
        read_id(v, emb_request_id_, emb_cc_, false);
      } else if (key == "isSidechain") {
        once(emb_cc_.seen, kSideBit, emb_cc_.bad);
        emb_sidechain_ = read_bool(v, emb_cc_.bad);
      } else if (key == "costUSD") {
        once(emb_cc_.seen, kCostBit, emb_cc_.bad);
        emb_cost_ = read_cost(v, emb_cc_.bad);
      }
    }
  }

  void message(od::object m, CcView& cc, bool direct) {
    unsigned seen = 0;
    for (auto fr : m) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f))) return;
      const char* raw_key = f.key().raw();  // unescaped_key() consumes it
      if (check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "usage") {
        // ccusage wants "usage":{ somewhere in the line; here, usually.
        if (line_end_ - raw_key >= 8 && std::memcmp(raw_key, "usage\":{", 8) == 0) compact_usage = true;
        once(seen, 1, cc.bad);
        od::object u;
        if (v.get_object().get(u)) {
          cc.bad = true;
          continue;
        }
        if (direct) out_.has_usage = true;
        else emb_has_usage_ = true;
        usage(u, cc);
      } else if (key == "model") {
        once(seen, 2, cc.bad);
        const Kind k = read_string(v, out_.model);
        if (k == Kind::Other) cc.bad = true;
        if (k == Kind::String && out_.model.empty()) cc.empty_id = true;
      } else if (key == "id") {
        once(seen, 4, cc.bad);
        read_id(v, out_.message_id, cc, true);
      } else if (key == "role" && direct && opts_.content) {
        read_string(v, out_.role);
      } else if (key == "content" && direct && opts_.content) {
        content(v);
      }
    }
    if ((seen & 1) == 0) cc.bad = true;  // ccusage requires message.usage
  }

  void usage(od::object u, CcView& cc) {
    unsigned seen = 0;
    bool have_split = false;
    std::int64_t unsplit = 0;
    TokenCounts& t = out_.tokens;
    for (auto fr : u) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "input_tokens") {
        once(seen, 1, cc.bad);
        t.input = read_count(v, cc.bad);
      } else if (key == "output_tokens") {
        once(seen, 2, cc.bad);
        t.output = read_count(v, cc.bad);
      } else if (key == "cache_read_input_tokens") {
        once(seen, 4, cc.bad);
        t.cache_read = read_count(v, cc.bad);
      } else if (key == "cache_creation_input_tokens") {
        once(seen, 8, cc.bad);
        unsplit = read_count(v, cc.bad);
      } else if (key == "cache_creation") {
        once(seen, 16, cc.bad);
        od::json_type jt;
        if (check(v.type().get(jt))) return;
        if (jt == od::json_type::object) {
          have_split = true;
          od::object cobj;
          if (check(v.get_object().get(cobj))) return;
          cache_creation(cobj, cc);
        } else if (jt != od::json_type::null) {
          cc.bad = true;
        }
      } else if (key == "speed") {
        once(seen, 32, cc.bad);
        const Kind k = read_string(v, out_.speed);
        if (k == Kind::Other || (k == Kind::String && out_.speed != "standard" && out_.speed != "fast"))
          cc.bad = true;
      } else if (key == "service_tier") {
        read_string(v, out_.service_tier);
      } else if (key == "server_tool_use") {
        od::object s;
        if (!v.get_object().get(s)) server_tool_use(s);
      }
    }
    if ((seen & 3) != 3) cc.bad = true;  // input_tokens and output_tokens are required by ccusage
    if (!have_split) {
      t.cache_write_5m = unsplit;
      t.cache_write_1h = 0;
    }
  }

  void cache_creation(od::object c, CcView& cc) {
    for (auto fr : c) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "ephemeral_5m_input_tokens") out_.tokens.cache_write_5m = read_count(v, cc.bad);
      else if (key == "ephemeral_1h_input_tokens") out_.tokens.cache_write_1h = read_count(v, cc.bad);
    }
  }

  void server_tool_use(od::object s) {
    bool ignored = false;
    for (auto fr : s) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "web_search_requests") out_.web_search_requests = read_count(v, ignored);
      else if (key == "web_fetch_requests") out_.web_fetch_requests = read_count(v, ignored);
    }
  }

  // Where a string value's body starts, still escaped; nullptr for anything else.
  const char* raw_string(od::value& v) {
    od::json_type t;
    if (check(v.type().get(t)) || t != od::json_type::string) return nullptr;
    simdjson::ondemand::raw_json_string raw;
    if (check(v.get_raw_json_string().get(raw))) return nullptr;
    return raw.raw();
  }

  // Text is cut without unescaping the rest of a possibly multi-MB string.
  void cut_text(od::value& v, std::string& dst) {
    if (const char* raw = raw_string(v)) unescape_json_prefix(raw, line_end_, ClaudeLine::kMaxBlockText, dst);
  }

  void content(od::value& v) {
    od::json_type t;
    if (check(v.type().get(t))) return;
    if (t == od::json_type::string) {
      out_.content_is_string = true;
      ClaudeContentBlock& b = out_.content.emplace_back();
      b.type = "text";
      cut_text(v, b.text);
      return;
    }
    if (t != od::json_type::array) return;
    od::array arr;
    if (check(v.get_array().get(arr))) return;
    for (auto er : arr) {
      od::value ev;
      if (check(std::move(er).get(ev))) return;
      od::object bo;
      if (ev.get_object().get(bo)) continue;
      block(bo, out_.content.emplace_back());
      if (err) return;
    }
  }

  void block(od::object bo, ClaudeContentBlock& b) {
    bool ignored = false;
    // A tool result's text matters whole only when it is an error, and is_error usually
    // comes after the content: the content's strings are noted where they start and read
    // once is_error is known (most of a transcript's bytes are tool results).
    bool has_content = false;
    for (auto fr : bo) {
      od::field f;
      std::string_view key;
      if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
      od::value v = f.value();
      if (key == "type") {
        read_string(v, b.type);
      } else if (key == "text") {
        cut_text(v, b.text);
      } else if (key == "id" || key == "tool_use_id") {
        read_string(v, b.tool_use_id);
      } else if (key == "name") {
        read_string(v, b.tool_name);
      } else if (key == "is_error") {
        b.is_error = read_bool(v, ignored);
      } else if (key == "content") {
        has_content = true;
        content_strings(v);
      }
    }
    if (has_content)
      join_texts(b.is_error ? ClaudeLine::kMaxBlockText : ClaudeLine::kMaxToolResultText, b.text);
  }

  // A tool result's content: one string, or parts whose "text" strings are joined.
  void content_strings(od::value& v) {
    content_raws_.clear();
    od::json_type t;
    if (check(v.type().get(t))) return;
    if (t == od::json_type::string) {
      if (const char* raw = raw_string(v)) content_raws_.push_back(raw);
      return;
    }
    if (t != od::json_type::array) return;
    od::array arr;
    if (check(v.get_array().get(arr))) return;
    for (auto er : arr) {
      od::value ev;
      if (check(std::move(er).get(ev))) return;
      od::object po;
      if (ev.get_object().get(po)) continue;
      for (auto fr : po) {
        od::field f;
        std::string_view key;
        if (check(std::move(fr).get(f)) || check(f.unescaped_key().get(key))) return;
        if (key != "text") continue;
        od::value pv = f.value();
        if (const char* raw = raw_string(pv)) content_raws_.push_back(raw);
      }
    }
  }

  // The noted strings unescaped and joined by newlines, cut to `max_bytes`.
  void join_texts(std::size_t max_bytes, std::string& dst) {
    dst.clear();
    for (const char* raw : content_raws_) {
      if (dst.size() >= max_bytes) break;
      unescape_json_prefix(raw, line_end_, max_bytes, part_);
      if (!dst.empty()) dst.push_back('\n');
      dst.append(part_);
    }
    cut_utf8(dst, max_bytes);
  }

  ClaudeLine& out_;
  const ClaudeParseOptions& opts_;
  const char* line_end_;
  std::vector<const char*> content_raws_;  // the current block's content strings, escaped
  std::string part_;
  CcView top_cc_, emb_cc_;
  bool emb_has_usage_ = false;
  std::string emb_ts_, emb_request_id_;
  bool emb_sidechain_ = false;
  std::optional<double> emb_cost_;
};

void reset(ClaudeLine& l) {
  // Keep string capacity: the reader reuses one ClaudeLine for every line of a file.
  l.type.clear();
  l.subtype.clear();
  l.uuid.clear();
  l.parent_uuid.clear();
  l.session_id.clear();
  l.request_id.clear();
  l.cwd.clear();
  l.git_branch.clear();
  l.version.clear();
  l.agent_id.clear();
  l.user_type.clear();
  l.ts_ms = 0;
  l.has_ts = l.sidechain = l.is_meta = l.is_api_error = l.is_compact_summary = false;
  l.message_id.clear();
  l.model.clear();
  l.role.clear();
  l.has_usage = false;
  l.tokens = {};
  l.web_search_requests = l.web_fetch_requests = 0;
  l.speed.clear();
  l.service_tier.clear();
  l.cost_usd.reset();
  l.content_is_string = false;
  l.content.clear();
  l.duration_ms = l.message_count = l.retry_in_ms = l.retry_attempt = l.max_retries = -1;
  l.error_status = 0;
  l.ccusage_skips = false;
  l.is_progress_copy = false;
  l.progress_type.clear();
}

bool fail(std::string* error, std::string_view reason) {
  if (error) error->assign(reason);
  return false;
}

}  // namespace

namespace {
void trim(std::string_view line, std::size_t& b, std::size_t& e) {
  b = 0, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
}
}  // namespace

const char* claude_line_shape_error(std::string_view line, bool nul_free) {
  std::size_t b = 0, e = 0;
  trim(line, b, e);
  if (b == e) return "blank line";
  if (!nul_free && std::memchr(line.data() + b, '\0', e - b) != nullptr) return "NUL bytes";
  if (line[b] != '{')
    return line[b] == '[' || line[b] == '"' ? "not an object" : "invalid JSON: not an object";
  // A line cut by a crash or two writers interleaving rarely ends with the object's brace;
  // this cheap check also catches what lazy parsing would otherwise skip past.
  if (line[e - 1] != '}') return "invalid JSON: truncated or interleaved line";
  return nullptr;
}

bool parse_claude_line_padded(std::string_view line, ClaudeLine& out, std::string* error,
                              const ClaudeParseOptions& opts) {
  reset(out);
  if (const char* why = claude_line_shape_error(line, opts.nul_free)) return fail(error, why);
  std::size_t b = 0, e = 0;
  trim(line, b, e);

  od::parser& parser = thread_parser();
  od::document doc;
  const std::size_t len = e - b;
  if (auto ec = parser.iterate(line.data() + b, len, len + kPaddingBytes).get(doc)) {
    return fail(error, std::string("invalid JSON: ") + simdjson::error_message(ec));
  }
  od::object obj;
  if (auto ec = doc.get_object().get(obj)) {
    return fail(error, std::string("invalid JSON: ") + simdjson::error_message(ec));
  }
  LineParser p(out, opts, line.substr(b, len));
  p.top(obj);
  if (p.err) return fail(error, std::string("invalid JSON: ") + simdjson::error_message(p.err));
  // Trailing bytes after the object (two lines glued together) are garbage too.
  const char* where = nullptr;
  if (!doc.current_location().get(where)) return fail(error, "invalid JSON: data after the object");
  p.finish();
  if (out.ccusage_skips == false && (out.has_usage || out.is_progress_copy)) {
    const std::string_view body = line.substr(b, len);
    out.ccusage_skips =
        !(p.compact_usage || contains(body, "\"usage\":{")) || ccusage_has_unsupported_null(body);
  }
  return true;
}

bool parse_claude_line(std::string_view line, ClaudeLine& out, std::string* error) {
  thread_local std::string buffer;
  buffer.assign(line);
  buffer.append(kPaddingBytes, '\0');
  return parse_claude_line_padded(std::string_view(buffer.data(), line.size()), out, error, {});
}

namespace {
void event_from(const ClaudeLine& line, UsageEvent& ev) {
  ev.runtime = Runtime::Claude;
  ev.ts_ms = line.ts_ms;
  ev.session_id = line.session_id;
  ev.project = line.cwd;
  ev.model = line.model;
  ev.message_id = line.message_id;
  ev.request_id = line.request_id;
  ev.agent_id = line.agent_id;
  ev.git_branch = line.git_branch;
  ev.version = line.version;
  ev.sidechain = line.sidechain;
  ev.tokens = line.tokens;
  ev.reasoning_tokens = 0;
  ev.web_search_requests = line.web_search_requests;
  ev.web_fetch_requests = line.web_fetch_requests;
  ev.cost_usd = line.cost_usd;
  ev.fast = line.speed == "fast";
  ev.ccusage_skips = line.ccusage_skips;
}

bool synthetic_zero(const ClaudeLine& line) {
  return (line.model == "<synthetic>" || line.is_api_error) && line.tokens.total() == 0;
}
}  // namespace

bool usage_from_claude_line(const ClaudeLine& line, UsageEvent& ev) {
  if (!line.has_usage || line.is_progress_copy || !line.has_ts) return false;
  if (synthetic_zero(line)) return false;
  event_from(line, ev);
  return true;
}

bool ccusage_only_usage_from_claude_line(const ClaudeLine& line, UsageEvent& ev) {
  if (line.ccusage_skips || !line.has_ts) return false;
  if (!line.is_progress_copy && !(line.has_usage && synthetic_zero(line))) return false;
  event_from(line, ev);
  return true;
}

std::optional<UsageEvent> usage_from_claude_line(const ClaudeLine& line) {
  UsageEvent ev;
  if (!usage_from_claude_line(line, ev)) return std::nullopt;
  return ev;
}

std::optional<UsageEvent> ccusage_only_usage_from_claude_line(const ClaudeLine& line) {
  UsageEvent ev;
  if (!ccusage_only_usage_from_claude_line(line, ev)) return std::nullopt;
  return ev;
}

}  // namespace costdeck::sources
