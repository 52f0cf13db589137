#include "core/timeutil.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace costdeck::timeutil {
namespace {

using std::chrono::milliseconds;
using SysMs = date::sys_time<milliseconds>;

Day floor_day(std::int64_t ms) {
  std::int64_t d = ms / 86'400'000;
  if (ms % 86'400'000 < 0) --d;
  return static_cast<Day>(d);
}

date::sys_days to_sys(Day d) { return date::sys_days{date::days{d}}; }

}  // namespace

Zone Zone::named(std::string_view name) {
  Zone z;
  if (name.empty() || name == "UTC" || name == "utc" || name == "Etc/UTC" || name == "Z") return z;
  try {
    z.tz_ = date::locate_zone(std::string(name));
    z.name_ = std::string(name);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone '" + std::string(name) + "' (expected an IANA name such as "
                                "Europe/Berlin or America/New_York)");
  }
  return z;
}

Zone Zone::local() {
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string_view s = tz;
    if (s.front() == ':') s.remove_prefix(1);
    for (std::string_view prefix : {"/usr/share/zoneinfo/", "/usr/lib/zoneinfo/"})
      if (s.substr(0, prefix.size()) == prefix) s.remove_prefix(prefix.size());
    try {
      return named(s);
    } catch (const std::invalid_argument&) {
      // POSIX rule strings like "EST5EDT" that are not in the database: fall through.
    }
  }
  try {
    Zone z;
    z.tz_ = date::current_zone();
    z.name_ = std::string(z.tz_->name());
    return z;
  } catch (const std::exception&) {
    return Zone();
  }
}

Day Zone::day_of(std::int64_t ts_ms) const {
  if (!tz_) return floor_day(ts_ms);
  SysMs t{milliseconds{ts_ms}};
  auto info = tz_->get_info(date::floor<std::chrono::seconds>(t));
  return floor_day(ts_ms + std::chrono::duration_cast<milliseconds>(info.offset).count());
}

Zone::DaySpan Zone::day_span(std::int64_t ts_ms) const {
  DaySpan s;
  s.day = day_of(ts_ms);
  const std::int64_t lo = start_of_day_ms(s.day), hi = start_of_day_ms(s.day + 1);
  if (ts_ms < lo || ts_ms >= hi) return s;
  if (tz_) {
    // One offset from lo up to hi: every instant between has the same local date.
    // (In seconds: a zone's last period ends at the largest time, which in ms overflows.)
    auto info = tz_->get_info(date::floor<std::chrono::seconds>(SysMs{milliseconds{lo}}));
    const std::int64_t end_s = info.end.time_since_epoch().count();
    const std::int64_t hi_s = hi / 1000 + (hi % 1000 > 0 ? 1 : 0);  // ceil (truncation is ceil below zero)
    if (end_s < hi_s) return s;
  }
  s.lo = lo;
  s.hi = hi;
  return s;
}

std::int64_t Zone::start_of_day_ms(Day d) const {
  const std::int64_t utc_midnight = static_cast<std::int64_t>(d) * 86'400'000;
  if (!tz_) return utc_midnight;
  date::local_seconds local{std::chrono::seconds{static_cast<std::int64_t>(d) * 86'400}};
  auto li = tz_->get_info(local);
  std::chrono::seconds offset;
  if (li.result == date::local_info::nonexistent) {
    // Midnight skipped by a DST jump: the day starts when the gap ends.
    return date::floor<milliseconds>(li.first.end).time_since_epoch().count();
  }
  offset = li.first.offset;  // ambiguous: the earlier instant
  return utc_midnight - std::chrono::duration_cast<milliseconds>(offset).count();
}

unsigned iso_weekday(Day d) { return date::weekday{to_sys(d)}.iso_encoding(); }

Day week_start(Day d, unsigned first_weekday) {
  unsigned wd = iso_weekday(d);
  return d - static_cast<Day>((wd + 7 - first_weekday) % 7);
}

Day month_start(Day d) {
  date::year_month_day ymd{to_sys(d)};
  return static_cast<Day>(date::sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count());
}

std::string format_day(Day d) {
  date::year_month_day ymd{to_sys(d)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_month(Day d) { return format_day(d).substr(0, 7); }

std::optional<Day> parse_day(std::string_view s) {
  std::string digits;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    digits = std::string(s.substr(0, 4)) + std::string(s.substr(5, 2)) + std::string(s.substr(8, 2));
  } else if (s.size() == 8) {
    digits = std::string(s);
  } else {
    return std::nullopt;
  }
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  int y = std::stoi(digits.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(digits.substr(4, 2)));
  unsigned dd = static_cast<unsigned>(std::stoi(digits.substr(6, 2)));
  date::year_month_day ymd{date::year{y}, date::month{m}, date::day{dd}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Day>(date::sys_days{ymd}.time_since_epoch().count());
}

std::optional<unsigned> weekday_from_name(std::string_view s) {
  static const char* const kNames[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (unsigned i = 0; i < 7; ++i)
    if (lower == kNames[i]) return i + 1;
  return std::nullopt;
}

std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff...][Z|+HH:MM|-HH:MM]
  auto num = [&](std::size_t pos, std::size_t n) -> int {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100, digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 3) frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      int oh = num(pos + 1, 2);
      std::size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      int om = num(mpos, 2);
      if (oh < 0 || om < 0) return std::nullopt;
      offset_s = sign * (oh * 3600 + om * 60);
      pos = mpos + 2;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days = date::sys_days{ymd}.time_since_epoch().count();
  return ((days * 86400 + h * 3600 + mi * 60 + se) - offset_s) * 1000 + frac_ms;
}

std::string format_iso8601_ms(std::int64_t ts_ms) {
  Day d = floor_day(ts_ms);
  std::int64_t in_day = ts_ms - static_cast<std::int64_t>(d) * 86'400'000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%03dZ", format_day(d).c_str(), static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60), static_cast<int>(in_day / 1000 % 60),
                static_cast<int>(in_day % 1000));
  return buf;
}

}  // namespace costdeck::timeutil
