#pragma once
// The user's config file: tier rules, the branch -> issue pattern, issue cost badges,
// budgets, and what session-file runs keep of prompts. JSON at
// $XDG_CONFIG_HOME/costdeck/config.json (or --config PATH). Every key is optional; a missing
// file means the defaults, which `costdeck config show` prints.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/live/budgets.hpp"

namespace costdeck {

// A rule matches when every condition it sets holds; the first matching rule names the tier.
struct TierRule {
  std::string tier;
  std::string agent;         // substring of the agent name/type (case-insensitive)
  std::optional<bool> subagent;  // true: only subagents, false: only the main thread
  std::string model;         // substring of the model id, e.g. "opus", "haiku", "gpt-5"
  std::string runtime;       // claude-code, codex, ...
  std::string project;       // substring of the project path
  std::optional<std::int64_t> min_duration_ms;  // optional: long runs go to another tier
};

struct BadgeThresholds {
  double green_below = 5;    // cost < 5 -> green
  double yellow_below = 20;  // < 20 -> yellow
  double orange_below = 50;  // < 50 -> orange, else red
};

struct Config {
  std::vector<TierRule> tier_rules;
  std::string default_tier = "other";  // when no rule matches
  // First capture group (or the whole match) of this ECMAScript regex on the git branch.
  std::string issue_branch_pattern = "([A-Za-z][A-Za-z0-9]*-[0-9]+)";
  BadgeThresholds badges;
  std::vector<live::Budget> budgets;
  bool store_prompt_text = true;  // false: session-file runs get no title from the prompt
  int title_words = 8;            // words of the prompt kept as the title
  std::string path;               // where it was read from (empty: defaults only)
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Config default_config();
// $XDG_CONFIG_HOME/costdeck/config.json, else ~/.config/costdeck/config.json.
std::string default_config_path();
// Reads `path` (empty: the default path). A missing default file gives the defaults; a
// missing explicit file, bad JSON or a bad value throws ConfigError naming the key.
Config load_config(const std::string& path);
Config parse_config(const std::string& json_text, const std::string& origin);
std::string config_to_json(const Config& c);  // pretty, the same shape load_config reads

// "green" / "yellow" / "orange" / "red"
const char* badge_for_cost(const BadgeThresholds& t, double cost_usd);

}  // namespace costdeck
