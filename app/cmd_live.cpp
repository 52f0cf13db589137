// `costdeck report blocks`, `costdeck report budgets` and `costdeck statusline`: what is
// happening now, on the command line.

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.hpp"
#include "app/usage_context.hpp"
#include "core/live/live_snapshot.hpp"
#include "core/live/live_usage.hpp"
#include "core/report/render.hpp"

namespace costdeck::app {
namespace {

using nlohmann::json;

struct BlocksFlags {
  std::string token_limit;  // a number or "max"
  bool active = false, recent = false;
  double session_hours = 5;
  std::string prices;
};

// ccusage prints whole-number costs as integers (0, not 0.0).
json json_number(double v) {
  return v == std::floor(v) && std::fabs(v) < 1e15 ? json(static_cast<std::int64_t>(v)) : json(v);
}

json iso_or_null(const std::optional<std::int64_t>& t) {
  return t ? json(timeutil::format_iso8601_ms(*t)) : json(nullptr);
}

json block_json(const live::Block& b, const store::UsageTable& t, std::optional<std::int64_t> limit) {
  json j;
  j["id"] =
      b.is_gap ? "gap-" + timeutil::format_iso8601_ms(b.start_ms) : timeutil::format_iso8601_ms(b.start_ms);
  j["startTime"] = timeutil::format_iso8601_ms(b.start_ms);
  j["endTime"] = timeutil::format_iso8601_ms(b.end_ms);
  j["actualEndTime"] = iso_or_null(b.actual_end_ms);
  j["isActive"] = b.is_active;
  j["isGap"] = b.is_gap;
  j["entries"] = b.entries;
  j["tokenCounts"] = {{"inputTokens", b.tokens.input},
                      {"outputTokens", b.tokens.output},
                      {"cacheCreationInputTokens", b.tokens.cache_write()},
                      {"cacheReadInputTokens", b.tokens.cache_read}};
  j["totalTokens"] = b.tokens.total();
  j["costUSD"] = json_number(b.cost_usd);
  json models = json::array();
  // API-error placeholders are not a model (ccusage leaves them out too).
  for (auto m : b.models)
    if (std::string name = live::block_model_name(t, m); name != "<synthetic>") models.push_back(name);
  j["models"] = models;
  if (b.burn)
    j["burnRate"] = {{"tokensPerMinute", b.burn->tokens_per_minute},
                     {"tokensPerMinuteForIndicator", b.burn->tokens_per_minute_non_cache},
                     {"costPerHour", b.burn->cost_per_hour}};
  else
    j["burnRate"] = nullptr;
  if (b.projection) {
    j["projection"] = {{"totalTokens", b.projection->total_tokens},
                       {"totalCost", b.projection->total_cost},
                       {"remainingMinutes", b.projection->remaining_minutes}};
    if (limit && *limit > 0) {
      auto projected = b.projection->total_tokens;
      j["tokenLimitStatus"] = {
          {"limit", *limit},
          {"projectedUsage", projected},
          {"percentUsed", static_cast<double>(projected) / static_cast<double>(*limit) * 100.0},
          {"status", live::limit_status_name(live::limit_status(projected, *limit))}};
    }
  } else {
    j["projection"] = nullptr;
  }
  return j;
}

std::string hm(std::int64_t ms) {
  std::int64_t m = std::max<std::int64_t>(0, ms / 60000);
  return std::to_string(m / 60) + "h " + std::to_string(m % 60) + "m";
}

int run_blocks(const CommonOptions& o, const BlocksFlags& f) {
  CommonOptions oc = o;
  if (oc.runtime == "all") oc.runtime = "claude";  // blocks are Claude's subscription windows
  UsageLoad how;
  how.prices_path = f.prices;
  UsageContext c = load_usage_context(oc, how);
  auto costs = live::price_rows(c.usage, c.prices, c.rules);
  auto block_ms = static_cast<std::int64_t>(f.session_hours * static_cast<double>(live::kHourMs));
  auto blocks = live::identify_blocks(live::block_entries(c.usage, costs), c.now_ms, block_ms);

  std::optional<std::int64_t> limit;
  if (f.token_limit == "max") {
    limit = live::max_block_tokens(blocks);
  } else if (!f.token_limit.empty()) {
    try {
      limit = std::stoll(f.token_limit);
    } catch (...) {
      throw std::invalid_argument("--token-limit: expected a number of tokens or \"max\"");
    }
  }
  auto since = o.since.empty() ? std::nullopt : timeutil::parse_day(o.since);
  auto until = o.until.empty() ? std::nullopt : timeutil::parse_day(o.until);
  if ((!o.since.empty() && !since) || (!o.until.empty() && !until))
    throw std::invalid_argument("--since/--until: expected YYYY-MM-DD or YYYYMMDD");
  std::vector<const live::Block*> shown;
  for (const auto& b : blocks) {
    auto d = c.zone.day_of(b.start_ms);
    if ((since && d < *since) || (until && d > *until)) continue;
    if (f.active && !b.is_active) continue;
    if (f.recent && b.start_ms < c.now_ms - 3 * 24 * live::kHourMs) continue;
    shown.push_back(&b);
  }

  if (o.json) {
    json arr = json::array();
    for (auto* b : shown) arr.push_back(block_json(*b, c.usage, limit));
    std::cout << json{{"blocks", arr}}.dump(2) << "\n";
    return 0;
  }
  if (shown.empty()) {
    std::cout << "No Claude usage in the selected range.\n";
    return 0;
  }
  std::printf("%-22s %-26s %14s %10s  %s\n", "Block start (UTC)", "Status", "Tokens", "Cost", "Models");
  for (auto* b : shown) {
    std::string start = timeutil::format_iso8601_ms(b->start_ms).substr(0, 16);
    start[10] = ' ';
    std::string status;
    if (b->is_gap)
      status = "gap " + hm(b->end_ms - b->start_ms);
    else if (b->is_active)
      status = "ACTIVE, " + hm(b->end_ms - c.now_ms) + " left";
    else
      status = hm(b->actual_end_ms.value_or(b->start_ms) - b->start_ms);
    std::string models;
    for (auto m : b->models)
      if (std::string name = live::block_model_name(c.usage, m); name != "<synthetic>")
        models += (models.empty() ? "" : ", ") + name;
    std::printf("%-22s %-26s %14s %10s  %s\n", start.c_str(), status.c_str(),
                b->is_gap ? "-" : report::format_count(b->tokens.total()).c_str(),
                b->is_gap ? "-" : report::format_usd(b->cost_usd).c_str(), models.c_str());
    if (b->is_active && b->projection) {
      std::printf("%-22s %-26s %14s %10s\n", "", "projected at block end",
                  report::format_count(b->projection->total_tokens).c_str(),
                  report::format_usd(b->projection->total_cost).c_str());
      if (b->burn)
        std::printf("%-22s %-26s %14s %10s\n", "", "burn rate (per min / hour)",
                    report::format_count(std::llround(b->burn->tokens_per_minute)).c_str(),
                    report::format_usd(b->burn->cost_per_hour).c_str());
    }
  }
  if (limit)
    std::printf("\nToken limit: %s (%s)\n", report::format_count(*limit).c_str(),
                f.token_limit == "max" ? "largest past block" : "configured");
  return 0;
}

// The same periods as the window's budgets (core/live/live_snapshot.cpp).
live::PeriodFn period_fn(const timeutil::Zone& zone) {
  return live::zone_periods(zone);
}

// Exit status of `report budgets` when a budget is exceeded: distinct from errors (1) and
// usage errors (2), so an orchestrator can stop spending.
constexpr int kBudgetExceeded = 3;

int run_budgets(const CommonOptions& o, const std::string& prices) {
  UsageLoad how;
  how.prices_path = prices;
  // Only the last ~5 weeks matter to day/week/month/block budgets and the live session.
  how.since_ms = now_from_options(o) - 40LL * 24 * live::kHourMs;
  UsageContext c = load_usage_context(o, how);
  auto costs = live::price_rows(c.usage, c.prices, c.rules);
  std::vector<std::string> tiers;
  auto samples = live::budget_samples(c.usage, costs, c.config, tiers);
  auto statuses = live::evaluate_budgets(c.config.budgets, samples, c.now_ms, period_fn(c.zone));
  bool exceeded = false;
  json arr = json::array();
  for (const auto& s : statuses) {
    exceeded |= s.status == live::LimitStatus::Exceeded;
    arr.push_back({{"name", live::budget_display_name(s.budget)},
                   {"unit", live::budget_unit_name(s.budget.unit)},
                   {"period", live::budget_period_name(s.budget.period)},
                   {"tier", s.budget.tier},
                   {"project", s.budget.project},
                   {"limit", s.budget.limit},
                   {"used", s.used},
                   {"projected", s.projected},
                   {"percentUsed", s.fraction * 100.0},
                   {"status", live::limit_status_name(s.status)},
                   {"periodStart", timeutil::format_iso8601_ms(s.period.start_ms)},
                   {"periodEnd", timeutil::format_iso8601_ms(s.period.end_ms)},
                   {"session", s.session}});
  }
  if (o.json) {
    std::cout << json{{"budgets", arr}, {"exceeded", exceeded}}.dump(2) << "\n";
  } else if (statuses.empty()) {
    std::cout << "No budgets configured. Add \"budgets\" to "
              << (c.config.path.empty() ? default_config_path() : c.config.path) << " (see README).\n";
  } else {
    std::printf("%-32s %8s %14s %14s %14s %7s  %s\n", "Budget", "Unit", "Used", "Limit", "Projected", "Used%",
                "Status");
    for (const auto& s : statuses) {
      bool usd = s.budget.unit == live::BudgetUnit::Usd;
      auto fmt = [&](double v) {
        return usd ? report::format_usd(v) : report::format_count(std::llround(v));
      };
      std::printf("%-32s %8s %14s %14s %14s %6.1f%%  %s\n", live::budget_display_name(s.budget).c_str(),
                  live::budget_unit_name(s.budget.unit), fmt(s.used).c_str(), fmt(s.budget.limit).c_str(),
                  fmt(s.projected).c_str(), s.fraction * 100.0, live::limit_status_name(s.status));
    }
  }
  return exceeded ? kBudgetExceeded : 0;
}

bool statusline_full_scan = false;  // --all-files

// Claude Code pipes a JSON object describing the session to the status line command.
int run_statusline(const CommonOptions& o) {
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  std::string session_id, model_name, transcript;
  json hook = json::parse(input, nullptr, false);
  if (hook.is_object()) {
    session_id = hook.value("session_id", "");
    if (hook.contains("transcript_path") && hook["transcript_path"].is_string())
      transcript = hook["transcript_path"].get<std::string>();
    if (hook.contains("model") && hook["model"].is_object())
      model_name = hook["model"].value("display_name", hook["model"].value("id", ""));
  } else if (!input.empty()) {
    std::fprintf(stderr, "costdeck statusline: input is not a JSON object; showing totals only\n");
  }
  UsageLoad how;
  how.since_ms = now_from_options(o) - 8LL * 24 * live::kHourMs;
  // It runs on every prompt: with the hook's transcript, read only that file (the window's
  // worker or `costdeck ingest` keeps the rest of the store current) instead of a stat
  // pass over every session file; --all-files restores the full scan.
  // A transcript that is not a session file where we can read it gets the full scan.
  std::error_code ec;
  const bool transcript_ok = !transcript.empty() && std::filesystem::is_regular_file(transcript, ec) &&
                             (transcript.find("/projects/") != std::string::npos ||
                              transcript.find("/sessions/") != std::string::npos);
  if (transcript_ok && !statusline_full_scan) how.only_files = {transcript};
  UsageContext c = load_usage_context(o, how);
  auto costs = live::price_rows(c.usage, c.prices, c.rules);

  double session = 0, today = 0;
  timeutil::Day day = c.zone.day_of(c.now_ms);
  std::vector<live::BlockEntry> claude;
  for (std::size_t i = 0; i < c.usage.rows.size(); ++i) {
    const auto& r = c.usage.rows[i];
    if (r.ts_ms > c.now_ms) continue;
    if (!session_id.empty() && r.session >= 0 &&
        c.usage.sessions[static_cast<std::size_t>(r.session)] == session_id)
      session += costs.usd[i];
    if (c.zone.day_of(r.ts_ms) == day) today += costs.usd[i];
    if (r.runtime == Runtime::Claude) claude.push_back({r.ts_ms, r.tokens, costs.usd[i], r.model});
  }
  auto blocks = live::identify_blocks(std::move(claude), c.now_ms);
  std::ostringstream out;
  if (!model_name.empty()) out << "🤖 " << model_name << " | ";
  out << "💰 ";
  if (!session_id.empty()) out << report::format_usd(session) << " session / ";
  out << report::format_usd(today) << " today";
  if (!blocks.empty() && blocks.back().is_active) {
    const auto& b = blocks.back();
    out << " / " << report::format_usd(b.cost_usd) << " block (" << hm(b.end_ms - c.now_ms) << " left)";
    if (b.burn) out << " | 🔥 " << report::format_usd(b.burn->cost_per_hour) << "/hr";
  } else {
    out << " | no active block";
  }
  std::cout << out.str() << "\n";
  return 0;
}

}  // namespace

void add_live_commands(CLI::App* root, CLI::App* report, CommonOptions& o, Handler* run) {
  static BlocksFlags bf;
  auto* blocks =
      report->add_subcommand("blocks", "Claude's 5-hour usage blocks: cost, burn rate, projection");
  add_source_options(blocks, o);
  add_filter_options(blocks, o);
  blocks->add_option("--token-limit,-t", bf.token_limit,
                     "Token limit for the active block (a number, or max)");
  blocks->add_flag("--active,-a", bf.active, "Only the active block");
  blocks->add_flag("--recent,-r", bf.recent, "Only blocks of the last 3 days");
  blocks->add_option("--session-length,-n", bf.session_hours, "Block length in hours")
      ->check(CLI::PositiveNumber);
  blocks->add_option("--prices", bf.prices, "Price file merged over the built-in table");
  blocks->callback([&o, run] { *run = [&o] { return run_blocks(o, bf); }; });

  static std::string budget_prices;
  auto* budgets = report->add_subcommand(
      "budgets", "Budgets from the config: used, projected, status (exit 3 when one is exceeded)");
  add_source_options(budgets, o);
  add_filter_options(budgets, o);
  budgets->add_option("--prices", budget_prices, "Price file merged over the built-in table");
  budgets->callback([&o, run] { *run = [&o] { return run_budgets(o, budget_prices); }; });

  auto* status =
      root->add_subcommand("statusline", "One line for Claude Code's status line hook (JSON on stdin)");
  add_source_options(status, o);
  status->add_option("--timezone,-z", o.timezone, "IANA time zone for 'today'");
  status->add_option("--now", o.now, "Pin the clock (ISO 8601)");
  status->add_flag("--all-files", statusline_full_scan,
                   "Scan every session file, not only the hook's transcript_path");
  status->callback([&o, run] { *run = [&o] { return run_statusline(o); }; });
}

}  // namespace costdeck::app
