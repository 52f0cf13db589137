#include "core/timeutil.hpp"

#include <gtest/gtest.h>

namespace costdeck::timeutil {
namespace {

std::int64_t ms(const char* iso) { return parse_iso8601_ms(iso).value(); }

// The same instant falls on different local days on either side of midnight.
TEST(TimeUtil, DayAcrossMidnightInZone) {
  Zone ny = Zone::named("America/New_York");
  EXPECT_EQ(format_day(ny.day_of(ms("2025-03-02T03:30:00Z"))), "2025-03-01");  // 22:30 EST
  EXPECT_EQ(format_day(Zone::utc().day_of(ms("2025-03-02T03:30:00Z"))), "2025-03-02");
  Zone tokyo = Zone::named("Asia/Tokyo");
  EXPECT_EQ(format_day(tokyo.day_of(ms("2025-03-01T15:00:00Z"))), "2025-03-02");  // 00:00 JST
  EXPECT_EQ(format_day(tokyo.day_of(ms("2025-03-01T14:59:59.999Z"))), "2025-03-01");
}

// DST: New York switches from UTC-5 to UTC-4 on 2025-03-09; days follow the local offset.
TEST(TimeUtil, DstChange) {
  Zone ny = Zone::named("America/New_York");
  EXPECT_EQ(format_day(ny.day_of(ms("2025-03-09T04:30:00Z"))), "2025-03-08");  // 23:30 EST
  EXPECT_EQ(format_day(ny.day_of(ms("2025-03-10T03:30:00Z"))), "2025-03-09");  // 23:30 EDT
  EXPECT_EQ(format_day(ny.day_of(ms("2025-03-10T04:30:00Z"))), "2025-03-10");  // 00:30 EDT
  Day d = parse_day("2025-03-10").value();
  EXPECT_EQ(ny.start_of_day_ms(d), ms("2025-03-10T04:00:00Z"));
  EXPECT_EQ(ny.start_of_day_ms(d - 2), ms("2025-03-08T05:00:00Z"));
}

// DayCache answers what day_of answers, for instants in time order and out of it, in zones
// with DST at 02:00 (Berlin), at midnight both ways (Havana: 00:00 -> 01:00 in spring,
// 01:00 -> 00:00 in autumn, so one local hour of a day repeats after midnight), half-hour
// DST (Lord Howe), DST ending at midnight (Sao Paulo 2018: a 25-hour day), a skipped
// calendar day (Apia, 2011-12-30) and none at all (Tokyo).
TEST(TimeUtil, DayCacheAgreesWithDayOf) {
  for (const char* name : {"UTC", "Europe/Berlin", "America/Havana", "Australia/Lord_Howe", "Pacific/Apia",
                           "Asia/Tokyo", "America/Sao_Paulo"}) {
    const Zone z = Zone::named(name);
    for (const char* from : {"2011-12-28T00:00:00Z", "2018-02-10T00:00:00Z", "2018-03-20T00:00:00Z",
                             "2018-10-25T00:00:00Z", "2025-03-25T00:00:00Z", "2025-10-20T00:00:00Z"}) {
      DayCache in_order(z);
      const std::int64_t t0 = ms(from);
      for (std::int64_t t = t0; t < t0 + 12LL * 86'400'000; t += 7 * 60'000 + 13)
        ASSERT_EQ(in_order(t), z.day_of(t)) << name << " " << format_iso8601_ms(t);
      DayCache jumping(z);
      for (std::int64_t k = 0; k < 3000; ++k) {
        const std::int64_t t = t0 + (k * 7919 % 3000) * 345'600 + k % 7;
        ASSERT_EQ(jumping(t), z.day_of(t)) << name << " " << format_iso8601_ms(t);
      }
    }
  }
  // The cache spans whole days where the offset holds: a Berlin day is one lookup.
  const Zone berlin = Zone::named("Europe/Berlin");
  const auto span = berlin.day_span(ms("2025-06-10T12:00:00Z"));
  EXPECT_EQ(span.lo, ms("2025-06-09T22:00:00Z"));
  EXPECT_EQ(span.hi, ms("2025-06-10T22:00:00Z"));
  // A day holding a transition is not cached.
  const auto dst = berlin.day_span(ms("2025-03-30T12:00:00Z"));
  EXPECT_EQ(dst.lo, dst.hi);
  EXPECT_EQ(format_day(dst.day), "2025-03-30");
}

TEST(TimeUtil, UnknownZoneIsAnError) { EXPECT_THROW(Zone::named("Mars/Olympus"), std::invalid_argument); }

// Weeks start on Monday by default; 2025-03-02 is a Sunday.
TEST(TimeUtil, WeekStartsMonday) {
  Day sun = parse_day("2025-03-02").value();
  EXPECT_EQ(iso_weekday(sun), 7u);
  EXPECT_EQ(format_day(week_start(sun)), "2025-02-24");
  EXPECT_EQ(format_day(week_start(sun + 1)), "2025-03-03");
  EXPECT_EQ(format_day(week_start(sun, 7)), "2025-03-02");  // ccusage's default start
  EXPECT_EQ(format_day(week_start(sun - 1, 7)), "2025-02-23");
  EXPECT_EQ(weekday_from_name("Sunday"), 7u);
  EXPECT_FALSE(weekday_from_name("someday"));
}

TEST(TimeUtil, ParsesDaysBothWays) {
  EXPECT_EQ(parse_day("2025-10-01"), parse_day("20251001"));
  EXPECT_EQ(format_day(parse_day("20240229").value()), "2024-02-29");
  EXPECT_FALSE(parse_day("2025-02-30"));
  EXPECT_FALSE(parse_day("2025/10/01"));
  EXPECT_FALSE(parse_day("yesterday"));
  EXPECT_EQ(format_month(parse_day("2025-10-31").value()), "2025-10");
  EXPECT_EQ(format_day(month_start(parse_day("2025-10-31").value())), "2025-10-01");
}

TEST(TimeUtil, Iso8601) {
  EXPECT_EQ(ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ms("2025-10-01T12:00:00+02:00"), ms("2025-10-01T10:00:00Z"));
  EXPECT_EQ(format_iso8601_ms(ms("2025-10-02T00:10:05.123Z")), "2025-10-02T00:10:05.123Z");
  EXPECT_FALSE(parse_iso8601_ms("2025-10-01"));
  EXPECT_FALSE(parse_iso8601_ms("2025-10-01T10:00:00Q"));
}

}  // namespace
}  // namespace costdeck::timeutil
