#pragma once
// Incremental reading of one session file: from a cursor to the last complete line.

#include <cstdint>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/sources/claude_line.hpp"

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

struct FileReadResult {
  std::vector<UsageEvent> usage;
  // Claude only: user/assistant/system lines (content trimmed) for turn and error analysis.
  std::vector<ClaudeLine> activity;
  std::vector<MalformedLine> malformed;
  std::int64_t lines = 0;       // complete lines read this time
  std::int64_t bytes = 0;       // bytes consumed this time
  FileCursor next;              // where the next read starts
  std::string error;            // set when the file could not be read at all
};

struct ReadOptions {
  bool keep_activity = true;  // false: usage only (faster)
};

FileReadResult read_session_file(FileKind kind, const std::string& path, const FileCursor& from,
                                 const ReadOptions& opts = {});

}  // namespace costdeck::sources
