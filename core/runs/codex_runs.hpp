#pragma once
// Codex CLI turns read from rollouts become runs, as Claude Code turns do (session_runs.hpp):
// the ingest feeds each rollout's new lines to a CodexTurnTracker on its reader thread and
// hands the result to ActivityBatch::file, which writes the runs and keeps the open turn in
// run_turn_state (track "codex") for the next read of the file.
//
// A turn starts at a real prompt and ends before the next one. Rollouts write a prompt twice
// (a response item, then a user_message event): the second copy, before anything else
// happened in the turn, is the same prompt. The run's key is cx:<session id>:<time of the
// prompt's first copy in ms>, the same however the file is cut into reads. Its tokens are
// the usage events of its token_count lines (the increase of the cumulative totals);
// started: task_started when the rollout has it, else the prompt; ended: task_complete or
// turn_aborted when present, else the last line the agent wrote in the turn.

#include <memory>
#include <vector>

#include "core/runs/session_runs.hpp"
#include "core/sources/codex_line.hpp"

namespace costdeck::runs {

class CodexTurnTracker {
 public:
  explicit CodexTurnTracker(const std::vector<TurnState>& saved);  // the default options
  CodexTurnTracker(const std::vector<TurnState>& saved, const SessionRunOptions& opts);
  ~CodexTurnTracker();
  CodexTurnTracker(const CodexTurnTracker&) = delete;
  CodexTurnTracker& operator=(const CodexTurnTracker&) = delete;

  void feed(const sources::CodexLine& line);  // in file order
  FileActivity finish();                      // once, after the last line

 private:
  class Processor;
  std::unique_ptr<Processor> processor_;
  FileActivity result_;
};

}  // namespace costdeck::runs
