#pragma once
// Codex CLI rollout lines: cumulative token_count totals turned into per-event usage, and
// (for the turns) what each line means to the turn in progress.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/sources/codex_line.hpp"
#include "core/sources/session_file.hpp"

namespace costdeck::sources {

struct CodexTotals {
  std::int64_t input = 0, cached = 0, output = 0, reasoning = 0, total = 0;
  bool operator==(const CodexTotals&) const = default;
};

// Everything a rollout reader must carry from one read to the next (FileCursor::state).
struct CodexState {
  bool has_prev = false;
  CodexTotals prev;       // the last total_token_usage seen
  std::string model;      // latest model (turn_context, or named on a token_count event)
  std::string session_id;  // session_meta.payload.id
  std::string cwd;

  std::string encode() const;
  static CodexState decode(std::string_view state);  // garbage gives a fresh state
};

// Session id from a rollout file name: the trailing UUID of rollout-<time>-<uuid>.jsonl,
// else the file's stem.
std::string codex_session_id_from_path(std::string_view path);

// ccusage 20.0.24 names a Codex session by its path below sessions/ without ".jsonl"
// (e.g. "2025/10/01/rollout-...-<uuid>"); --compat ccusage groups by that.
std::string codex_ccusage_session_id(std::string_view sessions_dir, std::string_view path);

// Handles one line (followed by kPaddingBytes readable bytes). Appends usage / ccusage-only
// events / a malformed entry to `out`. Returns false for a malformed line. With `activity`,
// also says what the line means for the turn in progress (activity->event None: nothing);
// lines only the turns need are then parsed too, but never counted as malformed.
bool parse_codex_line_padded(std::string_view line, std::int64_t line_no, std::int64_t offset,
                             const std::string& fallback_session_id, CodexState& state, FileReadResult& out,
                             std::string* error, CodexLine* activity = nullptr);

}  // namespace costdeck::sources
