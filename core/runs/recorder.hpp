#pragma once
// The recorder API for programs that link costdeck: a cost tracker per agent (agent type,
// project, session) that writes each operation to the store as a run and answers from the
// store, so every tool reads the same numbers instead of estimating again.
//
//   costdeck::runs::CostTracker t("/path/costdeck.db", {.agent_type = "reviewer", .project = "/w/app",
//                                                       .session_id = "s-1"});
//   t.record({.operation = "verification", .model = "claude-sonnet-4-5", .duration_ms = 1200,
//             .tokens = {.input = 1000, .output = 200}});
//   double spent = t.total_cost();

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/runs/run.hpp"

namespace costdeck::runs {

struct TrackerIdentity {
  std::string agent_type, project, session_id;
  std::string runtime = "claude-code";
  std::string tier, issue;  // optional: else attributed by the config's rules / links
};

struct Operation {
  std::string operation;  // iteration, tool call, verification, agent execution, task, ...
  std::string title, model;
  std::optional<std::int64_t> duration_ms;
  std::optional<std::int64_t> started_ms;  // default: now - duration
  TokenCounts tokens;
  std::optional<double> cost_usd;  // default: computed from tokens and the price table
  RunStatus status = RunStatus::Success;
  std::string error;
  std::string metadata_json;  // a JSON object, or empty
  std::string trigger;
  std::string key;  // optional: re-recording the same key updates that run
};

class CostTracker {
 public:
  // Opens (creating and migrating if needed) the store at `db_path`; throws on failure.
  CostTracker(const std::string& db_path, TrackerIdentity identity);
  ~CostTracker();
  CostTracker(const CostTracker&) = delete;
  CostTracker& operator=(const CostTracker&) = delete;

  // Writes one run in its own transaction and returns its key. Throws RunInputError on a
  // bad value (nothing written).
  std::string record(const Operation& op);

  // Answered from the store: this agent's runs in this project and session.
  double total_cost() const;
  std::map<std::string, double> cost_by_operation() const;
  // {"agent","project","session","runs","costUSD","tokens":{...},"byOperation":{op:{runs,costUSD,durationMs}}}
  std::string summary_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace costdeck::runs
