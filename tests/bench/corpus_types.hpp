#pragma once
// Options and statistics of the generated corpus, shared by the generator, its tool and tests.

#include <array>
#include <cstdint>
#include <string>

#include "tests/bench/corpus_rng.hpp"

namespace costdeck::bench {

struct CorpusOptions {
  std::string out;  // root: writes OUT/claude/projects/... and OUT/codex/sessions/...
  std::uint64_t seed = 1;
  double size_mb = 1024;     // total bytes of transcripts, in MiB
  std::int64_t files = 0;    // .jsonl transcripts; 0: about 4.5 per MiB, like the corpus
  double codex_share = 0.1;  // share of files and bytes that are Codex rollouts
  int days = 60;             // sessions spread over this many days
  std::string start_date = "2025-10-01";
  double big_line_mb = 0;  // size of the largest lines; 0: 1.5-5 MiB, less for tiny corpora
};

// What the generator wrote, by kind, so tests can check that every shape is present.
enum class Kind : int {
  // Claude Code lines
  UserPrompt,
  SlashCommand,
  MetaUser,
  ToolResult,
  ToolResultError,
  ToolRejected,
  Interrupted,
  AssistantFirst,
  AssistantMore,
  ApiErrorMessage,
  SystemTurnDuration,
  SystemApiError,
  SystemCompact,
  ProgressAgent,
  FileHistorySnapshot,
  Summary,
  QueueOperation,
  OtherType,
  SidechainInline,
  SubagentLine,
  ResumedCopy,
  BtwReplay,
  NullFields,
  OddVersion,
  CostUsd,
  Cache1h,
  NoCacheSplit,
  WebSearch,
  LongContext,
  UnknownModel,
  ModelOpus,
  ModelSonnet,
  ModelHaiku,
  BigLine,
  // malformed
  Truncated,
  NulRun,
  Garbage,
  UnterminatedLast,
  // Codex lines
  CodexSessionMeta,
  CodexTurnContext,
  CodexTokenCount,
  CodexTokenRepeat,
  CodexTokenNull,
  CodexResponseItem,
  CodexEventOther,
  CodexNoTurnContext,
  CodexModelSwitch,
  // files
  FileClaudeSession,
  FileResumed,
  FileAgent20,
  FileSubagent21,
  FileMetaJson,
  FileSessionsIndex,
  FileToolResultTxt,
  FileCodex,
  FileEmpty,
  kCount
};

inline constexpr const char* kKindNames[] = {"user_prompt",
                                             "slash_command",
                                             "meta_user",
                                             "tool_result",
                                             "tool_result_error",
                                             "tool_rejected",
                                             "interrupted",
                                             "assistant_first",
                                             "assistant_more",
                                             "api_error_message",
                                             "system_turn_duration",
                                             "system_api_error",
                                             "system_compact",
                                             "progress_agent",
                                             "file_history_snapshot",
                                             "summary",
                                             "queue_operation",
                                             "other_type",
                                             "sidechain_inline",
                                             "subagent_line",
                                             "resumed_copy",
                                             "btw_replay",
                                             "null_fields",
                                             "odd_version",
                                             "cost_usd",
                                             "cache_1h",
                                             "no_cache_split",
                                             "web_search",
                                             "long_context",
                                             "unknown_model",
                                             "model_opus",
                                             "model_sonnet",
                                             "model_haiku",
                                             "big_line",
                                             "truncated",
                                             "nul_run",
                                             "garbage",
                                             "unterminated_last",
                                             "codex_session_meta",
                                             "codex_turn_context",
                                             "codex_token_count",
                                             "codex_token_repeat",
                                             "codex_token_null",
                                             "codex_response_item",
                                             "codex_event_other",
                                             "codex_no_turn_context",
                                             "codex_model_switch",
                                             "file_claude_session",
                                             "file_resumed",
                                             "file_agent_2_0",
                                             "file_subagent_2_1",
                                             "file_meta_json",
                                             "file_sessions_index",
                                             "file_tool_result_txt",
                                             "file_codex",
                                             "file_empty"};
static_assert(sizeof(kKindNames) / sizeof(kKindNames[0]) == static_cast<int>(Kind::kCount));

struct CorpusStats {
  std::int64_t files = 0;        // every file written (transcripts and the rest)
  std::int64_t jsonl_files = 0;  // transcripts (.jsonl), empty ones included
  std::int64_t bytes = 0;        // bytes of the .jsonl transcripts
  std::int64_t lines = 0;        // newline-terminated lines in them
  std::int64_t claude_bytes = 0, codex_bytes = 0;
  std::int64_t largest_line = 0;
  std::array<std::int64_t, static_cast<int>(Kind::kCount)> kinds{};

  std::int64_t count(Kind k) const { return kinds[static_cast<int>(k)]; }
  void add(Kind k, std::int64_t n = 1) { kinds[static_cast<int>(k)] += n; }

  std::string to_json() const {
    std::string o = "{\"files\":";
    append_int(o, files);
    o += ",\"jsonl_files\":";
    append_int(o, jsonl_files);
    o += ",\"bytes\":";
    append_int(o, bytes);
    o += ",\"lines\":";
    append_int(o, lines);
    o += ",\"claude_bytes\":";
    append_int(o, claude_bytes);
    o += ",\"codex_bytes\":";
    append_int(o, codex_bytes);
    o += ",\"largest_line\":";
    append_int(o, largest_line);
    o += ",\"kinds\":{";
    for (int i = 0; i < static_cast<int>(Kind::kCount); ++i) {
      if (i) o += ',';
      o += '"';
      o += kKindNames[i];
      o += "\":";
      append_int(o, kinds[i]);
    }
    o += "}}";
    return o;
  }
};

}  // namespace costdeck::bench
