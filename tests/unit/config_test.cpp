// The config file: defaults, overrides, and clear errors for bad values.

#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/runs/attribution.hpp"

using namespace costdeck;

// Defaults: tier by model family, MIN-123 style branches, badges 5/20/50.
TEST(Config, DefaultsAreVisibleAndSensible) {
  Config c = default_config();
  ASSERT_EQ(c.tier_rules.size(), 4u);
  EXPECT_EQ(c.tier_rules[0].tier, "opus");
  EXPECT_STREQ(badge_for_cost(c.badges, 4.99), "green");
  EXPECT_STREQ(badge_for_cost(c.badges, 5), "yellow");
  EXPECT_STREQ(badge_for_cost(c.badges, 19.99), "yellow");
  EXPECT_STREQ(badge_for_cost(c.badges, 20), "orange");
  EXPECT_STREQ(badge_for_cost(c.badges, 50), "red");
  // The printed config reads back to the same thing.
  Config back = parse_config(config_to_json(c), "roundtrip");
  EXPECT_EQ(back.tier_rules.size(), c.tier_rules.size());
  EXPECT_EQ(back.issue_branch_pattern, c.issue_branch_pattern);
}

// A file's rules replace the default list; badges and budgets parse.
TEST(Config, OverridesParse) {
  Config c = parse_config(R"j({"tiers":{"rules":[{"tier":"cheap","subagent":true},{"tier":"lead","agent":"planner"}],
    "default":"main"},"issues":{"branch_pattern":"(ENG-[0-9]+)","badges":{"green_below":1,"yellow_below":2,"orange_below":3}},
    "budgets":[{"tier":"cheap","period":"day","limit":10}],"runs":{"store_prompt_text":false}})j",
                          "test");
  ASSERT_EQ(c.tier_rules.size(), 2u);
  EXPECT_EQ(c.default_tier, "main");
  EXPECT_EQ(c.issue_branch_pattern, "(ENG-[0-9]+)");
  EXPECT_STREQ(badge_for_cost(c.badges, 2.5), "orange");
  ASSERT_EQ(c.budgets.size(), 1u);
  EXPECT_EQ(c.budgets[0].tier, "cheap");
  EXPECT_FALSE(c.store_prompt_text);
}

// Bad values name the key; a missing explicit file is an error, a missing default file is not.
TEST(Config, BadValuesAreClearErrors) {
  auto msg = [](const char* text) {
    try {
      parse_config(text, "f.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg("{bad").find("invalid JSON"), std::string::npos);
  EXPECT_NE(msg(R"j({"tiers":{"rules":[{"model":"x"}]}})j").find("tiers.rules[0]"), std::string::npos);
  EXPECT_NE(msg(R"j({"tiers":{"rules":[{"tier":"a","modle":"x"}]}})j").find("modle"), std::string::npos);
  EXPECT_NE(msg(R"j({"issues":{"branch_pattern":"(["}})j").find("branch_pattern"), std::string::npos);
  EXPECT_NE(msg(R"j({"issues":{"badges":{"green_below":30}}})j").find("rise"), std::string::npos);
  EXPECT_NE(msg(R"j({"budgets":[{"limit":-1}]})j").find("budgets[0].limit"), std::string::npos);
  EXPECT_THROW(load_config("/nonexistent/costdeck.json"), ConfigError);
}

// Tier rules: first match wins; each condition narrows; no match -> the default tier.
TEST(Config, TierRules) {
  Config c = parse_config(R"j({"tiers":{"rules":[
    {"tier":"review","agent":"reviewer"},
    {"tier":"sub-haiku","subagent":true,"model":"haiku"},
    {"tier":"codex","runtime":"codex"},
    {"tier":"long","min_duration_ms":600000},
    {"tier":"app","project":"/w/app"}],"default":"main"}})j",
                          "t");
  using runs::TierInput;
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"Code-Reviewer", "claude-opus-4-5", "claude-code", "/x", false, {}}), "review");
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"", "claude-haiku-4-5", "claude-code", "/x", true, {}}), "sub-haiku");
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"", "claude-haiku-4-5", "claude-code", "/x", false, {}}), "main");
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"", "gpt-5", "codex", "/x", false, {}}), "codex");
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"", "m", "claude", "/x", false, 700000}), "long");
  EXPECT_EQ(runs::tier_by_rules(c, TierInput{"", "m", "claude", "/w/app/sub", false, 1000}), "app");
  // Defaults: by model family.
  Config d = default_config();
  EXPECT_EQ(runs::tier_by_rules(d, TierInput{"", "claude-sonnet-4-5-20250929", "claude-code", "", false, {}}), "sonnet");
  EXPECT_EQ(runs::tier_by_rules(d, TierInput{"", "mystery", "claude-code", "", false, {}}), "other");
}

// Branch -> issue: first capture group, upper-cased; none -> empty.
TEST(Config, IssueFromBranch) {
  const std::string p = default_config().issue_branch_pattern;
  EXPECT_EQ(runs::issue_from_branch(p, "feature/MIN-123-login"), "MIN-123");
  EXPECT_EQ(runs::issue_from_branch(p, "alice/min-42-fix-thing"), "MIN-42");
  EXPECT_EQ(runs::issue_from_branch(p, "main"), "");
  EXPECT_EQ(runs::issue_from_branch("(ENG-[0-9]+)", "feature/MIN-1-ENG-77"), "ENG-77");
  runs::IssueMatcher m(p);
  EXPECT_EQ(m.issue_for("fix/ABC-9"), "ABC-9");
  EXPECT_EQ(m.issue_for("fix/ABC-9"), "ABC-9");  // cached
}
