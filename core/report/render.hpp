#pragma once
// Text forms of a Report: JSON with ccusage's field names, and an aligned table.

#include <string>

#include "core/report/report.hpp"

namespace costdeck::report {

enum class Shape : std::uint8_t {
  Claude,  // ccusage claude ...: totalCost, modelsUsed, modelBreakdowns[]
  Codex,   // ccusage codex ...: costUSD, models{name: {...}}, reasoningOutputTokens
};

// Pretty JSON (2-space indent, keys sorted like ccusage's output). Every shape carries
// costdeck's `unknownModels` list besides ccusage's fields.
std::string render_json(const Report& r, Shape shape);

// Aligned columns, thousands separators, a totals row, then the unknown-models section.
std::string render_table(const Report& r, Shape shape);

// 1234567 -> "1,234,567"; 12.345 -> "$12.35"
std::string format_count(std::int64_t v);
std::string format_usd(double v);

}  // namespace costdeck::report
