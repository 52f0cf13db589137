#include "core/live/budgets.hpp"

#include <algorithm>
#include <cstdio>

namespace costdeck::live {

const char* budget_unit_name(BudgetUnit u) {
  return u == BudgetUnit::Usd ? "usd" : "tokens";
}

const char* budget_period_name(BudgetPeriod p) {
  switch (p) {
    case BudgetPeriod::Day: return "day";
    case BudgetPeriod::Week: return "week";
    case BudgetPeriod::Month: return "month";
    case BudgetPeriod::Session: return "session";
    case BudgetPeriod::Block: return "block";
  }
  return "day";
}

std::optional<BudgetUnit> budget_unit_from_name(const std::string& s) {
  if (s == "usd" || s == "USD" || s == "$") return BudgetUnit::Usd;
  if (s == "tokens") return BudgetUnit::Tokens;
  return std::nullopt;
}

std::optional<BudgetPeriod> budget_period_from_name(const std::string& s) {
  for (auto p : {BudgetPeriod::Day, BudgetPeriod::Week, BudgetPeriod::Month, BudgetPeriod::Session,
                 BudgetPeriod::Block})
    if (s == budget_period_name(p)) return p;
  return std::nullopt;
}

std::string budget_display_name(const Budget& b) {
  if (!b.name.empty()) return b.name;
  std::string scope = !b.tier.empty()      ? "tier " + b.tier
                      : !b.project.empty() ? "project " + b.project
                                           : "overall";
  return scope + " / " + budget_period_name(b.period);
}

namespace {

std::string_view text(const std::string* p) {
  return p ? std::string_view(*p) : std::string_view();
}

bool in_scope(const Budget& b, const BudgetSample& s) {
  if (!b.tier.empty() && text(s.tier) != b.tier) return false;
  if (!b.project.empty() && text(s.project).find(b.project) == std::string_view::npos) return false;
  return true;
}

double amount(const Budget& b, const BudgetSample& s) {
  return b.unit == BudgetUnit::Usd ? s.cost_usd : static_cast<double>(s.tokens);
}

void finish(BudgetStatus& st) {
  const Budget& b = st.budget;
  st.fraction = b.limit > 0 ? st.used / b.limit : 0;
  st.status = b.limit <= 0               ? LimitStatus::Ok
              : st.used > b.limit        ? LimitStatus::Exceeded
              : st.used >= b.limit * 0.8 ? LimitStatus::Warning
                                         : LimitStatus::Ok;
  st.level = 0;
  for (double t : b.thresholds)
    if (b.limit > 0 && st.used >= t * b.limit) ++st.level;
}

}  // namespace

std::vector<BudgetStatus> evaluate_budgets(const std::vector<Budget>& budgets,
                                           const std::vector<BudgetSample>& samples, std::int64_t now,
                                           const PeriodFn& period_of) {
  std::vector<BudgetStatus> out;
  out.reserve(budgets.size());
  for (const Budget& b : budgets) {
    BudgetStatus st;
    st.budget = b;
    if (b.period == BudgetPeriod::Session) {
      // The live session: the one in scope with the newest activity.
      const BudgetSample* newest = nullptr;
      for (const auto& s : samples)
        if (in_scope(b, s) && (!newest || s.ts_ms > newest->ts_ms)) newest = &s;
      if (newest) {
        st.session = std::string(text(newest->session));
        st.period.start_ms = newest->ts_ms;
        st.period.end_ms = newest->ts_ms;
        for (const auto& s : samples) {
          if (!in_scope(b, s) || text(s.session) != text(newest->session)) continue;
          st.used += amount(b, s);
          st.period.start_ms = std::min(st.period.start_ms, s.ts_ms);
        }
      }
      st.projected = st.used;
    } else if (b.period == BudgetPeriod::Block) {
      std::vector<BlockEntry> es;
      for (const auto& s : samples) {
        if (!in_scope(b, s)) continue;
        BlockEntry e;
        e.ts_ms = s.ts_ms;
        e.tokens.input = s.tokens;
        e.cost_usd = s.cost_usd;
        es.push_back(e);
      }
      auto blocks = identify_blocks(std::move(es), now);
      if (!blocks.empty() && blocks.back().is_active) {
        const Block& cur = blocks.back();
        st.period = {cur.start_ms, cur.end_ms};
        st.used = b.unit == BudgetUnit::Usd ? cur.cost_usd : static_cast<double>(cur.tokens.total());
        st.projected = st.used;
        if (cur.projection)
          st.projected = b.unit == BudgetUnit::Usd ? cur.projection->total_cost
                                                   : static_cast<double>(cur.projection->total_tokens);
      }
    } else {
      st.period = period_of(b.period, now);
      for (const auto& s : samples)
        if (s.ts_ms >= st.period.start_ms && s.ts_ms < st.period.end_ms && in_scope(b, s))
          st.used += amount(b, s);
      // Linear projection over the elapsed part of the period.
      double elapsed = static_cast<double>(std::max<std::int64_t>(1, now - st.period.start_ms));
      double length = static_cast<double>(std::max<std::int64_t>(1, st.period.end_ms - st.period.start_ms));
      st.projected = now >= st.period.end_ms ? st.used : st.used * std::max(1.0, length / elapsed);
    }
    finish(st);
    out.push_back(std::move(st));
  }
  return out;
}

std::vector<CrossingTracker::Crossing> CrossingTracker::update(const std::vector<BudgetStatus>& statuses) {
  std::vector<Crossing> crossings;
  for (const auto& st : statuses) {
    std::string key = budget_display_name(st.budget) + '|' + budget_unit_name(st.budget.unit) + '|' +
                      std::to_string(st.budget.limit);
    auto it = std::find_if(seen_.begin(), seen_.end(), [&](const Seen& s) { return s.key == key; });
    if (it == seen_.end()) {
      seen_.push_back({key, st.period.start_ms, st.session, 0});
      it = seen_.end() - 1;
    }
    bool new_period = st.budget.period == BudgetPeriod::Session ? it->session != st.session
                                                                : it->period_start != st.period.start_ms;
    if (new_period) {
      it->period_start = st.period.start_ms;
      it->session = st.session;
      it->level = 0;
    }
    if (st.level > it->level) {
      std::vector<double> ts = st.budget.thresholds;
      std::sort(ts.begin(), ts.end());
      crossings.push_back({st, ts[static_cast<std::size_t>(st.level - 1)]});
      it->level = st.level;
    }
  }
  return crossings;
}

}  // namespace costdeck::live
