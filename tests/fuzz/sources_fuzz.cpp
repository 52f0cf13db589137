// libFuzzer target over the session-file readers: the line splitter with cursors, the Claude
// line parser and the Codex rollout parser (with its carried state, and read for its turns),
// a usage-only read followed by an activity read against one full read, and the vector line
// scan against the portable one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sources/claude_line.hpp"
#include "core/sources/codex_rollout.hpp"
#include "core/sources/line_scan.hpp"
#include "core/sources/session_file.hpp"
#include "core/sources/text_scan.hpp"

using namespace costdeck::sources;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const FileKind kind = (mode & 1) ? FileKind::CodexRollout : FileKind::ClaudeTranscript;
  ReadOptions opts;
  opts.keep_activity = (mode & 2) == 0;

  // The whole input as one file, then as two reads split at a byte chosen by the input.
  const FileReadResult whole = read_session_bytes(kind, bytes, {}, opts, "/s/rollout-x.jsonl");
  const std::size_t cut = bytes.empty() ? 0 : (static_cast<std::size_t>(mode) * 131) % (bytes.size() + 1);
  const FileReadResult head = read_session_bytes(kind, bytes.substr(0, cut), {}, opts, "/s/rollout-x.jsonl");
  const auto consumed = static_cast<std::size_t>(head.next.offset);
  const FileReadResult tail = read_session_bytes(kind, bytes.substr(consumed), head.next, opts, "/s/rollout-x.jsonl");
  // Reading in two steps must see the same lines and events as one read.
  if (head.lines + tail.lines != whole.lines) __builtin_trap();
  if (head.usage.size() + tail.usage.size() != whole.usage.size()) __builtin_trap();
  if (tail.next.offset != whole.next.offset) __builtin_trap();
  if (kind == FileKind::CodexRollout) {
    // Reading a rollout for its turns too must not change what the usage reader sees.
    ReadOptions turns = opts;
    turns.on_codex_activity = [](const CodexLine& l) {
      if (l.text.size() > CodexLine::kMaxText) __builtin_trap();
    };
    const FileReadResult r = read_session_bytes(kind, bytes, {}, turns, "/s/rollout-x.jsonl");
    if (r.usage.size() != whole.usage.size() || r.malformed_count != whole.malformed_count) __builtin_trap();
    if (r.lines != whole.lines) __builtin_trap();
  }

  if (kind == FileKind::ClaudeTranscript) {
    // A usage report's read, then the activity read of the same lines, against one full read.
    ReadOptions usage_only = opts, full = opts;
    usage_only.keep_activity = false;
    full.keep_activity = true;
    const FileReadResult u = read_session_bytes(kind, bytes, {}, usage_only, "/p/s.jsonl");
    ReadOptions catch_up = full;
    catch_up.usage_from = u.next.offset;
    const FileReadResult c = read_session_bytes(kind, bytes, {}, catch_up, "/p/s.jsonl");
    const FileReadResult f = read_session_bytes(kind, bytes, {}, full, "/p/s.jsonl");
    if (u.lines != f.lines || c.lines != 0 || !c.usage.empty() || !c.ccusage_only.empty()) __builtin_trap();
    if (u.next.offset != f.next.offset || c.next.offset != f.next.offset) __builtin_trap();
    // Lines a full parse finds broken beyond what a usage-only parse reads may differ
    // (docs/store.md); for the others, the two ways agree.
    if (f.malformed_count == 0) {
      if (u.malformed_count != 0 || c.malformed_count != 0) __builtin_trap();
      if (u.usage.size() != f.usage.size() || u.ccusage_only.size() != f.ccusage_only.size())
        __builtin_trap();
      if (c.activity.size() != f.activity.size()) __builtin_trap();
    }
  }

  // The vector line scan says what splitting and searching each line says.
  std::string padded(bytes);
  padded.append(64, '\n');
  std::vector<LineEnd> fast, portable;
  find_lines(padded.data(), bytes.size(), fast);
  detail::find_lines_portable(padded.data(), bytes.size(), portable);
  if (fast.size() != portable.size()) __builtin_trap();
  for (std::size_t i = 0; i < fast.size(); ++i)
    if (fast[i].end != portable[i].end || fast[i].usage_key != portable[i].usage_key ||
        fast[i].nul != portable[i].nul)
      __builtin_trap();

  ClaudeLine line;
  std::string error;
  if (parse_claude_line(bytes, line, &error)) (void)usage_from_claude_line(line);
  (void)CodexState::decode(bytes);
  std::int64_t ms = 0;
  (void)parse_iso8601_ms(bytes.substr(0, 40), ms);
  (void)ccusage_accepts_timestamp(bytes.substr(0, 40));
  (void)ccusage_has_unsupported_null(bytes);
  std::string out;
  unescape_json_prefix(bytes.data(), bytes.data() + bytes.size(), 64, out);
  return 0;
}
