#include "core/report/render.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace costdeck::report {
namespace {

using nlohmann::json;

const char* key_field(Period p) {
  switch (p) {
    case Period::Day: return "date";
    case Period::Week: return "week";
    case Period::Month: return "month";
    case Period::Session: return "sessionId";
    case Period::Model: return "modelName";
  }
  return "key";
}

const char* list_field(Period p) {
  switch (p) {
    case Period::Day: return "daily";
    case Period::Week: return "weekly";
    case Period::Month: return "monthly";
    case Period::Session: return "sessions";
    case Period::Model: return "models";
  }
  return "rows";
}

void put_tokens(json& j, const Totals& t, Shape shape) {
  j["inputTokens"] = t.tokens.input;
  j["outputTokens"] = t.tokens.output;
  j["cacheCreationTokens"] = t.tokens.cache_write();
  j["cacheReadTokens"] = t.tokens.cache_read;
  j["totalTokens"] = t.tokens.total();
  if (shape == Shape::Codex) j["reasoningOutputTokens"] = t.reasoning_tokens;
}

void put_cost(json& j, double cost, Shape shape) { j[shape == Shape::Codex ? "costUSD" : "totalCost"] = cost; }

json unknown_json(const Report& r) {
  json arr = json::array();
  for (const auto& u : r.unknown_models) {
    json j;
    j["model"] = u.model;
    j["runtime"] = runtime_name(u.runtime);
    put_tokens(j, u.totals, Shape::Claude);
    j["responses"] = u.totals.responses;
    arr.push_back(std::move(j));
  }
  return arr;
}

json row_json(const Report& r, const Row& row, Shape shape) {
  json j;
  j[key_field(r.period)] = row.key;
  put_tokens(j, row.totals, shape);
  put_cost(j, row.totals.cost, shape);
  if (r.period == Period::Session) {
    j["lastActivity"] = timeutil::format_iso8601_ms(row.last_ms);
    if (shape == Shape::Codex) {
      j["sessionFile"] = row.session_file;
      j["directory"] = row.directory;
    } else {
      j["firstActivity"] = timeutil::format_iso8601_ms(row.first_ms);
      j["projectPath"] = row.project_path;
      if (!row.project.empty()) j["project"] = row.project;
    }
  }
  if (r.period == Period::Model) {
    const ModelLine& m = row.models.front();
    j["runtime"] = runtime_name(m.runtime);
    j["priced"] = m.priced;
    j["responses"] = row.totals.responses;
    return j;
  }
  if (shape == Shape::Codex) {
    json models = json::object();
    for (const auto& m : row.models) {
      json mj;
      put_tokens(mj, m.totals, Shape::Codex);
      mj["isFallback"] = m.fallback;
      models[m.model] = std::move(mj);
    }
    j["models"] = std::move(models);
  } else {
    j["modelsUsed"] = row.models_used;
    json br = json::array();
    for (const auto& m : row.models) {
      json mj;
      mj["modelName"] = m.model;
      mj["inputTokens"] = m.totals.tokens.input;
      mj["outputTokens"] = m.totals.tokens.output;
      mj["cacheCreationTokens"] = m.totals.tokens.cache_write();
      mj["cacheReadTokens"] = m.totals.tokens.cache_read;
      mj["cost"] = m.totals.cost;
      mj["runtime"] = runtime_name(m.runtime);
      if (!m.priced) mj["priced"] = false;
      br.push_back(std::move(mj));
    }
    j["modelBreakdowns"] = std::move(br);
  }
  return j;
}

}  // namespace

std::string render_json(const Report& r, Shape shape) {
  json doc;
  json rows = json::array();
  for (const auto& row : r.rows) rows.push_back(row_json(r, row, shape));
  doc[list_field(r.period)] = std::move(rows);
  json totals;
  put_tokens(totals, r.totals, shape);
  put_cost(totals, r.totals.cost, shape);
  doc["totals"] = std::move(totals);
  doc["unknownModels"] = unknown_json(r);
  return doc.dump(2) + "\n";
}

std::string format_count(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string format_usd(double v) {
  double cents = std::round(std::fabs(v) * 100.0);
  auto whole = static_cast<std::int64_t>(cents / 100.0);
  auto frac = static_cast<int>(cents - static_cast<double>(whole) * 100.0);
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%02d", frac);
  return std::string(v < 0 && cents > 0 ? "-$" : "$") + format_count(whole) + buf;
}

namespace {

// Strips the vendor prefix so the models column stays narrow, as ccusage does.
std::string short_model(const std::string& m) {
  if (m.rfind("claude-", 0) == 0) {
    std::string s = m.substr(7);
    // Drop a trailing -YYYYMMDD date.
    if (s.size() > 9 && s[s.size() - 9] == '-') {
      bool date = true;
      for (std::size_t i = s.size() - 8; i < s.size(); ++i) date = date && std::isdigit(static_cast<unsigned char>(s[i]));
      if (date) s.erase(s.size() - 9);
    }
    return s;
  }
  return m;
}

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // numeric columns align right
  std::vector<std::vector<std::vector<std::string>>> rows;  // row -> cell -> lines

  std::string str() const {
    std::vector<std::size_t> w(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) w[c] = header[c].size();
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c)
        for (const auto& line : row[c]) w[c] = std::max(w[c], line.size());
    auto rule = [&] {
      std::string s = "+";
      for (auto x : w) s += std::string(x + 2, '-') + "+";
      return s + "\n";
    };
    auto line = [&](const std::vector<std::string>& cells) {
      std::string s = "|";
      for (std::size_t c = 0; c < cells.size(); ++c) {
        std::string pad(w[c] - cells[c].size(), ' ');
        s += " " + (right[c] ? pad + cells[c] : cells[c] + pad) + " |";
      }
      return s + "\n";
    };
    std::string out = rule() + line(header) + rule();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      std::size_t height = 1;
      for (const auto& cell : row) height = std::max(height, cell.size());
      if (i + 1 == rows.size()) out += rule();  // the totals row stands apart
      for (std::size_t l = 0; l < height; ++l) {
        std::vector<std::string> cells;
        for (const auto& cell : row) cells.push_back(l < cell.size() ? cell[l] : "");
        out += line(cells);
      }
    }
    return out + rule();
  }
};

}  // namespace

std::string render_table(const Report& r, Shape shape) {
  const bool session = r.period == Period::Session;
  const bool models = r.period == Period::Model;
  Table t;
  const char* first = r.period == Period::Day     ? "Date"
                      : r.period == Period::Week  ? "Week"
                      : r.period == Period::Month ? "Month"
                      : session                   ? "Session"
                                                  : "Model";
  t.header = {first};
  if (session) t.header.push_back("Project");
  if (models) t.header.push_back("Runtime");
  else t.header.push_back("Models");
  for (const char* h : {"Input", "Output", "Cache Create", "Cache Read", "Total Tokens"}) t.header.push_back(h);
  if (shape == Shape::Codex) t.header.push_back("Reasoning");
  t.header.push_back("Cost (USD)");
  if (session) t.header.push_back("Last Activity");
  t.right.assign(t.header.size(), true);
  t.right[0] = t.right[1] = false;
  if (session) t.right[2] = t.right.back() = false;

  auto numbers = [&](const Totals& x) {
    std::vector<std::vector<std::string>> c;
    c.push_back({format_count(x.tokens.input)});
    c.push_back({format_count(x.tokens.output)});
    c.push_back({format_count(x.tokens.cache_write())});
    c.push_back({format_count(x.tokens.cache_read)});
    c.push_back({format_count(x.tokens.total())});
    if (shape == Shape::Codex) c.push_back({format_count(x.reasoning_tokens)});
    c.push_back({format_usd(x.cost)});
    return c;
  };
  for (const auto& row : r.rows) {
    std::vector<std::vector<std::string>> cells;
    cells.push_back({row.key});
    if (session) cells.push_back({row.project_path});
    if (models) {
      cells.push_back({runtime_name(row.models.front().runtime)});
    } else {
      std::vector<std::string> names;
      for (const auto& m : row.models_used) names.push_back("- " + short_model(m));
      cells.push_back(names);
    }
    for (auto& c : numbers(row.totals)) cells.push_back(std::move(c));
    if (session) cells.push_back({timeutil::format_iso8601_ms(row.last_ms).substr(0, 16) + "Z"});
    t.rows.push_back(std::move(cells));
  }
  std::vector<std::vector<std::string>> total{{"Total"}};
  if (session) total.push_back({""});
  total.push_back({""});
  for (auto& c : numbers(r.totals)) total.push_back(std::move(c));
  if (session) total.push_back({""});
  t.rows.push_back(std::move(total));

  std::string out = std::string("costdeck ") + period_name(r.period) + " report\n" + t.str();
  if (!r.unknown_models.empty()) {
    out += "\nUnknown models (no price in the table; their tokens are counted above at $0):\n";
    for (const auto& u : r.unknown_models)
      out += "  " + u.model + " (" + runtime_name(u.runtime) + "): " + format_count(u.totals.tokens.total()) +
             " tokens in " + format_count(u.totals.responses) + " responses\n";
    out += "Add them to a prices file (--prices PATH or ~/.config/costdeck/prices.json).\n";
  }
  return out;
}

}  // namespace costdeck::report
