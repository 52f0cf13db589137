#include "core/config.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace costdeck {
namespace {

using nlohmann::json;

TierRule rule(std::string tier, std::string model) {
  TierRule r;
  r.tier = std::move(tier);
  r.model = std::move(model);
  return r;
}

std::string get_string(const json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_string()) throw ConfigError(where + "." + key + ": expected a string");
  return v.get<std::string>();
}

double get_number(const json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_number()) throw ConfigError(where + "." + key + ": expected a number");
  return v.get<double>();
}

TierRule parse_rule(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": expected an object");
  TierRule r;
  static const char* kKnown[] = {"tier", "agent", "subagent", "model", "runtime", "project", "min_duration_ms"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : kKnown) ok = ok || it.key() == k;
    if (!ok) throw ConfigError(where + ": unknown key \"" + it.key() + "\"");
  }
  if (!j.contains("tier")) throw ConfigError(where + ": \"tier\" is required");
  r.tier = get_string(j, "tier", where);
  if (r.tier.empty()) throw ConfigError(where + ".tier: must not be empty");
  if (j.contains("agent")) r.agent = get_string(j, "agent", where);
  if (j.contains("model")) r.model = get_string(j, "model", where);
  if (j.contains("runtime")) r.runtime = get_string(j, "runtime", where);
  if (j.contains("project")) r.project = get_string(j, "project", where);
  if (j.contains("subagent")) {
    if (!j["subagent"].is_boolean()) throw ConfigError(where + ".subagent: expected true or false");
    r.subagent = j["subagent"].get<bool>();
  }
  if (j.contains("min_duration_ms")) r.min_duration_ms = static_cast<std::int64_t>(get_number(j, "min_duration_ms", where));
  return r;
}

live::Budget parse_budget(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": expected an object");
  live::Budget b;
  if (j.contains("name")) b.name = get_string(j, "name", where);
  if (j.contains("unit")) {
    auto u = live::budget_unit_from_name(get_string(j, "unit", where));
    if (!u) throw ConfigError(where + ".unit: expected usd or tokens");
    b.unit = *u;
  }
  if (j.contains("period")) {
    auto p = live::budget_period_from_name(get_string(j, "period", where));
    if (!p) throw ConfigError(where + ".period: expected day, week, month, session or block");
    b.period = *p;
  }
  if (!j.contains("limit")) throw ConfigError(where + ": \"limit\" is required");
  b.limit = get_number(j, "limit", where);
  if (b.limit <= 0) throw ConfigError(where + ".limit: must be above zero");
  if (j.contains("tier")) b.tier = get_string(j, "tier", where);
  if (j.contains("project")) b.project = get_string(j, "project", where);
  if (j.contains("command")) b.command = get_string(j, "command", where);
  if (j.contains("thresholds")) {
    const auto& t = j["thresholds"];
    if (!t.is_array()) throw ConfigError(where + ".thresholds: expected an array of fractions");
    b.thresholds.clear();
    for (const auto& v : t) {
      if (!v.is_number() || v.get<double>() <= 0) throw ConfigError(where + ".thresholds: expected fractions above zero");
      b.thresholds.push_back(v.get<double>());
    }
  }
  return b;
}

}  // namespace

Config default_config() {
  Config c;
  // By model family: visible in `costdeck config show`, replaced wholesale by a config's
  // "tiers.rules".
  c.tier_rules = {rule("opus", "opus"), rule("sonnet", "sonnet"), rule("haiku", "haiku"), rule("codex", "gpt")};
  return c;
}

std::string default_config_path() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/costdeck/config.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/costdeck/config.json";
  return "costdeck-config.json";
}

Config load_config(const std::string& path) {
  const bool explicit_path = !path.empty();
  const std::string p = explicit_path ? path : default_config_path();
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    if (explicit_path) throw ConfigError("config " + p + ": cannot open");
    return default_config();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Config c = parse_config(ss.str(), p);
  c.path = p;
  return c;
}

Config parse_config(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError("config " + origin + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) throw ConfigError("config " + origin + ": expected a JSON object");
  Config c = default_config();
  try {
    if (j.contains("tiers")) {
      const auto& t = j["tiers"];
      if (!t.is_object()) throw ConfigError("tiers: expected an object");
      if (t.contains("rules")) {
        if (!t["rules"].is_array()) throw ConfigError("tiers.rules: expected an array");
        c.tier_rules.clear();
        for (std::size_t i = 0; i < t["rules"].size(); ++i)
          c.tier_rules.push_back(parse_rule(t["rules"][i], "tiers.rules[" + std::to_string(i) + "]"));
      }
      if (t.contains("default")) c.default_tier = get_string(t, "default", "tiers");
    }
    if (j.contains("issues")) {
      const auto& is = j["issues"];
      if (!is.is_object()) throw ConfigError("issues: expected an object");
      if (is.contains("branch_pattern")) {
        c.issue_branch_pattern = get_string(is, "branch_pattern", "issues");
        try {
          std::regex re(c.issue_branch_pattern);
        } catch (const std::regex_error& e) {
          throw ConfigError("issues.branch_pattern: invalid regular expression: " + std::string(e.what()));
        }
      }
      if (is.contains("badges")) {
        const auto& b = is["badges"];
        if (!b.is_object()) throw ConfigError("issues.badges: expected an object");
        if (b.contains("green_below")) c.badges.green_below = get_number(b, "green_below", "issues.badges");
        if (b.contains("yellow_below")) c.badges.yellow_below = get_number(b, "yellow_below", "issues.badges");
        if (b.contains("orange_below")) c.badges.orange_below = get_number(b, "orange_below", "issues.badges");
        if (!(c.badges.green_below <= c.badges.yellow_below && c.badges.yellow_below <= c.badges.orange_below))
          throw ConfigError("issues.badges: thresholds must rise: green_below <= yellow_below <= orange_below");
      }
    }
    if (j.contains("budgets")) {
      if (!j["budgets"].is_array()) throw ConfigError("budgets: expected an array");
      for (std::size_t i = 0; i < j["budgets"].size(); ++i)
        c.budgets.push_back(parse_budget(j["budgets"][i], "budgets[" + std::to_string(i) + "]"));
    }
    if (j.contains("runs")) {
      const auto& r = j["runs"];
      if (!r.is_object()) throw ConfigError("runs: expected an object");
      if (r.contains("store_prompt_text")) {
        if (!r["store_prompt_text"].is_boolean()) throw ConfigError("runs.store_prompt_text: expected true or false");
        c.store_prompt_text = r["store_prompt_text"].get<bool>();
      }
      if (r.contains("title_words")) {
        double w = get_number(r, "title_words", "runs");
        if (w < 1 || w > 100) throw ConfigError("runs.title_words: expected 1..100");
        c.title_words = static_cast<int>(w);
      }
    }
  } catch (const ConfigError& e) {
    throw ConfigError("config " + origin + ": " + e.what());
  }
  return c;
}

std::string config_to_json(const Config& c) {
  json rules = json::array();
  for (const auto& r : c.tier_rules) {
    json o{{"tier", r.tier}};
    if (!r.agent.empty()) o["agent"] = r.agent;
    if (r.subagent) o["subagent"] = *r.subagent;
    if (!r.model.empty()) o["model"] = r.model;
    if (!r.runtime.empty()) o["runtime"] = r.runtime;
    if (!r.project.empty()) o["project"] = r.project;
    if (r.min_duration_ms) o["min_duration_ms"] = *r.min_duration_ms;
    rules.push_back(std::move(o));
  }
  json budgets = json::array();
  for (const auto& b : c.budgets) {
    json o{{"name", b.name},       {"unit", live::budget_unit_name(b.unit)}, {"period", live::budget_period_name(b.period)},
           {"limit", b.limit},     {"thresholds", b.thresholds}};
    if (!b.tier.empty()) o["tier"] = b.tier;
    if (!b.project.empty()) o["project"] = b.project;
    if (!b.command.empty()) o["command"] = b.command;
    budgets.push_back(std::move(o));
  }
  json j{{"tiers", {{"rules", rules}, {"default", c.default_tier}}},
         {"issues",
          {{"branch_pattern", c.issue_branch_pattern},
           {"badges",
            {{"green_below", c.badges.green_below},
             {"yellow_below", c.badges.yellow_below},
             {"orange_below", c.badges.orange_below}}}}},
         {"budgets", budgets},
         {"runs", {{"store_prompt_text", c.store_prompt_text}, {"title_words", c.title_words}}}};
  return j.dump(2);
}

const char* badge_for_cost(const BadgeThresholds& t, double cost) {
  if (cost < t.green_below) return "green";
  if (cost < t.yellow_below) return "yellow";
  if (cost < t.orange_below) return "orange";
  return "red";
}

}  // namespace costdeck
