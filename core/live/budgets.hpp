#pragma once
// Budgets in tokens or USD over a period (day, week, month, session, 5-hour block), overall
// or for one tier or project. Evaluation is pure: the caller supplies the rows and the
// period bounds (in the user's time zone), so the same code serves the window, the report
// and the status line.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/live/blocks.hpp"

namespace costdeck::live {

enum class BudgetUnit : std::uint8_t { Usd, Tokens };
enum class BudgetPeriod : std::uint8_t { Day, Week, Month, Session, Block };

const char* budget_unit_name(BudgetUnit u);      // usd / tokens
const char* budget_period_name(BudgetPeriod p);  // day / week / month / session / block
std::optional<BudgetUnit> budget_unit_from_name(const std::string& s);
std::optional<BudgetPeriod> budget_period_from_name(const std::string& s);

struct Budget {
  std::string name;  // shown to the user; derived from scope and period when empty
  BudgetUnit unit = BudgetUnit::Usd;
  BudgetPeriod period = BudgetPeriod::Day;
  double limit = 0;
  std::string tier;                          // empty: any tier
  std::string project;                       // empty: any project (substring match on the project path)
  std::vector<double> thresholds{0.8, 1.0};  // fractions of the limit that raise a notice
  std::string command;                       // run (by the app) when a threshold is crossed; empty: none
};

std::string budget_display_name(const Budget& b);

// One counted response, reduced to what budgets need.
struct BudgetSample {
  std::int64_t ts_ms = 0;
  std::int64_t tokens = 0;
  double cost_usd = 0;
  // Into tables that outlive the samples (48 bytes a sample: there is one per response of
  // the last ~40 days).
  const std::string* tier = nullptr;
  const std::string* project = nullptr;
  const std::string* session = nullptr;
};

struct PeriodBounds {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

struct BudgetStatus {
  Budget budget;
  PeriodBounds period;
  std::string session;   // the session measured (period Session)
  double used = 0;       // in the budget's unit
  double projected = 0;  // at period end if the current rate holds (session: = used)
  double fraction = 0;   // used / limit
  LimitStatus status = LimitStatus::Ok;
  int level = 0;  // how many thresholds `used` has reached
};

// Bounds of the period containing `now_ms` for Day/Week/Month (the caller's time zone).
using PeriodFn = std::function<PeriodBounds(BudgetPeriod, std::int64_t now_ms)>;

// `samples` in any order. The session budget measures the session with the latest
// activity; the block budget measures the current 5-hour block (none active: zero used).
std::vector<BudgetStatus> evaluate_budgets(const std::vector<Budget>& budgets,
                                           const std::vector<BudgetSample>& samples, std::int64_t now_ms,
                                           const PeriodFn& period_of);

// Remembers the level each budget reached in its current period, and reports a crossing
// only when a budget climbs to a higher threshold: once per crossing, never per frame.
class CrossingTracker {
 public:
  struct Crossing {
    BudgetStatus status;
    double threshold = 0;  // the fraction just crossed
  };
  std::vector<Crossing> update(const std::vector<BudgetStatus>& statuses);

 private:
  struct Seen {
    std::string key;
    std::int64_t period_start = 0;
    std::string session;
    int level = 0;
  };
  std::vector<Seen> seen_;
};

}  // namespace costdeck::live
