#pragma once
// One Codex CLI rollout line as the turn tracker needs it: what the line says about the
// turn in progress (a prompt, the model at work, tokens, the end of the turn), its time,
// and the rollout's state after it (model, session id, cwd), which the reader carries
// between reads of the file.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace costdeck::sources {

enum class CodexEvent : std::uint8_t {
  None,          // nothing a turn needs (session_meta, turn_context, injected context, ...)
  Prompt,        // a real user prompt: event_msg user_message, or a response_item user message
  TaskStarted,   // event_msg task_started (turn_started): the turn's start, before its prompt
  TaskComplete,  // event_msg task_complete (turn_complete)
  Aborted,       // event_msg turn_aborted; text: the reason
  Error,         // event_msg error; text: the message
  Usage,         // event_msg token_count; tokens: this line's share, as its usage event
  Output,        // anything else the agent wrote in a turn (items, agent messages, compaction)
};

struct CodexLine {
  static constexpr std::size_t kMaxText = 2048;

  CodexEvent event = CodexEvent::None;
  // Prompt: it came as event_msg user_message (else as a response_item). Rollouts write most
  // prompts both ways, one line after the other.
  bool prompt_event = false;
  std::int64_t ts_ms = 0;
  bool has_ts = false;
  std::int64_t line_no = 0;
  std::string text;    // Prompt: the prompt, Error: the message, Aborted: the reason (cut to kMaxText)
  TokenCounts tokens;  // Usage: input without cached, cached as cache_read, output
  std::string model;   // the latest model (empty: none named yet)
  std::string session_id, cwd;
};

// A user message Codex adds to the conversation itself rather than the user typing it:
// environment context, AGENTS.md / user instructions, skills, a `!cmd` shell command, the
// note it leaves after an interrupted turn, subagent notifications.
bool is_codex_injected_text(std::string_view text);

}  // namespace costdeck::sources
