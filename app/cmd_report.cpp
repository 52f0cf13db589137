// `costdeck report daily|weekly|monthly|session|models`: scan (unless --no-scan), query the
// store, aggregate, print a table or ccusage-shaped JSON.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/ingest.hpp"
#include "core/pricing.hpp"
#include "core/report/render.hpp"
#include "core/report/report.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_preload.hpp"
#include "core/store/usage_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck::app {
namespace {

struct ReportFlags {
  std::string prices;         // --prices PATH
  std::string start_of_week;  // --start-of-week NAME
};

// Usage errors print a sentence and exit 2, like CLI11's own.
[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "costdeck: %s\n", msg.c_str());
  std::exit(2);
}

bool load_prices(PriceTable& table, const std::string& flag) {
  std::string err;
  const std::string user = default_user_prices_path();
  if (!user.empty() && std::filesystem::exists(user) && !table.merge_file(user, &err)) {
    std::fprintf(stderr, "costdeck: price file ignored: %s\n", err.c_str());
  }
  if (!flag.empty() && !table.merge_file(flag, &err)) {
    std::fprintf(stderr, "costdeck: --prices: %s\n", err.c_str());
    return false;
  }
  return true;
}

void run_scan(store::Store& st, const CommonOptions& o) {
  keep_freed_memory();
  IngestOptions opts;
  opts.claude_dirs = o.claude_dirs;
  opts.codex_dirs = o.codex_dirs;
  opts.keep_activity = false;  // usage reports need no runs; the window or `report runs` catch up
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  bool printed = false;
  opts.progress = [&](const IngestProgress& p) {
    if (p.elapsed_seconds < 1.0 || p.files_total == 0) return;
    std::fprintf(stderr, "%scostdeck: reading %lld/%lld files, %.1f MB%s", tty ? "\r" : "",
                 static_cast<long long>(p.files_done), static_cast<long long>(p.files_total),
                 static_cast<double>(p.bytes_done) / 1e6, tty ? "   " : "\n");
    printed = true;
  };
  IngestStats s = ingest(st, opts);
  if (printed && tty) std::fputc('\n', stderr);
  // Bad input never disappears silently, but a report's stdout stays clean for scripts.
  if (s.malformed > 0) {
    std::fprintf(stderr, "costdeck: %lld malformed line(s) skipped in this scan",
                 static_cast<long long>(s.malformed));
    if (!s.malformed_examples.empty())
      std::fprintf(stderr, " (first: %s:%lld: %s)", s.malformed_examples[0].path.c_str(),
                   static_cast<long long>(s.malformed_examples[0].line_no),
                   s.malformed_examples[0].reason.c_str());
    std::fprintf(stderr, "; see `costdeck ingest`\n");
  }
  for (const auto& e : s.errors)
    std::fprintf(stderr, "costdeck: cannot read %s: %s\n", e.path.c_str(), e.message.c_str());
}

int run_report(report::Period period, const CommonOptions& o, const ReportFlags& f) {
  const bool compat = o.compat == "ccusage";
  report::ReportOptions ro;
  ro.period = period;
  try {
    ro.zone = o.timezone.empty() ? timeutil::Zone::local() : timeutil::Zone::named(o.timezone);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  ro.rules.mode = cost_mode_from_name(o.mode).value_or(CostMode::Auto);
  ro.rules.long_context = compat ? LongContextRule::PerCategory : LongContextRule::Billing;
  ro.rules.ccusage_prices = compat;
  ro.ccusage_model_order = compat;
  ro.sessions = compat ? report::SessionGrouping::FilePath : report::SessionGrouping::SessionId;
  if (!o.since.empty()) {
    ro.since = timeutil::parse_day(o.since);
    if (!ro.since) usage_error("--since '" + o.since + "' is not a date (YYYY-MM-DD or YYYYMMDD)");
  }
  if (!o.until.empty()) {
    ro.until = timeutil::parse_day(o.until);
    if (!ro.until) usage_error("--until '" + o.until + "' is not a date (YYYY-MM-DD or YYYYMMDD)");
  }
  if (o.runtime != "all") ro.runtime = runtime_from_name(o.runtime);
  ro.project = o.project;
  ro.model = o.model;
  // ccusage's weeks start on Sunday; ours on Monday (ISO 8601).
  ro.week_start = compat ? 7 : 1;
  if (!f.start_of_week.empty()) {
    auto wd = timeutil::weekday_from_name(f.start_of_week);
    if (!wd) usage_error("--start-of-week '" + f.start_of_week + "' is not a weekday name");
    ro.week_start = *wd;
  }

  PriceTable prices = PriceTable::builtin();
  if (!load_prices(prices, f.prices)) return 2;

  const std::string path = store::resolve_db_path(o.db);
  store::UsageTable table;
  // Both live until the report is out: the preload saves its decision meanwhile.
  std::optional<store::Store> st;
  std::optional<store::UsagePreload> preload;
  try {
    if (o.no_scan && !store::Store::exists(path)) {
      std::fprintf(stderr, "costdeck: no store at %s yet (run without --no-scan or `costdeck ingest`)\n",
                   path.c_str());
      return 1;
    }
    st.emplace(store::Store::open(path, o.no_scan ? store::OpenMode::ReadOnly : store::OpenMode::ReadWrite));
    if (!o.no_scan) {
      preload.emplace(path);  // reads the stored copies while the scan walks the folders
      run_scan(*st, o);
    }
    store::UsageQuery q;
    // ccusage's `claude daily` loads usage with its own loader; its other reports share one.
    q.rules = !compat                         ? store::DedupeRules::Costdeck
              : period == report::Period::Day ? store::DedupeRules::CcusageDaily
                                              : store::DedupeRules::Ccusage;
    q.runtime = ro.runtime;
    // Narrow the query by a day on each side; the report cuts exact local days itself.
    if (ro.since) q.since_ms = ro.zone.start_of_day_ms(*ro.since - 1);
    if (ro.until) q.until_ms = ro.zone.start_of_day_ms(*ro.until + 2);
    table = preload ? store::usage_table_of(preload->finish(*st), q) : store::load_usage_table(*st, q);
  } catch (const store::StoreError& e) {
    std::fprintf(stderr, "costdeck: %s\n", e.what());
    return 1;
  }

  if (table.clamped_rows > 0)
    std::fprintf(stderr, "costdeck: %s\n", store::clamped_rows_message(table.clamped_rows).c_str());
  report::Report rep = report::build_report(table, prices, ro);
  const report::Shape shape = ro.runtime == Runtime::Codex ? report::Shape::Codex : report::Shape::Claude;
  std::cout << (o.json ? report::render_json(rep, shape) : report::render_table(rep, shape));
  std::cout.flush();
  return 0;
}

}  // namespace

void add_report_commands(CLI::App* report, CommonOptions& o, Handler* run) {
  // Shared across the subcommands; CLI11 keeps the pointer.
  static ReportFlags flags;
  struct Sub {
    const char* name;
    const char* help;
    report::Period period;
  };
  static const Sub kSubs[] = {
      {"daily", "Usage and cost per day", report::Period::Day},
      {"weekly", "Usage and cost per week (Monday first; --compat ccusage: Sunday)", report::Period::Week},
      {"monthly", "Usage and cost per month", report::Period::Month},
      {"session", "Usage and cost per session", report::Period::Session},
      {"models", "Usage and cost per model, unknown models flagged", report::Period::Model},
  };
  for (const Sub& s : kSubs) {
    CLI::App* cmd = report->add_subcommand(s.name, s.help);
    add_source_options(cmd, o);
    add_filter_options(cmd, o);
    cmd->add_option("--prices", flags.prices,
                    "Price file merged over the built-in table (after ~/.config/costdeck/prices.json)");
    if (s.period == report::Period::Week)
      cmd->add_option("--start-of-week", flags.start_of_week, "First day of the week (monday..sunday)");
    const report::Period period = s.period;
    cmd->callback([run, period, &o] { *run = [period, &o] { return run_report(period, o, flags); }; });
  }
}

}  // namespace costdeck::app
