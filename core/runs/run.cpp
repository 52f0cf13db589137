#include "core/runs/run.hpp"

#include <filesystem>

#include "core/pricing.hpp"

namespace costdeck::runs {
namespace {

// The built-in table with the user's overrides (if their file exists), read once.
const PriceTable& price_table() {
  static const PriceTable kTable = [] {
    PriceTable t = PriceTable::builtin();
    std::string err;
    const std::string user = default_user_prices_path();
    if (!user.empty() && std::filesystem::exists(user)) t.merge_file(user, &err);
    return t;
  }();
  return kTable;
}

}  // namespace

const char* status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Success: return "success";
    case RunStatus::Error: return "error";
    case RunStatus::Aborted: return "aborted";
    case RunStatus::Running: return "running";
    case RunStatus::Pending: return "pending";
  }
  return "success";
}

std::optional<RunStatus> status_from_name(const std::string& s) {
  for (auto st : {RunStatus::Success, RunStatus::Error, RunStatus::Aborted, RunStatus::Running, RunStatus::Pending})
    if (s == status_name(st)) return st;
  return std::nullopt;
}

const char* source_name(RunSource s) {
  switch (s) {
    case RunSource::Recorded: return "recorded";
    case RunSource::SessionFile: return "session-file";
    case RunSource::Import: return "import";
  }
  return "recorded";
}

std::optional<RunSource> source_from_name(const std::string& s) {
  for (auto src : {RunSource::Recorded, RunSource::SessionFile, RunSource::Import})
    if (s == source_name(src)) return src;
  return std::nullopt;
}

std::string normalize_runtime(const std::string& s) {
  if (s == "claude" || s.empty()) return "claude-code";
  return s;
}

void fill_computed_cost(Run& run) {
  if (run.cost_usd || run.model.empty()) return;
  const ModelPrice* price = price_table().find(run.model);
  if (!price) return;
  run.cost_usd = calculate_cost(*price, run.tokens, false, CostRules{});
  run.cost_computed = true;
}

const ModelPrice* run_price(const std::string& model) { return price_table().find(model); }

std::optional<std::int64_t> effective_duration(const Run& run) {
  if (run.duration_ms) return run.duration_ms;
  if (run.ended_ms) return *run.ended_ms - run.started_ms;
  return std::nullopt;
}

}  // namespace costdeck::runs
