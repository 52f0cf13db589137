#include "app/usage_context.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "core/store/store.hpp"

namespace costdeck::app {

std::int64_t now_from_options(const CommonOptions& o) {
  if (!o.now.empty()) {
    auto t = timeutil::parse_iso8601_ms(o.now);
    if (!t) throw std::invalid_argument("--now: expected an ISO 8601 time, got \"" + o.now + "\"");
    return *t;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

UsageContext load_usage_context(const CommonOptions& o, const UsageLoad& how) {
  UsageContext c;
  c.config = load_config(o.config);
  c.zone = o.timezone.empty() ? timeutil::Zone::local() : timeutil::Zone::named(o.timezone);
  c.now_ms = now_from_options(o);

  c.prices = PriceTable::builtin();
  std::string err;
  if (!how.prices_path.empty()) {
    if (!c.prices.merge_file(how.prices_path, &err)) throw std::invalid_argument("--prices: " + err);
  } else {
    std::error_code ec;
    std::string user = default_user_prices_path();
    if (std::filesystem::exists(user, ec) && !c.prices.merge_file(user, &err))
      throw std::invalid_argument(user + ": " + err);
  }
  auto mode = cost_mode_from_name(o.mode);
  if (!mode) throw std::invalid_argument("--mode: expected auto, calculate or display");
  c.rules.mode = *mode;
  if (o.compat == "ccusage") {
    c.rules.long_context = LongContextRule::PerCategory;
    c.rules.ccusage_prices = true;
    c.dedupe = store::DedupeRules::Ccusage;
  }

  store::UsageQuery q;
  q.rules = c.dedupe;
  q.since_ms = how.since_ms;
  // Live commands look at the last days only (see UsageQuery::nearby_chunks_only).
  q.nearby_chunks_only = how.since_ms.has_value();
  if (o.runtime != "all") q.runtime = runtime_from_name(o.runtime);

  const std::string path = store::resolve_db_path(o.db);
  if (o.no_scan || !how.scan) {
    if (!store::Store::exists(path)) return c;  // nothing ingested yet: empty usage
    auto s = store::Store::open(path, store::OpenMode::ReadOnly);
    c.usage = store::load_usage_table(s, q);
    return c;
  }
  auto s = store::Store::open(path);
  IngestOptions io;
  io.claude_dirs = o.claude_dirs;
  io.codex_dirs = o.codex_dirs;
  io.only_files = how.only_files;
  io.keep_activity = false;  // usage only, as the reports
  c.scan = ingest(s, io);
  c.scanned = true;
  c.usage = store::load_usage_table(s, q);
  return c;
}

}  // namespace costdeck::app
