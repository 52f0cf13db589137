#pragma once
// The price table (assets/prices.json, plus the user's overrides) and the cost rules of
// formats.md: what one counted response costs under each mode and long-context rule.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace costdeck {

// USD per token (the JSON holds USD per million tokens).
struct TokenPrices {
  double input = 0, output = 0, cache_write_5m = 0, cache_write_1h = 0, cache_read = 0;
};

struct ModelPrice {
  std::string match;  // family, e.g. "claude-sonnet-4-5"
  TokenPrices base;
  std::int64_t long_context_threshold = 0;  // 0: the model has no long-context prices
  TokenPrices long_context;
  double fast_multiplier = 1.0;  // usage.speed == "fast"
  // ccusage 20.0.24's prices where they differ from the published ones (--compat ccusage).
  std::optional<TokenPrices> ccusage;
};

class PriceTable {
 public:
  // The table compiled into the binary. Throws only if the embedded asset is broken.
  static PriceTable builtin();

  // Merges a JSON document of the same shape over this table: an entry whose `match` is
  // already known replaces the fields it gives; other entries are added. False with a
  // message (and the table unchanged) on bad JSON or a bad entry.
  bool merge_json(std::string_view json, std::string* error);
  bool merge_file(const std::string& path, std::string* error);

  // The family that prices `model`, or nullptr. See assets/prices.json for the rule.
  const ModelPrice* find(std::string_view model) const;

  const std::vector<ModelPrice>& models() const { return models_; }

 private:
  std::vector<ModelPrice> models_;
};

// The user's price file: $XDG_CONFIG_HOME/costdeck/prices.json (else ~/.config/...).
std::string default_user_prices_path();

enum class CostMode : std::uint8_t { Auto, Calculate, Display };
std::optional<CostMode> cost_mode_from_name(std::string_view name);

enum class LongContextRule : std::uint8_t {
  // Anthropic's billing: a request whose prompt exceeds the threshold has ALL its tokens,
  // output included, billed at the long-context prices.
  Billing,
  // ccusage 20.0.24: each token category separately, first `threshold` tokens at base.
  PerCategory,
};

struct CostRules {
  CostMode mode = CostMode::Auto;
  LongContextRule long_context = LongContextRule::Billing;
  bool ccusage_prices = false;  // use ModelPrice::ccusage where present
};

struct ResponseCost {
  double usd = 0;
  // False when the cost had to be calculated but the model has no price: the tokens are
  // real, the $0 is not, and reports list the model as unknown.
  bool priced = true;
};

// Calculated cost of one response at `price` (nullptr: unknown model).
double calculate_cost(const ModelPrice& price, const TokenCounts& t, bool fast, const CostRules& rules);

ResponseCost response_cost(const ModelPrice* price, const TokenCounts& t, std::optional<double> cost_usd,
                           bool fast, const CostRules& rules);

}  // namespace costdeck
