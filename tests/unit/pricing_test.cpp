#include "core/pricing.hpp"

#include <gtest/gtest.h>

namespace costdeck {
namespace {

const PriceTable& table() {
  static const PriceTable t = PriceTable::builtin();
  return t;
}

std::string family(const char* model) {
  const ModelPrice* p = table().find(model);
  return p ? p->match : std::string("<none>");
}

// Model ids carry dates, provider prefixes and variants; a family never swallows a newer version.
TEST(Pricing, MatchesByFamily) {
  EXPECT_EQ(family("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
  EXPECT_EQ(family("claude-sonnet-4-20250514"), "claude-sonnet-4");
  EXPECT_EQ(family("anthropic/claude-sonnet-4-5"), "claude-sonnet-4-5");
  EXPECT_EQ(family("claude-sonnet-4-5@20250929"), "claude-sonnet-4-5");
  EXPECT_EQ(family("us.anthropic.claude-opus-4-1-20250805-v1:0"), "claude-opus-4-1");
  EXPECT_EQ(family("claude-opus-4-20250514"), "claude-opus-4");
  EXPECT_EQ(family("claude-3-5-haiku-latest"), "claude-3-5-haiku");
  EXPECT_EQ(family("gpt-5-codex"), "gpt-5-codex");
  EXPECT_EQ(family("gpt-5.1-codex"), "gpt-5.1-codex");
  EXPECT_EQ(family("gpt-5-2025-08-07"), "gpt-5");
  EXPECT_EQ(family("openai/gpt-4.1-mini"), "gpt-4.1-mini");
  EXPECT_EQ(family("gemini-2.5-pro"), "gemini-2.5-pro");
  // Unknown versions are not priced as their neighbours.
  EXPECT_EQ(family("claude-sonnet-4-7"), "<none>");
  EXPECT_EQ(family("gpt-5.3"), "<none>");
  EXPECT_EQ(family("mystery-model"), "<none>");
  EXPECT_EQ(family(""), "<none>");
}

TokenCounts tokens(std::int64_t in, std::int64_t out, std::int64_t w5, std::int64_t w1h, std::int64_t rd) {
  TokenCounts t;
  t.input = in;
  t.output = out;
  t.cache_write_5m = w5;
  t.cache_write_1h = w1h;
  t.cache_read = rd;
  return t;
}

// formats.md: in x input + out x output + 5m x write + 1h x (2 x input) + read x cache_read.
TEST(Pricing, CalculatedCostPerCategory) {
  const ModelPrice* opus = table().find("claude-opus-4-5-20251101");
  ASSERT_NE(opus, nullptr);
  double c = calculate_cost(*opus, tokens(1'000'000, 1'000'000, 1'000'000, 1'000'000, 1'000'000), false, {});
  EXPECT_NEAR(c, 5 + 25 + 6.25 + 10 + 0.5, 1e-9);
}

// The 1h cache write costs twice the input price (Sonnet: $6/M), not the 5m price.
TEST(Pricing, OneHourCacheWrite) {
  const ModelPrice* s = table().find("claude-sonnet-4-5");
  ASSERT_NE(s, nullptr);
  EXPECT_NEAR(calculate_cost(*s, tokens(0, 0, 0, 100'000, 0), false, {}), 0.6, 1e-12);
  EXPECT_NEAR(calculate_cost(*s, tokens(0, 0, 100'000, 0, 0), false, {}), 0.375, 1e-12);
}

// A 250k-token prompt: Anthropic bills every token of the request at the long-context
// price; ccusage tiers each category at 200k separately.
TEST(Pricing, LongContextRulesOn250kPrompt) {
  const ModelPrice* s = table().find("claude-sonnet-4-5-20250929");
  ASSERT_NE(s, nullptr);
  TokenCounts t = tokens(10'000, 2'000, 0, 0, 240'000);  // prompt 250k, no category > 200k but cache read
  CostRules billing;
  CostRules ccusage;
  ccusage.long_context = LongContextRule::PerCategory;
  // Billing: 10k x 6 + 2k x 22.5 + 240k x 0.6 (per M)
  EXPECT_NEAR(calculate_cost(*s, t, false, billing), 0.06 + 0.045 + 0.144, 1e-12);
  // ccusage: input and output under 200k at base; cache read 200k x 0.3 + 40k x 0.6
  EXPECT_NEAR(calculate_cost(*s, t, false, ccusage), 0.03 + 0.03 + 0.06 + 0.024, 1e-12);
  // Under the threshold both rules agree.
  TokenCounts small = tokens(1000, 1000, 1000, 0, 150'000);
  EXPECT_NEAR(calculate_cost(*s, small, false, billing), calculate_cost(*s, small, false, ccusage), 1e-15);
}

TEST(Pricing, CostModes) {
  const ModelPrice* h = table().find("claude-haiku-4-5");
  TokenCounts t = tokens(1'000'000, 0, 0, 0, 0);  // $1 calculated
  CostRules r;
  r.mode = CostMode::Auto;
  EXPECT_NEAR(response_cost(h, t, 0.25, false, r).usd, 0.25, 1e-12);  // the line's costUSD wins
  EXPECT_NEAR(response_cost(h, t, std::nullopt, false, r).usd, 1.0, 1e-12);
  r.mode = CostMode::Calculate;
  EXPECT_NEAR(response_cost(h, t, 0.25, false, r).usd, 1.0, 1e-12);
  r.mode = CostMode::Display;
  EXPECT_NEAR(response_cost(h, t, std::nullopt, false, r).usd, 0.0, 1e-12);
  EXPECT_NEAR(response_cost(h, t, 0.25, false, r).usd, 0.25, 1e-12);
}

// Unknown models are never silently priced at zero: the result says "not priced".
TEST(Pricing, UnknownModelIsFlagged) {
  TokenCounts t = tokens(100, 10, 0, 0, 0);
  ResponseCost c = response_cost(nullptr, t, std::nullopt, false, {});
  EXPECT_FALSE(c.priced);
  EXPECT_EQ(c.usd, 0.0);
  EXPECT_TRUE(response_cost(nullptr, t, 0.5, false, {}).priced);  // auto: its own costUSD
}

TEST(Pricing, FastModeMultiplier) {
  const ModelPrice* o = table().find("claude-opus-4-6");
  ASSERT_NE(o, nullptr);
  EXPECT_NEAR(calculate_cost(*o, tokens(100'000, 0, 0, 0, 0), true, {}), 3.0, 1e-12);
  EXPECT_NEAR(calculate_cost(*o, tokens(100'000, 0, 0, 0, 0), false, {}), 0.5, 1e-12);
}

// A user file overrides a field of a known family and adds new families.
TEST(Pricing, UserOverrideMerges) {
  PriceTable t = PriceTable::builtin();
  std::string err;
  ASSERT_TRUE(t.merge_json(R"({"models":[{"match":"claude-haiku-4-5","output":6},
                                          {"match":"acme-coder","input":2,"output":4}]})",
                           &err))
      << err;
  const ModelPrice* h = t.find("claude-haiku-4-5-20251001");
  ASSERT_NE(h, nullptr);
  EXPECT_NEAR(h->base.output * 1e6, 6, 1e-9);
  EXPECT_NEAR(h->base.input * 1e6, 1, 1e-9);  // untouched field kept
  const ModelPrice* a = t.find("acme-coder-v2");
  ASSERT_NE(a, nullptr);
  EXPECT_NEAR(a->base.cache_write_1h * 1e6, 4, 1e-9);  // default 2 x input
  EXPECT_FALSE(t.merge_json("{\"models\":[{\"match\":\"x\"}]}", &err));
  EXPECT_NE(err.find("input"), std::string::npos);
  EXPECT_FALSE(t.merge_json("not json", &err));
}

// Where ccusage 20.0.24 prices a model differently, only --compat ccusage uses its price.
TEST(Pricing, CcusagePricesOnlyInCompat) {
  const ModelPrice* o3 = table().find("o3");
  ASSERT_NE(o3, nullptr);
  TokenCounts t = tokens(1'000'000, 0, 0, 0, 0);
  CostRules compat;
  compat.ccusage_prices = true;
  EXPECT_NEAR(calculate_cost(*o3, t, false, {}), 2.0, 1e-9);
  EXPECT_NEAR(calculate_cost(*o3, t, false, compat), 0.55, 1e-9);
}

}  // namespace
}  // namespace costdeck
