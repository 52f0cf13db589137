#pragma once
// JSON for the run reports (`costdeck report <name> --json`, exports from the window).
// Times are ISO 8601 UTC; costs USD; durations milliseconds.

#include <cstdio>
#include <string>
#include <vector>

#include "core/runs/analytics.hpp"

namespace costdeck::runs {

std::string to_json(const TiersReport& r);
std::string to_json(const PerformanceReport& r);
// With a sink, the two large reports are written there as they are formatted (and the
// string returned is empty).
std::string to_json(const ErrorsReport& r, std::FILE* sink = nullptr);
std::string to_json(const std::vector<RunBrief>& runs, const char* key);  // {"<key>": [...]}
std::string to_json(const std::vector<OperationRow>& r);
std::string to_json(const std::vector<RuntimeRow>& r);
std::string to_json(const std::vector<IssueRow>& r, std::FILE* sink = nullptr);
std::string to_json(const TopReport& r);

}  // namespace costdeck::runs
