#pragma once
// One Claude Code transcript line, reduced to the fields costdeck uses. The parser fills
// it once per line; the usage extractor (counted responses) and the activity extractor
// (turns, errors, runs) both read it, so a line is parsed only once.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace costdeck::sources {

struct ClaudeContentBlock {
  std::string type;         // text, tool_use, tool_result, thinking, image, ...
  // text: cut to kMaxBlockText bytes; tool_result text: so when is_error, else only its
  // first kMaxToolResultText bytes (the start says whether it was an interruption).
  std::string text;
  std::string tool_use_id;  // tool_use.id or tool_result.tool_use_id
  std::string tool_name;    // tool_use.name
  bool is_error = false;    // tool_result.is_error
};

struct ClaudeLine {
  static constexpr std::size_t kMaxBlockText = 2048;
  static constexpr std::size_t kMaxToolResultText = 128;

  std::string type;     // user, assistant, system, summary, progress, ... (unknown is fine)
  std::string subtype;  // system subtype: turn_duration, api_error, compact_boundary, ...
  std::string uuid, parent_uuid, session_id, request_id;
  std::string cwd, git_branch, version, agent_id, user_type;
  std::int64_t ts_ms = 0;
  bool has_ts = false;
  bool sidechain = false;
  bool is_meta = false;
  bool is_api_error = false;       // isApiErrorMessage
  bool is_compact_summary = false;  // isCompactSummary / isVisibleInTranscriptOnly summaries

  // message.*
  std::string message_id, model, role;
  bool has_usage = false;
  TokenCounts tokens;  // cache writes already split per formats.md
  std::int64_t web_search_requests = 0, web_fetch_requests = 0;
  std::string speed, service_tier;
  std::optional<double> cost_usd;  // top-level costUSD
  bool content_is_string = false;
  std::vector<ClaudeContentBlock> content;  // message.content (a string becomes one text block)

  // system lines
  std::int64_t duration_ms = -1;    // turn_duration.durationMs
  std::int64_t message_count = -1;  // turn_duration.messageCount
  std::int64_t retry_in_ms = -1, retry_attempt = -1, max_retries = -1;  // api_error retries
  int error_status = 0;                                                 // api_error error.status

  bool ccusage_skips = false;  // ccusage 20.0.24 would not deserialize this line (see docs/accuracy.md)

  // `progress` lines (data.type agent_progress) embed a copy of a subagent's message. We never
  // count it, but `ccusage claude daily` 20.0.24 does (its monthly/weekly/session do not). When
  // such a copy carries usage, is_progress_copy is set and ts_ms/has_ts, request_id,
  // message_id, model, tokens, web_*, speed, cost_usd, sidechain and ccusage_skips describe
  // the embedded message, not the envelope (session_id, uuid, cwd... stay the envelope's).
  bool is_progress_copy = false;
  std::string progress_type;  // data.type of a progress line
};

struct ClaudeParseOptions {
  // false: a usage-only parse, faster: `content` and the fields only turns and errors read
  // (uuid, parentUuid, gitBranch, agentId, role, subtype, the system lines' numbers, error)
  // stay empty.
  bool content = true;
  bool progress_copy = true;  // look inside progress lines for embedded usage
  bool nul_free = false;      // the caller knows the line holds no NUL byte (not searched again)
};

// Why `line` cannot be a JSON object, from its ends and NUL bytes alone (nullptr: it may
// be); what parse_claude_line says of such a line. `nul_free`: the caller knows it has none.
const char* claude_line_shape_error(std::string_view line, bool nul_free = false);

// As parse_claude_line, for a line followed by at least kPaddingBytes readable bytes (any
// content): no copy is made. The session-file reader uses this on its mapping.
inline constexpr std::size_t kPaddingBytes = 64;
bool parse_claude_line_padded(std::string_view line, ClaudeLine& out, std::string* error,
                              const ClaudeParseOptions& opts);

// Parses one line (no trailing newline). False on malformed JSON or a non-object, with a
// short reason in *error. Reuses `out`'s storage.
bool parse_claude_line(std::string_view line, ClaudeLine& out, std::string* error);

// The response this line reports, if it reports one that counts toward usage: a line with
// message.usage that is neither a progress copy nor a <synthetic>/API-error line with zero
// usage. The event is one copy of a response; the store decides which copy counts
// (see the dedupe note in claude_line.cpp). Lines without a usable timestamp give nothing.
std::optional<UsageEvent> usage_from_claude_line(const ClaudeLine& line);

// What ccusage 20.0.24 counts from this line that usage_from_claude_line does not:
// progress copies (its `daily` only) and zero-usage <synthetic> lines (they make zero rows
// in its daily/weekly/monthly output). nullopt otherwise.
std::optional<UsageEvent> ccusage_only_usage_from_claude_line(const ClaudeLine& line);

// The same two, filling `ev` when there is an event (all of it but offset and line_no; its
// strings keep their capacity, so a reader can reuse one event for a whole file).
bool usage_from_claude_line(const ClaudeLine& line, UsageEvent& ev);
bool ccusage_only_usage_from_claude_line(const ClaudeLine& line, UsageEvent& ev);

}  // namespace costdeck::sources
