#include "core/live/live_usage.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/runs/attribution.hpp"

namespace costdeck::live {
namespace {

const std::string& at(const std::vector<std::string>& v, std::int32_t i) {
  static const std::string kEmpty;
  return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : kEmpty;
}

bool is_subagent_file(const std::string& path) {
  return path.find("/subagents/") != std::string::npos || path.find("/agent-") != std::string::npos;
}

}  // namespace

std::string display_model(const store::UsageTable& t, const store::UsageRow& r) {
  std::string m = at(t.models, r.model);
  if (m.empty() && r.runtime == Runtime::Codex) m = "gpt-5";
  if (m.empty()) m = "<unknown>";
  if (r.fast) m += "-fast";
  return m;
}

RowCosts price_rows(const store::UsageTable& t, const PriceTable& prices, const CostRules& rules) {
  RowCosts out;
  price_rows_from(t, prices, rules, 0, out);
  return out;
}

void price_rows_from(const store::UsageTable& t, const PriceTable& prices, const CostRules& rules,
                     std::size_t from, RowCosts& out) {
  // Resolve each interned model once: a million rows share a few dozen models.
  std::vector<const ModelPrice*> price_of(t.models.size() + 1, nullptr);
  for (std::size_t i = 0; i < t.models.size(); ++i) price_of[i] = prices.find(t.models[i]);
  const ModelPrice* codex_fallback = prices.find("gpt-5");
  from = std::min({from, out.usd.size(), out.priced.size()});
  // Grown by a sixteenth, not doubled, as the rows are: a live append adds one row.
  if (out.usd.capacity() < t.rows.size()) out.usd.reserve(t.rows.size() + t.rows.size() / 16 + 1024);
  out.usd.resize(t.rows.size());
  out.priced.resize(t.rows.size());
  for (std::size_t i = from; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    const ModelPrice* p = r.model >= 0 ? price_of[static_cast<std::size_t>(r.model)] : nullptr;
    if (at(t.models, r.model).empty() && r.runtime == Runtime::Codex) p = codex_fallback;
    ResponseCost c = response_cost(p, r.tokens, r.cost_usd(), r.fast, rules);
    out.usd[i] = c.usd;
    out.priced[i] = c.priced;
  }
}

std::vector<LiveSession> live_sessions(const store::UsageTable& t, const RowCosts& costs, std::int64_t now,
                                       std::int64_t idle_ms, const std::vector<std::int64_t>* first_ms) {
  std::unordered_map<std::int32_t, LiveSession> by_session;
  // Rows are sorted by time: walk back from the newest and stop at the idle horizon of the
  // oldest possible live session start (a live session may have begun long ago).
  // A flag per interned session (index + 1: rows without one are -1): the walk below
  // visits every row, so a hash lookup per row would be most of its time.
  std::vector<std::uint8_t> live(t.sessions.size() + 1, 0);
  auto slot = [&](std::int32_t s) { return static_cast<std::size_t>(s + 1); };
  bool any = false;
  for (std::size_t i = t.rows.size(); i-- > 0;) {
    const auto& r = t.rows[i];
    if (r.ts_ms > now) continue;
    if (now - r.ts_ms > idle_ms) break;
    if (slot(r.session) < live.size()) live[slot(r.session)] = 1, any = true;
  }
  if (!any) return {};
  std::size_t from = 0;
  if (first_ms && first_ms->size() == t.sessions.size() && !live[0]) {
    std::int64_t earliest = now;
    for (std::size_t s = 0; s < t.sessions.size(); ++s)
      if (live[s + 1]) earliest = std::min(earliest, (*first_ms)[s]);
    from = store::first_row_at(t, earliest);
  }
  for (std::size_t i = from; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    if (r.ts_ms > now || slot(r.session) >= live.size() || !live[slot(r.session)]) continue;
    LiveSession& s = by_session[r.session];
    if (s.responses == 0) {
      s.session_id = at(t.sessions, r.session);
      s.first_ms = r.ts_ms;
      s.runtime = r.runtime;
    }
    s.project = at(t.projects, r.project).empty() ? s.project : at(t.projects, r.project);
    s.model = display_model(t, r);
    s.last_ms = r.ts_ms;
    ++s.responses;
    s.tokens += r.tokens;
    s.cost_usd += costs.usd[i];
  }
  std::vector<LiveSession> out;
  for (auto& [_, s] : by_session) {
    double minutes = static_cast<double>(s.last_ms - s.first_ms) / 60000.0;
    if (minutes > 0) {
      s.tokens_per_minute = static_cast<double>(s.tokens.total()) / minutes;
      s.cost_per_hour = s.cost_usd / minutes * 60.0;
    }
    s.elapsed_ms = now - s.first_ms;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.last_ms != b.last_ms ? a.last_ms > b.last_ms : a.session_id < b.session_id;
  });
  return out;
}

std::vector<BlockEntry> block_entries(const store::UsageTable& t, const RowCosts& costs) {
  std::vector<BlockEntry> out;
  out.reserve(t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    // Fast-mode rows are their own model ("<model>-fast"), as in every report.
    const std::int32_t model =
        r.model >= 0 && r.fast ? r.model + static_cast<std::int32_t>(t.models.size()) : r.model;
    out.push_back({r.ts_ms, r.tokens, costs.usd[i], model});
  }
  return out;
}

std::string block_model_name(const store::UsageTable& t, std::int32_t m) {
  const auto n = static_cast<std::int32_t>(t.models.size());
  if (m < 0) return {};
  if (m >= n) return at(t.models, m - n) + "-fast";
  return at(t.models, m);
}

std::vector<BudgetSample> budget_samples(const store::UsageTable& t, const RowCosts& costs, const Config& cfg,
                                         std::vector<std::string>& tier_names, std::size_t first_row,
                                         std::size_t end_row) {
  std::vector<BudgetSample> out;
  budget_samples(t, costs, cfg, tier_names, first_row, end_row, out);
  return out;
}

void budget_samples(const store::UsageTable& t, const RowCosts& costs, const Config& cfg,
                    std::vector<std::string>& tier_names, std::size_t first_row, std::size_t end_row,
                    std::vector<BudgetSample>& out) {
  // Tier per (model, runtime, project, subagent) combination, computed once; the key is
  // numeric so a long history costs no string work per row.
  std::unordered_map<std::uint64_t, std::size_t> tier_index;
  std::vector<std::int8_t> file_is_subagent(t.files.size(), -1);
  end_row = std::min(end_row, t.rows.size());
  first_row = std::min(first_row, end_row);
  std::vector<std::uint32_t> row_tier(end_row - first_row);
  std::vector<std::string> names;
  for (std::size_t i = first_row; i < end_row; ++i) {
    const auto& r = t.rows[i];
    bool subagent = r.sidechain;
    if (!subagent && r.file >= 0 && static_cast<std::size_t>(r.file) < t.files.size()) {
      auto& f = file_is_subagent[static_cast<std::size_t>(r.file)];
      if (f < 0) f = is_subagent_file(t.files[static_cast<std::size_t>(r.file)]) ? 1 : 0;
      subagent = f == 1;
    }
    const std::uint64_t key = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.model + 1)) << 34) ^
                              (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.project + 1)) << 4) ^
                              (static_cast<std::uint64_t>(r.runtime) << 1) ^ (subagent ? 1u : 0u);
    auto it = tier_index.find(key);
    if (it == tier_index.end()) {
      runs::TierInput in;
      in.model = at(t.models, r.model);
      in.runtime = r.runtime == Runtime::Claude ? "claude-code" : "codex";
      in.project = at(t.projects, r.project);
      in.subagent = subagent;
      std::string tier = runs::tier_by_rules(cfg, in);
      auto pos = std::find(names.begin(), names.end(), tier);
      std::size_t idx = static_cast<std::size_t>(pos - names.begin());
      if (pos == names.end()) names.push_back(tier);
      it = tier_index.emplace(key, idx).first;
    }
    row_tier[i - first_row] = static_cast<std::uint32_t>(it->second);
  }
  tier_names = std::move(names);
  out.clear();
  if (out.capacity() < end_row - first_row) {
    out = {};
    out.reserve(end_row - first_row + (end_row - first_row) / 16 + 256);
  }
  for (std::size_t i = first_row; i < end_row; ++i) {
    const auto& r = t.rows[i];
    BudgetSample s;
    s.ts_ms = r.ts_ms;
    s.tokens = r.tokens.total();
    s.cost_usd = costs.usd[i];
    s.tier = &tier_names[row_tier[i - first_row]];
    s.project = &at(t.projects, r.project);
    s.session = &at(t.sessions, r.session);
    out.push_back(s);
  }
}

}  // namespace costdeck::live
