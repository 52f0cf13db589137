#pragma once
// JSON for the run reports (`costdeck report <name> --json`, exports from the window).
// Times are ISO 8601 UTC; costs USD; durations milliseconds.

#include <string>
#include <vector>

#include "core/runs/analytics.hpp"

namespace costdeck::runs {

std::string to_json(const TiersReport& r);
std::string to_json(const PerformanceReport& r);
std::string to_json(const ErrorsReport& r);
std::string to_json(const std::vector<RunBrief>& runs, const char* key);  // {"<key>": [...]}
std::string to_json(const std::vector<OperationRow>& r);
std::string to_json(const std::vector<RuntimeRow>& r);
std::string to_json(const std::vector<IssueRow>& r);
std::string to_json(const TopReport& r);

}  // namespace costdeck::runs
