#pragma once
// The vocabulary shared by every layer: what a counted API response is, how tokens are
// split, and which runtime wrote it. Kept free of JSON, SQLite and ImGui so anything may
// include it cheaply.

#include <cstdint>
#include <optional>
#include <string>

namespace costdeck {

enum class Runtime : std::uint8_t { Claude = 0, Codex = 1 };

const char* runtime_name(Runtime r);  // "claude" / "codex"
std::optional<Runtime> runtime_from_name(const std::string& name);

struct TokenCounts {
  std::int64_t input = 0;           // uncached input (Codex: input - cached)
  std::int64_t output = 0;          // includes reasoning
  std::int64_t cache_write_5m = 0;  // ephemeral 5-minute writes (or all writes when unsplit)
  std::int64_t cache_write_1h = 0;  // ephemeral 1-hour writes
  std::int64_t cache_read = 0;

  std::int64_t cache_write() const { return cache_write_5m + cache_write_1h; }
  std::int64_t total() const { return input + output + cache_write() + cache_read; }
  // What the API saw as the prompt: decides Anthropic's long-context tier.
  std::int64_t prompt() const { return input + cache_write() + cache_read; }

  TokenCounts& operator+=(const TokenCounts& o) {
    input += o.input;
    output += o.output;
    cache_write_5m += o.cache_write_5m;
    cache_write_1h += o.cache_write_1h;
    cache_read += o.cache_read;
    return *this;
  }
  bool operator==(const TokenCounts&) const = default;
};

// One API response as read from a session file (one copy of it: the same response may be
// written on several lines and in several files; the store decides which copy counts).
struct UsageEvent {
  Runtime runtime = Runtime::Claude;
  std::int64_t ts_ms = 0;  // UTC, milliseconds since the epoch
  std::string session_id;  // the line's sessionId (Codex: the rollout's session id)
  std::string project;     // cwd as written in the line, if any
  std::string model;       // as written, e.g. claude-sonnet-4-5-20250929
  std::string message_id;  // message.id (empty when absent)
  std::string request_id;  // requestId (empty when absent)
  std::string agent_id;    // subagent id for subagent transcripts, else empty
  std::string git_branch;
  std::string version;
  bool sidechain = false;
  TokenCounts tokens;
  std::int64_t reasoning_tokens = 0;  // Codex: part of output, kept for display
  std::int64_t web_search_requests = 0;
  std::int64_t web_fetch_requests = 0;
  std::optional<double> cost_usd;  // the line's own costUSD (very old Claude Code)
  bool fast = false;               // usage.speed == "fast"
  // ccusage 20.0.24 drops lines it cannot deserialize (some fields null, non-N.N.N
  // version, empty ids). We count them; --compat ccusage skips them.
  bool ccusage_skips = false;
  // Where this copy was read: the store orders copies by (file path, offset) for tie-breaks
  // and points diagnostics at file:line.
  std::int64_t offset = 0;   // byte offset of the line in its file
  std::int64_t line_no = 0;  // 1-based
};

}  // namespace costdeck
