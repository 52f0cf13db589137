#pragma once
// Tier and issue for runs that were not given one: tier by the config's rules, issue from
// a linked session or from the git branch.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/config.hpp"

namespace costdeck::runs {

struct TierInput {
  std::string agent, model, runtime, project;
  bool subagent = false;
  std::optional<std::int64_t> duration_ms;
};

// The first matching rule's tier, else config.default_tier.
std::string tier_by_rules(const Config& config, const TierInput& in);

// The issue key in `branch` by `pattern` (first capture group, else the whole match),
// upper-cased; empty when none. `feature/MIN-123-login` -> MIN-123.
std::string issue_from_branch(const std::string& pattern, const std::string& branch);

// Caches branch -> issue so a load of 100k runs runs the regex once per distinct branch.
class IssueMatcher {
 public:
  explicit IssueMatcher(std::string pattern);
  ~IssueMatcher();
  const std::string& issue_for(const std::string& branch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace costdeck::runs
