#include "core/runs/run_json.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <xxhash.h>

namespace costdeck::runs {
namespace {

using nlohmann::json;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string str_field(const json& v, const char* key) {
  if (v.is_null()) return {};
  if (!v.is_string()) throw RunInputError(std::string(key) + ": expected a string");
  return v.get<std::string>();
}

std::int64_t int_field(const json& v, const char* key) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    auto n = v.get<std::int64_t>();
    if (n < 0) throw RunInputError(std::string(key) + ": must not be negative");
    return n;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d < 0 || d != std::floor(d)) throw RunInputError(std::string(key) + ": expected a whole number >= 0");
    return static_cast<std::int64_t>(d);
  }
  throw RunInputError(std::string(key) + ": expected a whole number >= 0");
}

std::int64_t time_field(const json& v, const char* key) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_string()) {
    if (auto t = parse_time_ms(v.get<std::string>())) return *t;
  }
  throw RunInputError(std::string(key) + ": expected an ISO 8601 time or epoch milliseconds, got " + v.dump());
}

}  // namespace

std::optional<std::int64_t> parse_time_ms(std::string_view s) {
  while (!s.empty() && (s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : s) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    if (s.size() > 15) return std::nullopt;
    return std::stoll(std::string(s));
  }
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  {
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  }
  std::int64_t ms = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000;
  std::size_t p = 10;
  if (p == s.size()) return ms;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
  int h, mi, sec = 0;
  if (!digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, mi)) return std::nullopt;
  p += 6;
  if (p < s.size() && s[p] == ':') {
    if (!digits(s, p + 1, 2, sec)) return std::nullopt;
    p += 3;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  ms += (static_cast<std::int64_t>(h) * 3600 + mi * 60 + sec) * 1000;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    std::int64_t frac = 0, scale = 1000;
    std::size_t start = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (scale > 1) {
        scale /= 10;
        frac += (s[p] - '0') * scale;
      }
      ++p;
    }
    if (p == start) return std::nullopt;
    ms += frac;
  }
  if (p == s.size()) return ms;
  if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) return ms;
  if (s[p] == '+' || s[p] == '-') {
    int oh, om = 0;
    if (!digits(s, p + 1, 2, oh)) return std::nullopt;
    std::size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (q < s.size()) {
      if (!digits(s, q, 2, om)) return std::nullopt;
      q += 2;
    }
    if (q != s.size()) return std::nullopt;
    std::int64_t off = (static_cast<std::int64_t>(oh) * 60 + om) * 60000;
    return s[p] == '+' ? ms - off : ms + off;
  }
  return std::nullopt;
}

std::string format_time_ms(std::int64_t ms) {
  std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  std::int64_t rem = ms - days * 86400000;
  // civil_from_days
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
                  static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
    return buf;
  }
  // The common case by hand: reports print hundreds of thousands of these.
  std::string out(24, '0');
  auto put = [&out](std::size_t at, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, m, 2);
  out[7] = '-';
  put(8, d, 2);
  out[10] = 'T';
  put(11, rem / 3600000, 2);
  out[13] = ':';
  put(14, rem / 60000 % 60, 2);
  out[16] = ':';
  put(17, rem / 1000 % 60, 2);
  out[19] = '.';
  put(20, rem % 1000, 3);
  out[23] = 'Z';
  return out;
}

void finish_run(Run& run, std::int64_t now_ms, bool started_given) {
  if (!started_given) {
    if (run.ended_ms && run.duration_ms)
      run.started_ms = *run.ended_ms - *run.duration_ms;
    else if (run.ended_ms)
      run.started_ms = *run.ended_ms;
    else if (run.duration_ms) {
      // A run reported as it finishes: it ended now.
      run.ended_ms = now_ms;
      run.started_ms = now_ms - *run.duration_ms;
    } else
      run.started_ms = now_ms;
  }
  if (run.ended_ms && *run.ended_ms < run.started_ms) throw RunInputError("ended: is before started");
  if (run.ended_ms && run.duration_ms && *run.ended_ms - run.started_ms != *run.duration_ms && started_given)
    throw RunInputError("duration_ms: disagrees with ended - started");
  if (!run.duration_ms && run.ended_ms) run.duration_ms = *run.ended_ms - run.started_ms;
  if (run.cost_usd && (*run.cost_usd < 0 || !std::isfinite(*run.cost_usd)))
    throw RunInputError("cost: must be a finite number >= 0");
  run.runtime = normalize_runtime(run.runtime);
  if (run.key.empty()) run.key = new_run_key();
  fill_computed_cost(run);
}

Run run_from_json(std::string_view line, bool* started_given) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error& e) {
    throw RunInputError(std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) throw RunInputError("expected a JSON object");
  Run r;
  if (started_given) *started_given = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "id") r.key = str_field(v, "id");
    else if (k == "runtime") r.runtime = str_field(v, "runtime");
    else if (k == "agent") r.agent = str_field(v, "agent");
    else if (k == "subagent") {
      if (!v.is_boolean()) throw RunInputError("subagent: expected true or false");
      r.subagent = v.get<bool>();
    } else if (k == "tier") r.tier = str_field(v, "tier");
    else if (k == "issue") r.issue = str_field(v, "issue");
    else if (k == "project") r.project = str_field(v, "project");
    else if (k == "session") r.session_id = str_field(v, "session");
    else if (k == "git_branch") r.git_branch = str_field(v, "git_branch");
    else if (k == "operation") r.operation = str_field(v, "operation");
    else if (k == "trigger") r.trigger = str_field(v, "trigger");
    else if (k == "title") r.title = str_field(v, "title");
    else if (k == "status") {
      auto s = status_from_name(str_field(v, "status"));
      if (!s) throw RunInputError("status: expected success, error, aborted, running or pending, got " + v.dump());
      r.status = *s;
    } else if (k == "error") r.error = str_field(v, "error");
    else if (k == "started") {
      r.started_ms = time_field(v, "started");
      if (started_given) *started_given = true;
    } else if (k == "ended") r.ended_ms = time_field(v, "ended");
    else if (k == "duration_ms") r.duration_ms = int_field(v, "duration_ms");
    else if (k == "model") r.model = str_field(v, "model");
    else if (k == "tokens_in") r.tokens.input = int_field(v, "tokens_in");
    else if (k == "tokens_out") r.tokens.output = int_field(v, "tokens_out");
    else if (k == "cache_read") r.tokens.cache_read = int_field(v, "cache_read");
    else if (k == "cache_write") r.tokens.cache_write_5m = int_field(v, "cache_write");
    else if (k == "cost") {
      if (v.is_null()) continue;
      if (!v.is_number()) throw RunInputError("cost: expected a number (USD)");
      r.cost_usd = v.get<double>();
    } else if (k == "meta") {
      if (v.is_null()) continue;
      if (!v.is_object()) throw RunInputError("meta: expected a JSON object");
      r.metadata = v.dump();
    } else
      throw RunInputError("unknown key \"" + k + "\"");
  }
  return r;
}

std::string run_to_json(const Run& r) {
  json j{{"id", r.key}, {"source", source_name(r.source)}, {"runtime", r.runtime}, {"started", format_time_ms(r.started_ms)},
         {"status", status_name(r.status)}};
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  put("agent", r.agent);
  if (r.subagent) j["subagent"] = true;
  put("tier", r.tier);
  put("issue", r.issue);
  put("project", r.project);
  put("session", r.session_id);
  put("git_branch", r.git_branch);
  put("operation", r.operation);
  put("trigger", r.trigger);
  put("title", r.title);
  put("error", r.error);
  put("model", r.model);
  if (r.ended_ms) j["ended"] = format_time_ms(*r.ended_ms);
  if (r.duration_ms) j["duration_ms"] = *r.duration_ms;
  j["tokens_in"] = r.tokens.input;
  j["tokens_out"] = r.tokens.output;
  j["cache_read"] = r.tokens.cache_read;
  j["cache_write"] = r.tokens.cache_write();
  j["cost"] = r.cost_usd ? json(*r.cost_usd) : json(nullptr);
  j["cost_computed"] = r.cost_computed;
  if (!r.metadata.empty()) j["meta"] = json::parse(r.metadata, nullptr, false);
  return j.dump();
}

std::string normalize_metadata(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw RunInputError("meta: invalid JSON");
  if (!j.is_object()) throw RunInputError("meta: expected a JSON object");
  return j.dump();
}

std::string import_key(std::string_view line, int occurrence) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  char buf[48];
  std::snprintf(buf, sizeof buf, "import:%016llx:%d",
                static_cast<unsigned long long>(XXH64(line.data(), line.size(), 0)), occurrence);
  return buf;
}

std::string new_run_key() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          static_cast<std::uint64_t>(
                                              std::chrono::steady_clock::now().time_since_epoch().count())};
  char buf[40];
  std::snprintf(buf, sizeof buf, "r-%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace costdeck::runs
