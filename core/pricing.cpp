#include "core/pricing.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/embedded_assets.hpp"

namespace costdeck {
namespace {

using nlohmann::json;

constexpr double kPerMillion = 1'000'000.0;

// '.' and '@' separate versions and dates in some providers' ids (gpt-4.1,
// claude-sonnet-4-5@20250929); comparing with '-' everywhere lets one family cover them.
std::string normalize_id(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '.' || c == '@') c = '-';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// After a family that ends in a digit, "-5" is another version (claude-sonnet-4 vs
// claude-sonnet-4-5) but "-20250929" is a release date of the same one.
bool suffix_allows(std::string_view key, std::string_view suffix) {
  if (suffix.empty()) return true;
  if (is_alnum(suffix[0])) return false;
  if (!is_digit(key.back()) || suffix[0] != '-') return true;
  std::size_t digits = 0;
  while (1 + digits < suffix.size() && is_digit(suffix[1 + digits])) ++digits;
  if (digits == 0) return true;
  bool ends = 1 + digits == suffix.size() || !is_alnum(suffix[1 + digits]);
  if (digits == 8 && ends) return true;
  // OpenAI writes dates as -2025-08-07.
  auto d = [&](std::size_t i) { return i < suffix.size() && is_digit(suffix[i]); };
  return digits == 4 && suffix.size() >= 11 && suffix[5] == '-' && d(6) && d(7) && suffix[8] == '-' && d(9) &&
         d(10) && (suffix.size() == 11 || !is_alnum(suffix[11]));
}

bool family_matches(std::string_view model, std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t pos = model.find(key); pos != std::string_view::npos; pos = model.find(key, pos + 1)) {
    if (pos > 0 && is_alnum(model[pos - 1])) continue;
    if (suffix_allows(key, model.substr(pos + key.size()))) return true;
  }
  return false;
}

double per_token(const json& obj, const char* field, double fallback) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number()) throw std::runtime_error(std::string("'") + field + "' is not a number");
  double v = it->get<double>();
  if (v < 0) throw std::runtime_error(std::string("'") + field + "' is negative");
  return v / kPerMillion;
}

// Missing cache prices follow Anthropic's ratios: 5m write 1.25x input, 1h write 2x input,
// read 0.1x input. OpenAI and Google have no cache writes, so the defaults never bill there.
TokenPrices parse_prices(const json& obj, const TokenPrices* base) {
  TokenPrices p;
  p.input = per_token(obj, "input", base ? base->input : 0);
  p.output = per_token(obj, "output", base ? base->output : 0);
  p.cache_write_5m = per_token(obj, "cache_write_5m", base ? base->cache_write_5m : p.input * 1.25);
  p.cache_write_1h = per_token(obj, "cache_write_1h", base ? base->cache_write_1h : p.input * 2);
  p.cache_read = per_token(obj, "cache_read", base ? base->cache_read : p.input * 0.1);
  return p;
}

// `prev` is the entry being overridden (same match), so an override may give one field.
ModelPrice parse_entry(const json& e, const ModelPrice* prev) {
  if (!e.is_object()) throw std::runtime_error("a model entry is not an object");
  auto m = e.find("match");
  if (m == e.end() || !m->is_string() || m->get<std::string>().empty())
    throw std::runtime_error("a model entry has no 'match' string");
  ModelPrice out = prev ? *prev : ModelPrice{};
  out.match = m->get<std::string>();
  if (prev) {
    out.base = parse_prices(e, &prev->base);
  } else {
    if (!e.contains("input") || !e.contains("output"))
      throw std::runtime_error("'" + out.match + "' needs at least 'input' and 'output'");
    out.base = parse_prices(e, nullptr);
  }
  if (auto lc = e.find("long_context"); lc != e.end() && !lc->is_null()) {
    if (!lc->is_object()) throw std::runtime_error("'" + out.match + "': long_context is not an object");
    out.long_context_threshold = lc->value("threshold", std::int64_t{200000});
    out.long_context = parse_prices(*lc, nullptr);
  }
  if (auto f = e.find("fast_multiplier"); f != e.end() && f->is_number()) out.fast_multiplier = f->get<double>();
  if (auto c = e.find("ccusage"); c != e.end() && c->is_object()) out.ccusage = parse_prices(*c, &out.base);
  return out;
}

}  // namespace

PriceTable PriceTable::builtin() {
  PriceTable t;
  std::string err;
  if (!t.merge_json(assets::kPricesJson, &err)) throw std::runtime_error("built-in price table: " + err);
  return t;
}

bool PriceTable::merge_json(std::string_view text, std::string* error) {
  try {
    json doc = json::parse(text);
    const json* list = nullptr;
    if (doc.is_object() && doc.contains("models")) list = &doc["models"];
    else if (doc.is_array()) list = &doc;
    if (!list || !list->is_array()) throw std::runtime_error("expected {\"models\": [...]}");
    std::vector<ModelPrice> merged = models_;
    for (const json& e : *list) {
      std::string key = e.is_object() ? e.value("match", std::string()) : std::string();
      ModelPrice* prev = nullptr;
      for (auto& m : merged)
        if (normalize_id(m.match) == normalize_id(key)) prev = &m;
      ModelPrice p = parse_entry(e, prev);
      if (prev) *prev = std::move(p);
      else merged.push_back(std::move(p));
    }
    models_ = std::move(merged);
    return true;
  } catch (const std::exception& ex) {
    if (error) *error = ex.what();
    return false;
  }
}

bool PriceTable::merge_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + path;
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string err;
  if (!merge_json(ss.str(), &err)) {
    if (error) *error = path + ": " + err;
    return false;
  }
  return true;
}

const ModelPrice* PriceTable::find(std::string_view model) const {
  if (model.empty()) return nullptr;
  const std::string id = normalize_id(model);
  const ModelPrice* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& m : models_) {
    std::string key = normalize_id(m.match);
    if (key.size() > best_len && family_matches(id, key)) {
      best = &m;
      best_len = key.size();
    }
  }
  return best;
}

std::string default_user_prices_path() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/costdeck/prices.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/costdeck/prices.json";
  return {};
}

std::optional<CostMode> cost_mode_from_name(std::string_view name) {
  if (name == "auto") return CostMode::Auto;
  if (name == "calculate") return CostMode::Calculate;
  if (name == "display") return CostMode::Display;
  return std::nullopt;
}

namespace {

double flat(const TokenPrices& p, const TokenCounts& t) {
  return static_cast<double>(t.input) * p.input + static_cast<double>(t.output) * p.output +
         static_cast<double>(t.cache_write_5m) * p.cache_write_5m +
         static_cast<double>(t.cache_write_1h) * p.cache_write_1h + static_cast<double>(t.cache_read) * p.cache_read;
}

double tiered(std::int64_t tokens, double base, double above, std::int64_t threshold) {
  if (tokens <= threshold) return static_cast<double>(tokens) * base;
  return static_cast<double>(threshold) * base + static_cast<double>(tokens - threshold) * above;
}

}  // namespace

double calculate_cost(const ModelPrice& price, const TokenCounts& t, bool fast, const CostRules& rules) {
  TokenPrices base = price.base;
  if (rules.ccusage_prices && price.ccusage) base = *price.ccusage;
  double multiplier = fast ? price.fast_multiplier : 1.0;
  const std::int64_t threshold = price.long_context_threshold;
  if (threshold <= 0) return flat(base, t) * multiplier;
  const TokenPrices& lc = price.long_context;
  if (rules.long_context == LongContextRule::Billing) {
    return flat(t.prompt() > threshold ? lc : base, t) * multiplier;
  }
  // ccusage prices the 1h write at twice the input price in both tiers, whatever the table says.
  double cost = tiered(t.input, base.input, lc.input, threshold) +
                tiered(t.output, base.output, lc.output, threshold) +
                tiered(t.cache_write_5m, base.cache_write_5m, lc.cache_write_5m, threshold) +
                tiered(t.cache_write_1h, base.input * 2, lc.input * 2, threshold) +
                tiered(t.cache_read, base.cache_read, lc.cache_read, threshold);
  return cost * multiplier;
}

ResponseCost response_cost(const ModelPrice* price, const TokenCounts& t, std::optional<double> cost_usd,
                           bool fast, const CostRules& rules) {
  switch (rules.mode) {
    case CostMode::Display: return {cost_usd.value_or(0.0), true};
    case CostMode::Auto:
      if (cost_usd) return {*cost_usd, true};
      break;
    case CostMode::Calculate: break;
  }
  if (!price) return {0.0, t.total() == 0};
  return {calculate_cost(*price, t, fast, rules), true};
}

}  // namespace costdeck
