#pragma once
// Incremental reading of one session file: from a cursor to the last complete line.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/sources/claude_line.hpp"
#include "core/sources/codex_line.hpp"

namespace costdeck::sources {

enum class FileKind : std::uint8_t { ClaudeTranscript = 0, CodexRollout = 1 };

struct FileCursor {
  std::int64_t offset = 0;   // byte offset just past the last complete line read
  std::int64_t line_no = 0;  // lines read so far
  std::string state;         // parser state carried between reads (Codex running totals), opaque
};

struct MalformedLine {
  std::int64_t line_no = 0;
  std::int64_t offset = 0;
  std::string reason;  // "invalid JSON: ...", "NUL bytes", "line of 12 MB is not an object", ...
};

// A usage event that ccusage 20.0.24 counts and we do not (or counts with other numbers):
// `--compat ccusage` adds these to the events whose ccusage_skips is false.
struct CcusageOnlyEvent {
  UsageEvent event;
  bool daily_only = false;  // Claude progress copies: only `ccusage claude daily` counts them
};

struct FileReadResult {
  std::vector<UsageEvent> usage;
  std::vector<CcusageOnlyEvent> ccusage_only;
  // Claude only: user/assistant/system lines (content trimmed) for turn and error analysis.
  std::vector<ClaudeLine> activity;
  std::vector<MalformedLine> malformed;  // the first kMaxMalformedKept of them
  std::int64_t malformed_count = 0;      // all of them
  std::int64_t lines = 0;                // complete lines read this time (empty ones included)
  std::int64_t bytes = 0;                // bytes consumed this time
  FileCursor next;                       // where the next read starts
  std::string error;                     // set when the file could not be read at all
  bool shrank = false;                   // the file is shorter than the cursor: replaced or truncated
  // A read from offset 0 only: xxh3 of the first and of the last min(next.offset, 4 KiB)
  // bytes before next.offset (the store's check that read bytes stay the same), from the
  // bytes read, so the file need not be opened again for them.
  bool has_window_hashes = false;
  std::uint64_t head_hash = 0, tail_hash = 0;

  static constexpr std::size_t kMaxMalformedKept = 200;
  static constexpr std::size_t kHashWindow = 4096;
};

// What a usage copy handed to ReadOptions::on_usage is.
enum class CopyKind : std::uint8_t {
  Counted,           // FileReadResult::usage
  CcusageOnly,       // FileReadResult::ccusage_only ...
  CcusageDailyOnly,  // ... a progress copy: only ccusage's `claude daily` counts it
};

struct ReadOptions {
  bool keep_activity = true;  // false: usage only (faster)
  // Claude transcripts: lines that start before this offset were read for usage by an
  // earlier pass that kept no activity; now they are read for their activity only (no usage,
  // not counted as lines again; malformed only if that pass could not have seen it).
  std::int64_t usage_from = 0;
  // Set: each activity line is handed here as it is parsed (then FileReadResult::activity
  // stays empty), so no line outlives its parse.
  std::function<void(const ClaudeLine&)> on_activity;
  // Codex rollouts: set, each line that matters to a turn is handed here as it is parsed
  // (lines only the turns need are then parsed too). Independent of keep_activity.
  std::function<void(const CodexLine&)> on_codex_activity;
  // Claude transcripts: set, each usage copy is handed here as it is read (in file order)
  // instead of being kept in FileReadResult::usage / ccusage_only. The event is reused for
  // the next copy.
  std::function<void(const UsageEvent&, CopyKind)> on_usage;
};

// Reads the complete lines from `from` on. Never throws, never writes to the file. Safe to
// call from several threads at once (each thread keeps its own parser and buffer); one file
// should be read by one thread at a time.
FileReadResult read_session_file(FileKind kind, const std::string& path, const FileCursor& from,
                                 const ReadOptions& opts = {});

// The same over bytes in memory (what the fuzz target and tests drive): `data` holds the file
// from offset from.offset on.
FileReadResult read_session_bytes(FileKind kind, std::string_view data, const FileCursor& from,
                                  const ReadOptions& opts = {}, const std::string& path_hint = {});

}  // namespace costdeck::sources
