#pragma once
// Usage reports (daily, weekly, monthly, session, models) as pure functions of the counted
// usage, the price table and the options; rendering to JSON or a text table is separate
// (render.hpp) so the window can draw the same structs.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "core/pricing.hpp"
#include "core/store/usage_table.hpp"
#include "core/timeutil.hpp"

namespace costdeck::report {

enum class Period : std::uint8_t { Day, Week, Month, Session, Model };
const char* period_name(Period p);  // daily / weekly / monthly / session / models

enum class SessionGrouping : std::uint8_t {
  SessionId,  // the lines' sessionId: subagent files join their parent session
  FilePath,   // ccusage: the transcript's path (projects/<project>/<session>[/...])
};

struct ReportOptions {
  Period period = Period::Day;
  CostRules rules;
  timeutil::Zone zone = timeutil::Zone::utc();
  unsigned week_start = 1;                    // ISO weekday the week starts on (1 = Monday)
  std::optional<timeutil::Day> since, until;  // inclusive, in `zone`
  std::optional<Runtime> runtime;             // nullopt: all runtimes
  std::string project;                        // substring of the cwd or project folder
  std::string model;                          // substring of the model id
  SessionGrouping sessions = SessionGrouping::SessionId;
  // modelsUsed in ccusage's order (day, then files by first timestamp, then lines) instead
  // of time order.
  bool ccusage_model_order = false;
  // Each row's cost under `rules`, and whether it had a price (live::price_rows), when the
  // caller already has them: several reports over one table then price each row once.
  // One entry per row of the table, or null.
  const std::vector<double>* row_usd = nullptr;
  const std::vector<bool>* row_priced = nullptr;
};

struct Totals {
  TokenCounts tokens;
  std::int64_t reasoning_tokens = 0;
  std::int64_t web_search_requests = 0;
  std::int64_t responses = 0;
  double cost = 0;

  void add(const Totals& o);
};

struct ModelLine {
  std::string model;  // as reported; "-fast" appended for fast-mode responses
  Runtime runtime = Runtime::Claude;
  bool priced = true;     // false: some of its tokens had no price (cost counts them as 0)
  bool fallback = false;  // Codex: no turn_context model, gpt-5 assumed (as ccusage)
  Totals totals;
};

struct Row {
  std::string key;  // 2025-10-01 / 2025-09-29 (week start) / 2025-10 / session id / model
  Totals totals;
  std::vector<std::string> models_used;  // in order of first use
  std::vector<ModelLine> models;         // by cost, highest first
  // Session rows only.
  std::string project_path;  // the project folder name (ccusage's projectPath)
  std::string project;       // the cwd the lines recorded, when there is one
  std::string session_file;  // Codex: the rollout file name without .jsonl
  std::string directory;     // Codex: the rollout's folder below sessions/
  std::int64_t first_ms = 0, last_ms = 0;
  bool has_claude = false, has_codex = false;
  // Filled only when a ReportBuilder is asked for them (BuilderExtras).
  std::vector<std::pair<std::int64_t, double>> timeline;  // cost per hour (UTC hour start ms), oldest first
  std::int64_t sessions = 0;                              // day rows: distinct sessionIds that day
};

struct UnknownModel {
  std::string model;
  Runtime runtime = Runtime::Claude;
  Totals totals;
};

struct Report {
  Period period = Period::Day;
  std::vector<Row> rows;
  Totals totals;
  std::vector<UnknownModel> unknown_models;  // tokens the price table could not price
  std::int64_t responses_with_cost_usd = 0;  // responses that carried their own costUSD
};

struct BuilderExtras;
Report build_report(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts);
Report build_report(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts,
                    const BuilderExtras& extras);

// ccusage's session identity of a transcript path: (session, project folder). Claude:
// projects/<project>/<session>.jsonl or projects/<project>/<session>/... ; Codex:
// sessions/<dir>/<file>.jsonl gives ("<dir>/<file>", "<dir>").
struct SessionParts {
  std::string session_id, project_path, file_stem;
};
SessionParts session_parts_from_path(const std::string& path, Runtime runtime);

}  // namespace costdeck::report
