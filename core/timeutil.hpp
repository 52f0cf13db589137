#pragma once
// Calendar bucketing for reports: which local day, ISO week and month a UTC instant falls
// in, in an IANA time zone (OS tz database through date::date-tz). Days are counted as
// days since 1970-01-01 so callers can key maps with a plain integer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace costdeck::timeutil {

using Day = std::int32_t;  // days since 1970-01-01 (a civil date, zone-free)

class Zone {
 public:
  // Throws std::invalid_argument with the name when the tz database does not know it.
  static Zone named(std::string_view name);
  // TZ if set (":Europe/Paris", a zoneinfo path or a name), else /etc/localtime, else UTC.
  static Zone local();
  static Zone utc() { return Zone(); }

  Day day_of(std::int64_t ts_ms) const;
  // The local day of `ts_ms` and the instants [lo, hi) around it that fall on that day
  // with no change of UTC offset between them (lo == hi when there is none to cache:
  // a day holding a transition is looked up instant by instant).
  struct DaySpan {
    Day day = 0;
    std::int64_t lo = 0, hi = 0;
  };
  DaySpan day_span(std::int64_t ts_ms) const;
  // The first instant (UTC ms) of local day `d`; a DST gap at midnight moves it later.
  std::int64_t start_of_day_ms(Day d) const;
  const std::string& name() const { return name_; }

 private:
  Zone() = default;
  const date::time_zone* tz_ = nullptr;  // nullptr: UTC
  std::string name_ = "UTC";
};

// Zone::day_of for instants mostly in time order (report rows): a zone lookup per row is
// most of a report's time in a named zone, and consecutive rows fall on the same day.
// Exact: it answers from its span only where the offset is constant.
class DayCache {
 public:
  explicit DayCache(const Zone& zone) : zone_(&zone) {}
  Day operator()(std::int64_t ts_ms) {
    if (ts_ms >= span_.lo && ts_ms < span_.hi) return span_.day;
    span_ = zone_->day_span(ts_ms);
    return span_.day;
  }

 private:
  const Zone* zone_;
  Zone::DaySpan span_;
};

// ISO weekday 1 (Monday) .. 7 (Sunday).
unsigned iso_weekday(Day d);
// The first day of the week holding `d`, weeks starting on `first_weekday` (1 = Monday).
Day week_start(Day d, unsigned first_weekday = 1);
// The first day of d's month.
Day month_start(Day d);

std::string format_day(Day d);    // YYYY-MM-DD
std::string format_month(Day d);  // YYYY-MM

// YYYY-MM-DD or YYYYMMDD. nullopt on anything else (including 2025-02-30).
std::optional<Day> parse_day(std::string_view s);
// Weekday names for --start-of-week: "monday".."sunday" (case-insensitive) -> 1..7.
std::optional<unsigned> weekday_from_name(std::string_view s);

// ISO 8601 instant with Z or an offset, fractional seconds optional -> UTC ms.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view s);
// UTC ms -> "2026-11-20T09:38:00.000Z" (ccusage's lastActivity shape).
std::string format_iso8601_ms(std::int64_t ts_ms);

}  // namespace costdeck::timeutil
