#pragma once
// What every usage-reading command needs, prepared the same way: config, prices and cost
// rules from the flags, the clock, an incremental scan (unless --no-scan), and the counted
// usage from the store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "core/config.hpp"
#include "core/ingest.hpp"
#include "core/pricing.hpp"
#include "core/store/usage_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck::app {

struct UsageContext {
  Config config;
  PriceTable prices;
  CostRules rules;
  store::DedupeRules dedupe = store::DedupeRules::Costdeck;
  timeutil::Zone zone = timeutil::Zone::utc();
  std::int64_t now_ms = 0;
  bool scanned = false;
  IngestStats scan;
  store::UsageTable usage;
};

struct UsageLoad {
  std::optional<std::int64_t> since_ms;  // load only rows at or after this instant
  std::string prices_path;               // --prices; empty: the user's default file if present
  bool scan = true;                      // false: never read session files (status line fast path)
  std::vector<std::string> only_files;   // scan only these session files (the hook's transcript)
};

// Throws std::invalid_argument for bad flag values (the caller exits 2) and
// store::StoreError / ConfigError for a store or config that cannot be used.
UsageContext load_usage_context(const CommonOptions& o, const UsageLoad& how = {});

// --now if given, else the clock.
std::int64_t now_from_options(const CommonOptions& o);

}  // namespace costdeck::app
