#pragma once
// The usage reports as an accumulator: rows go in one at a time, in the order that fixes
// every sum, and the report can be read out at any point without ending the accumulation.
// build_report is one full pass; the window keeps a builder between passes so that an
// append costs the rows it added, not the whole history (see IncrementalReport).
//
// Continuing a builder adds the same rows in the same order as a fresh pass would, so the
// sums are bit-identical to a rebuild. Nothing is ever subtracted: rows that may still
// change (the last copies of a response being written) are added after a savepoint, and a
// change among them rolls the groups they touched back to their saved state.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/report/report.hpp"

namespace costdeck::report {

// Per-group extras the window draws; the CLI's reports leave them off.
struct BuilderExtras {
  bool hourly_timeline = false;   // Row::timeline
  bool sessions_per_day = false;  // Row::sessions (day rows: distinct sessionIds that day)
};

class ReportBuilder {
 public:
  ReportBuilder(const PriceTable& prices, ReportOptions opts, BuilderExtras extras = {});
  // The day cache points into the options.
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  // Rows [from, to) of `usage`, in table order. Rows outside the options' days or filters
  // are skipped here, so any range may be given.
  void add(const store::UsageTable& usage, std::size_t from, std::size_t to);
  void add_row(const store::UsageTable& usage, std::size_t idx);
  // The per-row costs (ReportOptions::row_usd/row_priced) for the next add calls: their
  // vectors may have moved since the builder was made.
  void set_row_costs(const std::vector<double>* usd, const std::vector<bool>* priced);

  // What is added after savepoint() can be taken back with rollback(); a new savepoint
  // keeps everything added before it.
  void savepoint();
  void rollback();

  Report result();  // the report so far; the builder goes on
  Report take();    // the report; the builder is spent

 private:
  struct Acc {
    Row row;
    std::unordered_map<std::string, std::size_t> model_index;  // into row.models
    std::vector<std::int32_t> line_of_variant;                 // by model variant: into row.models, -1 none
  };
  struct Variant {
    std::string name;
    const ModelPrice* price = nullptr;
    bool fallback = false, shown = true, synthetic = false;
  };
  struct Saved {
    bool active = false;
    std::size_t groups = 0;
    std::vector<std::pair<std::uint32_t, Acc>> accs;                   // as they were at the savepoint
    std::vector<std::pair<std::uint32_t, std::int32_t>> session_days;  // (slot, value before)
    Totals totals;
    std::int64_t with_cost_usd = 0;
    std::map<std::pair<std::string, int>, UnknownModel> unknown;
  };

  const Variant& variant(const store::UsageTable& usage, std::size_t vid, const store::UsageRow& r);
  const SessionParts& parts(const store::UsageTable& usage, std::int32_t file, Runtime rt);
  std::uint32_t group_for(const std::string& key);
  Acc& touch(std::uint32_t g);
  Report read_out(bool move);

  const PriceTable* prices_;
  ReportOptions opts_;
  BuilderExtras extras_;
  std::vector<Acc> groups_;
  std::unordered_map<std::string, std::uint32_t> group_of_key_;
  // Sessions and models interleave row by row: their group is found once per interned id.
  std::vector<std::int32_t> group_of_id_;
  std::int32_t last_group_ = -1;  // days come in runs of rows: the last day's group
  std::map<std::pair<std::string, int>, UnknownModel> unknown_;
  Totals totals_;
  std::int64_t with_cost_usd_ = 0;
  // Caches per interned string: a million rows share a few dozen models and files.
  std::vector<std::optional<const ModelPrice*>> price_of_;
  std::vector<std::optional<SessionParts>> parts_of_;
  std::vector<std::optional<Variant>> variants_;
  timeutil::DayCache day_of_;
  std::optional<timeutil::Day> key_day_;  // the day day_key_ was formatted for
  std::string day_key_;
  std::vector<std::int32_t> session_day_;  // by sessionId + 1: the last day group it was counted in
  Saved saved_;
  std::vector<std::uint64_t> saved_in_;  // per group: the savepoint that saved it
  std::uint64_t savepoint_no_ = 0;
};

// A report kept between passes over a usage table whose rows only grow at the end (the
// window's worker). `unchanged_rows` says how many leading rows are as they were when the
// last update saw them; rows from `settled_from` on may still be rewritten by the next
// append and go in after a savepoint. Anything else (other options, other prices, a change
// below the savepoint) starts over.
class IncrementalReport {
 public:
  // `prices` must not change while its address stays the same.
  Report update(const store::UsageTable& usage, const PriceTable& prices, const ReportOptions& opts,
                BuilderExtras extras, std::size_t settled_from);
  // Leading rows [0, n) are unchanged since the last update; 0 after a reload.
  void rows_changed_from(std::size_t n) { unchanged_ = std::min(unchanged_, n); }
  void clear() { builder_.reset(); }
  // Whether the last update continued (true) or started over (false).
  bool continued() const { return continued_; }

 private:
  std::optional<ReportBuilder> builder_;
  std::string key_;
  std::size_t done_ = 0;       // rows added before the savepoint
  std::size_t unchanged_ = 0;  // leading rows unchanged since the last update
  bool continued_ = false;
};

}  // namespace costdeck::report
