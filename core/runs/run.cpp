#include "core/runs/run.hpp"

#include <array>
#include <string_view>

namespace costdeck::runs {
namespace {

struct Price {
  std::string_view family;  // matched as a substring of the model id, first match wins
  double in, out, cache_write, cache_read;  // USD per million tokens
};

// Interim: the families of formats.md, until core/pricing.hpp (the shared price table with
// user overrides) is wired in here.
constexpr std::array<Price, 9> kPrices{{
    {"opus-4-5", 5, 25, 6.25, 0.50},
    {"opus-4", 15, 75, 18.75, 1.50},
    {"sonnet-4", 3, 15, 3.75, 0.30},
    {"haiku-4-5", 1, 5, 1.25, 0.10},
    {"3-5-haiku", 0.8, 4, 1.0, 0.08},
    {"gpt-5-codex", 1.25, 10, 0, 0.125},
    {"gpt-5", 1.25, 10, 0, 0.125},
    {"3-7-sonnet", 3, 15, 3.75, 0.30},
    {"3-5-sonnet", 3, 15, 3.75, 0.30},
}};

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
  for (const auto& p : kPrices) {
    if (run.model.find(p.family) == std::string::npos) continue;
    const auto& t = run.tokens;
    run.cost_usd = (static_cast<double>(t.input) * p.in + static_cast<double>(t.output) * p.out +
                    static_cast<double>(t.cache_write_5m) * p.cache_write +
                    static_cast<double>(t.cache_write_1h) * p.in * 2 + static_cast<double>(t.cache_read) * p.cache_read) /
                   1e6;
    run.cost_computed = true;
    return;
  }
}

std::optional<std::int64_t> effective_duration(const Run& run) {
  if (run.duration_ms) return run.duration_ms;
  if (run.ended_ms) return *run.ended_ms - run.started_ms;
  return std::nullopt;
}

}  // namespace costdeck::runs
