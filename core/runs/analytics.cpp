#include "core/runs/analytics.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace costdeck::runs {
namespace {

bool finished(RunStatus s) {
  return s == RunStatus::Success || s == RunStatus::Error || s == RunStatus::Aborted;
}

double rate(std::int64_t num, std::int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0;
}

}  // namespace

LoadOptions load_options_for(std::string_view name, bool budgets) {
  using F = LoadOptions;
  LoadOptions lo;
  lo.texts = name == "errors" ? F::Texts::ErrorRuns : F::Texts::None;
  lo.error_events = name == "errors" || name == "performance";
  const std::uint32_t money = F::Tokens | F::Cost;
  if (name == "tiers")
    lo.fields = F::Tier | F::Model | money | (budgets ? F::Project | F::Session : 0u);
  else if (name == "performance")
    lo.fields = F::Duration | F::Status;
  else if (name == "errors")
    lo.fields = F::Status | F::Source | F::Runtime | F::Session;
  else if (name == "runtimes")
    lo.fields = F::Runtime | F::Operation | F::Status | F::Duration | money;
  else if (name == "operations")
    lo.fields = F::Operation | F::Status | F::Duration | money;
  else if (name == "issues")
    lo.fields = F::Issue | F::Session | F::Model | money;
  else if (name == "slowest")
    lo.fields = F::Duration;
  else if (name == "top")
    lo.fields = F::Session | F::Project | F::Issue | F::Model | money;
  else if (name == "activity")
    lo.fields = 0;
  return lo;
}

void complete_briefs(SQLite::Database& db, const Config& config, std::vector<RunBrief>& briefs) {
  if (briefs.empty()) return;
  LoadOptions lo;
  lo.error_events = false;
  for (const RunBrief& b : briefs) lo.ids.push_back(b.id);
  const RunTable whole = load_runs(db, config, RunFilter{}, lo);
  std::unordered_map<std::int64_t, const RunRow*> by_id;
  for (const RunRow& r : whole.rows) by_id.emplace(r.id, &r);
  for (RunBrief& b : briefs)
    if (auto it = by_id.find(b.id); it != by_id.end()) b = brief_of(whole, *it->second);
}

RunBrief brief_of(const RunTable& t, const RunRow& r) {
  RunBrief b;
  b.id = r.id;
  b.key = std::string(t.text_of(r.key));
  b.started_ms = r.started_ms;
  b.duration_ms = r.duration_ms;
  b.runtime = t.str(r.runtime);
  b.agent = t.str(r.agent);
  b.tier = t.str(r.tier);
  b.issue = t.str(r.issue);
  b.session = t.str(r.session);
  b.project = t.str(r.project);
  b.operation = t.str(r.operation);
  b.title = std::string(t.text_of(r.title));
  b.error = std::string(t.text_of(r.error));
  b.model = t.str(r.model);
  b.status = r.status;
  b.source = r.source;
  b.tokens = r.tokens;
  b.cost_usd = r.cost_usd;
  b.has_cost = r.has_cost;
  return b;
}

// ---------------------------------------------------------------- tiers

TiersReport tiers_report(const RunTable& t, const std::vector<live::Budget>& budgets,
                         const timeutil::Zone& zone, std::int64_t now_ms) {
  TiersReport rep;
  std::map<std::int32_t, TierRow> by_tier;
  std::map<std::int32_t, std::map<std::int32_t, double>> models;  // tier -> model -> cost
  for (const auto& r : t.rows) {
    auto& row = by_tier[r.tier];
    row.runs++;
    row.tokens += r.tokens;
    row.cost += r.cost_usd;
    if (!r.has_cost && r.tokens.total() > 0) row.unpriced_runs++;
    if (r.model >= 0) models[r.tier][r.model] += r.cost_usd;
    rep.tokens += r.tokens;
    rep.cost += r.cost_usd;
    rep.runs++;
  }
  for (auto& [tier, row] : by_tier) {
    row.tier = tier < 0 ? "(none)" : t.str(tier);
    row.share = rate(0, 0);
    if (rep.cost > 0) row.share = row.cost / rep.cost;
    std::vector<std::pair<double, std::int32_t>> ms;
    for (auto [m, c] : models[tier]) ms.emplace_back(c, m);
    std::sort(ms.begin(), ms.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (auto& [c, m] : ms) row.models.push_back(t.str(m));
    rep.tiers.push_back(std::move(row));
  }
  // Budgets: evaluated by the shared budget code on this tier's runs.
  if (!budgets.empty()) {
    std::vector<live::BudgetSample> samples;
    samples.reserve(t.rows.size());
    for (const auto& r : t.rows)
      samples.push_back(
          {r.started_ms, r.tokens.total(), r.cost_usd, &t.str(r.tier), &t.str(r.project), &t.str(r.session)});
    auto period_of = [&zone](live::BudgetPeriod p, std::int64_t now) {
      timeutil::Day d = zone.day_of(now), start = d, end = d + 1;
      if (p == live::BudgetPeriod::Week) {
        start = timeutil::week_start(d);
        end = start + 7;
      } else if (p == live::BudgetPeriod::Month) {
        start = timeutil::month_start(d);
        end = timeutil::month_start(start + 32);
      }
      return live::PeriodBounds{zone.start_of_day_ms(start), zone.start_of_day_ms(end)};
    };
    auto statuses = live::evaluate_budgets(budgets, samples, now_ms, period_of);
    for (const auto& st : statuses) {
      for (auto& row : rep.tiers) {
        if (!st.budget.tier.empty() && st.budget.tier != row.tier) continue;
        if (st.budget.tier.empty()) continue;  // overall budgets are not a tier's
        TierBudget tb;
        tb.name = live::budget_display_name(st.budget);
        tb.unit = live::budget_unit_name(st.budget.unit);
        tb.period = live::budget_period_name(st.budget.period);
        tb.limit = st.budget.limit;
        tb.used = st.used;
        tb.projected = st.projected;
        tb.fraction = st.fraction;
        tb.status = live::limit_status_name(st.status);
        row.budgets.push_back(std::move(tb));
      }
    }
  }
  std::sort(rep.tiers.begin(), rep.tiers.end(), [](const TierRow& a, const TierRow& b) {
    return a.cost != b.cost ? a.cost > b.cost : a.tier < b.tier;
  });
  return rep;
}

// ---------------------------------------------------------------- performance

DurationStats duration_stats(std::vector<std::int64_t> d) {
  DurationStats s;
  s.count = static_cast<std::int64_t>(d.size());
  if (d.empty()) return s;
  double sum = 0;
  for (auto v : d) sum += static_cast<double>(v);
  s.avg_ms = sum / static_cast<double>(d.size());
  auto rank = [&](double p) {
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(d.size())));
    k = std::clamp<std::size_t>(k, 1, d.size()) - 1;
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(k), d.end());
    return static_cast<double>(d[k]);
  };
  s.median_ms = rank(50);
  s.p95_ms = rank(95);
  return s;
}

PerformanceReport performance_report(const RunTable& t, const timeutil::Zone& zone, std::int64_t now_ms) {
  PerformanceReport rep;
  timeutil::DayCache day_of(zone);
  const timeutil::Day today = zone.day_of(now_ms);
  std::vector<std::int64_t> durations;
  durations.reserve(t.rows.size());
  struct Acc {
    PerfDay d;
    double dur_sum = 0;
    std::int64_t dur_n = 0;
  };
  std::map<timeutil::Day, Acc> days;
  for (const auto& r : t.rows) {
    rep.tasks++;
    timeutil::Day d = day_of(r.started_ms);
    auto& a = days[d];
    a.d.tasks++;
    switch (r.status) {
      case RunStatus::Success: rep.successes++, a.d.successes++; break;
      case RunStatus::Error: rep.errors++, a.d.errors++; break;
      case RunStatus::Aborted: rep.aborted++, a.d.aborted++; break;
      default: rep.unfinished++;
    }
    if (r.status == RunStatus::Error && d == today) rep.errors_today++;
    if (r.duration_ms >= 0 && finished(r.status)) {
      durations.push_back(r.duration_ms);
      a.dur_sum += static_cast<double>(r.duration_ms);
      a.dur_n++;
    }
  }
  // Tool failures and API errors inside otherwise successful turns count as errors today too.
  timeutil::DayCache event_day(zone);
  for (const auto& e : t.errors)
    if ((e.kind == ErrorKind::ToolError || e.kind == ErrorKind::ApiError) && event_day(e.ts_ms) == today)
      rep.errors_today++;
  rep.success_rate = rate(rep.successes, rep.successes + rep.errors + rep.aborted);
  rep.duration = duration_stats(std::move(durations));
  for (auto& [d, a] : days) {
    a.d.day = timeutil::format_day(d);
    a.d.success_rate = rate(a.d.successes, a.d.successes + a.d.errors + a.d.aborted);
    a.d.avg_duration_ms = a.dur_n ? a.dur_sum / static_cast<double>(a.dur_n) : 0;
    rep.daily.push_back(std::move(a.d));
  }
  return rep;
}

std::vector<PerfDay> performance_hourly(const RunTable& t, const timeutil::Zone& zone) {
  struct Acc {
    PerfDay d;
    double dur_sum = 0;
    std::int64_t dur_n = 0;
  };
  timeutil::DayCache day_of(zone);
  std::map<std::pair<timeutil::Day, int>, Acc> hours;
  for (const auto& r : t.rows) {
    timeutil::Day d = day_of(r.started_ms);
    // Hours counted from the local midnight; a DST change shifts the hours after it by one.
    int h = static_cast<int>(
        std::clamp<std::int64_t>((r.started_ms - zone.start_of_day_ms(d)) / 3'600'000, 0, 23));
    auto& a = hours[{d, h}];
    a.d.tasks++;
    switch (r.status) {
      case RunStatus::Success: a.d.successes++; break;
      case RunStatus::Error: a.d.errors++; break;
      case RunStatus::Aborted: a.d.aborted++; break;
      default: break;
    }
    if (r.duration_ms >= 0 && finished(r.status)) {
      a.dur_sum += static_cast<double>(r.duration_ms);
      a.dur_n++;
    }
  }
  std::vector<PerfDay> out;
  out.reserve(hours.size());
  for (auto& [k, a] : hours) {
    char hh[8];
    std::snprintf(hh, sizeof hh, " %02d:00", k.second);
    a.d.day = timeutil::format_day(k.first) + hh;
    a.d.success_rate = rate(a.d.successes, a.d.successes + a.d.errors + a.d.aborted);
    a.d.avg_duration_ms = a.dur_n ? a.dur_sum / static_cast<double>(a.dur_n) : 0;
    out.push_back(std::move(a.d));
  }
  return out;
}

// ---------------------------------------------------------------- lists

std::vector<RunBrief> slowest_runs(const RunTable& t, std::size_t n) {
  std::vector<const RunRow*> v;
  for (const auto& r : t.rows)
    if (r.duration_ms >= 0) v.push_back(&r);
  auto cmp = [](const RunRow* a, const RunRow* b) {
    return a->duration_ms != b->duration_ms ? a->duration_ms > b->duration_ms : a->id < b->id;
  };
  n = std::min(n, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), cmp);
  std::vector<RunBrief> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(brief_of(t, *v[i]));
  return out;
}

std::vector<RunBrief> latest_runs(const RunTable& t, std::size_t n) {
  std::vector<RunBrief> out;
  // Rows are sorted by start time: the newest are at the end.
  for (auto it = t.rows.rbegin(); it != t.rows.rend() && out.size() < n; ++it)
    out.push_back(brief_of(t, *it));
  return out;
}

// ---------------------------------------------------------------- operations, runtimes

namespace {

struct OpAcc {
  OperationRow row;
  double dur_sum = 0;
  std::int64_t dur_n = 0;
  std::int64_t finished = 0;
  void add(const RunRow& r) {
    row.runs++;
    if (r.status == RunStatus::Success) row.successes++;
    if (finished_status(r.status)) finished++;
    row.cost += r.cost_usd;
    row.tokens += r.tokens;
    if (r.duration_ms >= 0) {
      dur_sum += static_cast<double>(r.duration_ms);
      dur_n++;
    }
  }
  static bool finished_status(RunStatus s) {
    return s == RunStatus::Success || s == RunStatus::Error || s == RunStatus::Aborted;
  }
};

std::vector<OperationRow> finish_ops(const RunTable& t, std::map<std::int32_t, OpAcc>& ops) {
  double total = 0;
  for (auto& [k, a] : ops) total += a.row.cost;
  std::vector<OperationRow> out;
  for (auto& [k, a] : ops) {
    a.row.operation = k < 0 ? "(none)" : t.str(k);
    a.row.success_rate = rate(a.row.successes, a.finished);
    a.row.share = total > 0 ? a.row.cost / total : 0;
    a.row.avg_duration_ms = a.dur_n ? a.dur_sum / static_cast<double>(a.dur_n) : 0;
    out.push_back(std::move(a.row));
  }
  std::sort(out.begin(), out.end(), [](const OperationRow& a, const OperationRow& b) {
    return a.cost != b.cost   ? a.cost > b.cost
           : a.runs != b.runs ? a.runs > b.runs
                              : a.operation < b.operation;
  });
  return out;
}

}  // namespace

std::vector<OperationRow> operations_report(const RunTable& t) {
  std::map<std::int32_t, OpAcc> ops;
  for (const auto& r : t.rows) ops[r.operation].add(r);
  return finish_ops(t, ops);
}

std::vector<RuntimeRow> runtimes_report(const RunTable& t, const timeutil::Zone& zone) {
  struct Acc {
    OpAcc total;
    std::int64_t errors = 0;
    std::map<std::int32_t, OpAcc> ops;
    std::map<timeutil::Day, OpAcc> days;
  };
  std::map<std::int32_t, Acc> rts;
  timeutil::DayCache day_of(zone);
  for (const auto& r : t.rows) {
    auto& a = rts[r.runtime];
    a.total.add(r);
    if (r.status == RunStatus::Error) a.errors++;
    a.ops[r.operation].add(r);
    a.days[day_of(r.started_ms)].add(r);
  }
  std::vector<RuntimeRow> out;
  for (auto& [rt, a] : rts) {
    RuntimeRow row;
    row.runtime = rt < 0 ? "(none)" : t.str(rt);
    row.tasks = a.total.row.runs;
    row.successes = a.total.row.successes;
    row.errors = a.errors;
    row.success_rate = rate(row.successes, a.total.finished);
    row.avg_duration_ms = a.total.dur_n ? a.total.dur_sum / static_cast<double>(a.total.dur_n) : 0;
    row.cost = a.total.row.cost;
    row.cost_per_task = row.tasks ? row.cost / static_cast<double>(row.tasks) : 0;
    row.tokens = a.total.row.tokens;
    row.operations = finish_ops(t, a.ops);
    for (auto& [d, da] : a.days) {
      RuntimeDay rd;
      rd.day = timeutil::format_day(d);
      rd.tasks = da.row.runs;
      rd.success_rate = rate(da.row.successes, da.finished);
      rd.cost = da.row.cost;
      rd.avg_duration_ms = da.dur_n ? da.dur_sum / static_cast<double>(da.dur_n) : 0;
      row.daily.push_back(std::move(rd));
    }
    out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end(), [](const RuntimeRow& a, const RuntimeRow& b) {
    return a.tasks != b.tasks ? a.tasks > b.tasks : a.runtime < b.runtime;
  });
  return out;
}

// ---------------------------------------------------------------- issues, top

namespace {

// A few values keyed by model id, kept sorted by id: the entry for `model`, made if new.
template <class V>
V& by_model_id(std::vector<std::pair<std::int32_t, V>>& v, std::int32_t model) {
  auto it =
      std::lower_bound(v.begin(), v.end(), model, [](const auto& e, std::int32_t m) { return e.first < m; });
  if (it == v.end() || it->first != model) it = v.insert(it, {model, V{}});
  return it->second;
}

// The model with the most cost, the lowest id among equals (-1: none). Callers add 1e-12 a
// run, so a model whose runs cost nothing still beats having none.
std::int32_t costliest_model(const std::vector<std::pair<std::int32_t, double>>& cost_by_model) {
  double best = -1;
  std::int32_t model = -1;
  for (const auto& [m, c] : cost_by_model)
    if (c > best) best = c, model = m;
  return model;
}

}  // namespace

std::vector<IssueRow> issues_report(const RunTable& t, const BadgeThresholds& badges) {
  // Tens of thousands of issue x session pairs at 100k runs: each run's pair is found once
  // by sorting the pair keys, and issues by their dense string id, so the passes below (in
  // table order, which fixes the order of every sum) do no hashing. Sessions come out in
  // id order and models in id order before sorting, so equal keys keep a stable order.
  struct Acc {
    IssueRow row;
    std::size_t first_session = 0, end_session = 0;           // range in `sessions`
    std::vector<std::pair<std::int32_t, IssueModel>> models;  // by model id
  };
  struct PairKey {
    std::uint64_t key;  // issue id, then session id + 1 (-1 sorts first)
    std::uint32_t row;
  };
  std::vector<PairKey> keys;
  keys.reserve(t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const RunRow& r = t.rows[i];
    if (r.issue < 0) continue;
    keys.push_back({(static_cast<std::uint64_t>(r.issue) << 32) | static_cast<std::uint32_t>(r.session + 1),
                    static_cast<std::uint32_t>(i)});
  }
  std::sort(keys.begin(), keys.end(), [](const PairKey& x, const PairKey& y) {
    return x.key != y.key ? x.key < y.key : x.row < y.row;
  });
  std::vector<std::uint32_t> slot_of_row(t.rows.size());
  // Each issue's sessions are contiguous in key order: a slot is an index into them all,
  // and an issue's own vector holds [first_session, end_session) of it, sized once.
  // Until the strings are written, a session's spans hold string ids (offset: -1 = none).
  std::size_t slots = 0;
  std::vector<std::int32_t> sid_of, phase_of;
  {
    std::size_t distinct = 0;
    for (std::size_t k = 0; k < keys.size(); ++k) distinct += k == 0 || keys[k].key != keys[k - 1].key;
    sid_of.reserve(distinct);
    phase_of.reserve(distinct);
  }
  std::vector<std::pair<std::int32_t, Acc>> issues;
  std::vector<std::int32_t> issue_slot(t.strings.size(), -1);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (k == 0 || keys[k].key != keys[k - 1].key) {
      const auto issue = static_cast<std::int32_t>(keys[k].key >> 32);
      if (issue_slot[static_cast<std::size_t>(issue)] < 0) {
        issue_slot[static_cast<std::size_t>(issue)] = static_cast<std::int32_t>(issues.size());
        issues.emplace_back(issue, Acc{});
        issues.back().second.first_session = slots;
      }
      ++slots;
      sid_of.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(keys[k].key)) - 1);
      phase_of.push_back(-1);
      issues.back().second.end_session = slots;
    }
    slot_of_row[keys[k].row] = static_cast<std::uint32_t>(slots - 1);
  }
  for (auto& [iss, a] : issues) a.row.sessions.resize(a.end_session - a.first_session);
  // A session's model (costliest_model). Each slot's runs are one run of keys, in table
  // order: its few models are summed in a small reused list.
  std::vector<std::int32_t> model_of(slots, -1);
  {
    std::vector<std::pair<std::int32_t, double>> by_model;  // (model id, cost), by id
    for (std::size_t k = 0; k < keys.size();) {
      const std::uint64_t key = keys[k].key;
      const std::uint32_t slot = slot_of_row[keys[k].row];
      by_model.clear();
      for (; k < keys.size() && keys[k].key == key; ++k) {
        const RunRow& r = t.rows[keys[k].row];
        if (r.model >= 0) by_model_id(by_model, r.model) += r.cost_usd + 1e-12;
      }
      model_of[slot] = costliest_model(by_model);
    }
  }
  keys = {};
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const RunRow& r = t.rows[i];
    if (r.issue < 0) continue;
    auto& a = issues[static_cast<std::size_t>(issue_slot[static_cast<std::size_t>(r.issue)])].second;
    if (a.row.runs == 0) a.row.first_ms = a.row.last_ms = r.started_ms;
    a.row.runs++;
    a.row.cost += r.cost_usd;
    a.row.tokens += r.tokens;
    a.row.first_ms = std::min(a.row.first_ms, r.started_ms);
    a.row.last_ms = std::max(a.row.last_ms, r.started_ms);
    const std::uint32_t slot = slot_of_row[i];
    auto& s = a.row.sessions[slot - a.first_session];
    if (s.runs == 0) {
      s.first_ms = s.last_ms = r.started_ms;
      phase_of[slot] = r.phase;
    }
    s.runs++;
    s.cost += r.cost_usd;
    s.tokens += r.tokens;
    s.first_ms = std::min(s.first_ms, r.started_ms);
    s.last_ms = std::max(s.last_ms, r.started_ms);
    if (r.model >= 0) {
      IssueModel& im = by_model_id(a.models, r.model);
      im.cost += r.cost_usd;
      im.tokens += r.tokens;
    }
  }
  slot_of_row = {};
  std::vector<IssueRow> out;
  out.reserve(issues.size());
  static const std::string kNone = "(none)";
  for (auto& [iss, a] : issues) {
    a.row.issue = t.str(iss);
    a.row.badge = badge_for_cost(badges, a.row.cost);
    // Each distinct string once per issue: sessions are distinct, phases and models repeat.
    std::unordered_map<std::int32_t, TextSpan> span_of;
    auto span = [&](std::int32_t id, const std::string& s) {
      auto [it, fresh] = span_of.try_emplace(id);
      if (fresh) {
        it->second = {static_cast<std::uint32_t>(a.row.text.size()), static_cast<std::uint32_t>(s.size())};
        a.row.text += s;
      }
      return it->second;
    };
    std::size_t bytes = 0;
    for (std::size_t si = a.first_session; si < a.end_session; ++si) bytes += t.str(sid_of[si]).size();
    a.row.text.reserve(bytes + 256);
    for (std::size_t si = a.first_session; si < a.end_session; ++si) {
      IssueSession& o = a.row.sessions[si - a.first_session];
      o.session = sid_of[si] < 0 ? span(-2, kNone) : span(sid_of[si], t.str(sid_of[si]));
      o.phase = span(phase_of[si], t.str(phase_of[si]));
      o.model = span(model_of[si], t.str(model_of[si]));
    }
    a.row.text.shrink_to_fit();
    std::sort(a.row.sessions.begin(), a.row.sessions.end(),
              [](const IssueSession& x, const IssueSession& y) { return x.first_ms < y.first_ms; });
    for (auto& [m, im] : a.models) {
      im.model = t.str(m);
      im.share = a.row.cost > 0 ? im.cost / a.row.cost : 0;
      a.row.models.push_back(std::move(im));
    }
    std::sort(a.row.models.begin(), a.row.models.end(),
              [](const IssueModel& x, const IssueModel& y) { return x.cost > y.cost; });
    out.push_back(std::move(a.row));
  }
  std::sort(out.begin(), out.end(), [](const IssueRow& a, const IssueRow& b) {
    return a.cost != b.cost ? a.cost > b.cost : a.issue < b.issue;
  });
  return out;
}

TopReport top_report(const RunTable& t, std::size_t n) {
  TopReport rep;
  std::vector<const RunRow*> v;
  v.reserve(t.rows.size());
  for (const auto& r : t.rows) v.push_back(&r);
  auto cmp = [](const RunRow* a, const RunRow* b) {
    return a->cost_usd != b->cost_usd ? a->cost_usd > b->cost_usd : a->id < b->id;
  };
  std::size_t k = std::min(n, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), cmp);
  for (std::size_t i = 0; i < k; ++i) rep.runs.push_back(brief_of(t, *v[i]));

  // A session's cost per model (few per session), its model the costliest_model. Sessions by
  // their dense string id, not hashed.
  struct Acc {
    SessionBrief s;
    std::vector<std::pair<std::int32_t, double>> model_cost;
    std::int32_t project = -1, issue = -1;
  };
  std::vector<std::int32_t> slot(t.strings.size(), -1);
  std::vector<std::pair<std::int32_t, Acc>> sessions;
  for (const auto& r : t.rows) {
    if (r.session < 0) continue;
    std::int32_t& at = slot[static_cast<std::size_t>(r.session)];
    if (at < 0) {
      at = static_cast<std::int32_t>(sessions.size());
      sessions.emplace_back(r.session, Acc{});
    }
    auto& a = sessions[static_cast<std::size_t>(at)].second;
    if (a.s.runs == 0) a.s.first_ms = a.s.last_ms = r.started_ms;
    a.s.runs++;
    a.s.cost += r.cost_usd;
    a.s.tokens += r.tokens;
    a.s.first_ms = std::min(a.s.first_ms, r.started_ms);
    a.s.last_ms = std::max(a.s.last_ms, r.started_ms);
    if (a.project < 0) a.project = r.project;
    if (a.issue < 0) a.issue = r.issue;
    if (r.model >= 0) by_model_id(a.model_cost, r.model) += r.cost_usd + 1e-12;
  }
  std::vector<std::pair<std::int32_t, Acc*>> sv;
  sv.reserve(sessions.size());
  for (auto& [sid, a] : sessions) sv.emplace_back(sid, &a);
  k = std::min(n, sv.size());
  std::partial_sort(sv.begin(), sv.begin() + static_cast<std::ptrdiff_t>(k), sv.end(), [&](auto& x, auto& y) {
    return x.second->s.cost != y.second->s.cost ? x.second->s.cost > y.second->s.cost
                                                : t.str(x.first) < t.str(y.first);
  });
  for (std::size_t i = 0; i < k; ++i) {
    auto& a = *sv[i].second;
    a.s.session = t.str(sv[i].first);
    a.s.project = t.str(a.project);
    a.s.issue = t.str(a.issue);
    a.s.model = t.str(costliest_model(a.model_cost));
    rep.sessions.push_back(std::move(a.s));
  }
  return rep;
}

}  // namespace costdeck::runs
