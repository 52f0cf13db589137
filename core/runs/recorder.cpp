#include "core/runs/recorder.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/runs/run_json.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/store.hpp"

namespace costdeck::runs {

struct CostTracker::Impl {
  store::Store store;
  TrackerIdentity id;
};

CostTracker::CostTracker(const std::string& db_path, TrackerIdentity identity)
    : impl_(std::make_unique<Impl>(Impl{store::Store::open(db_path), std::move(identity)})) {
  impl_->store.db().setBusyTimeout(kWriterBusyTimeoutMs);
}

CostTracker::~CostTracker() = default;

std::string CostTracker::record(const Operation& op) {
  Run r;
  r.key = op.key;
  r.source = RunSource::Recorded;
  r.runtime = impl_->id.runtime;
  r.agent = impl_->id.agent_type;
  r.project = impl_->id.project;
  r.session_id = impl_->id.session_id;
  r.tier = impl_->id.tier;
  r.issue = impl_->id.issue;
  r.operation = op.operation;
  r.title = op.title;
  r.model = op.model;
  r.duration_ms = op.duration_ms;
  r.tokens = op.tokens;
  r.cost_usd = op.cost_usd;
  r.status = op.status;
  r.error = op.error;
  r.trigger = op.trigger;
  if (!op.metadata_json.empty()) r.metadata = normalize_metadata(op.metadata_json);
  if (op.duration_ms && *op.duration_ms < 0) throw RunInputError("duration_ms: must not be negative");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (op.started_ms) r.started_ms = *op.started_ms;
  finish_run(r, now, op.started_ms.has_value());
  auto& db = impl_->store.db();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  upsert_runs(db, {r});
  tx.commit();
  return r.key;
}

namespace {
constexpr const char* kMine = " FROM runs WHERE agent IS ?1 AND project IS ?2 AND session_id IS ?3";

void bind_identity(SQLite::Statement& q, const TrackerIdentity& id) {
  auto b = [&](int i, const std::string& s) {
    if (s.empty()) q.bind(i); else q.bind(i, s);
  };
  b(1, id.agent_type);
  b(2, id.project);
  b(3, id.session_id);
}
}  // namespace

double CostTracker::total_cost() const {
  SQLite::Statement q(impl_->store.db(), std::string("SELECT COALESCE(SUM(cost_usd), 0)") + kMine);
  bind_identity(q, impl_->id);
  q.executeStep();
  return q.getColumn(0).getDouble();
}

std::map<std::string, double> CostTracker::cost_by_operation() const {
  std::map<std::string, double> out;
  SQLite::Statement q(impl_->store.db(),
                      std::string("SELECT COALESCE(operation, ''), COALESCE(SUM(cost_usd), 0)") + kMine + " GROUP BY 1");
  bind_identity(q, impl_->id);
  while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getDouble();
  return out;
}

std::string CostTracker::summary_json() const {
  using nlohmann::ordered_json;
  SQLite::Statement q(impl_->store.db(),
                      std::string("SELECT COALESCE(operation, ''), count(*), COALESCE(SUM(cost_usd), 0), "
                                  "COALESCE(SUM(duration_ms), 0), SUM(input_tokens), SUM(output_tokens), "
                                  "SUM(cache_read_tokens), SUM(cache_write_tokens)") +
                          kMine + " GROUP BY 1 ORDER BY 1");
  bind_identity(q, impl_->id);
  ordered_json by_op = ordered_json::object();
  std::int64_t runs = 0, in = 0, out = 0, cr = 0, cw = 0;
  double cost = 0;
  while (q.executeStep()) {
    std::int64_t n = q.getColumn(1).getInt64();
    double c = q.getColumn(2).getDouble();
    by_op[q.getColumn(0).getString()] = {{"runs", n}, {"costUSD", c}, {"durationMs", q.getColumn(3).getInt64()}};
    runs += n;
    cost += c;
    in += q.getColumn(4).getInt64();
    out += q.getColumn(5).getInt64();
    cr += q.getColumn(6).getInt64();
    cw += q.getColumn(7).getInt64();
  }
  ordered_json j{{"agent", impl_->id.agent_type},
                 {"project", impl_->id.project},
                 {"session", impl_->id.session_id},
                 {"runs", runs},
                 {"costUSD", cost},
                 {"tokens", {{"input", in}, {"output", out}, {"cacheRead", cr}, {"cacheWrite", cw}}},
                 {"byOperation", by_op}};
  return j.dump();
}

}  // namespace costdeck::runs
