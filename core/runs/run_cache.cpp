#include "core/runs/run_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <xxhash.h>

#include <algorithm>
#include <climits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/runs/run_store.hpp"

namespace costdeck::runs {
namespace {

std::int64_t lo(const RunFilter& f) {
  return f.since_ms.value_or(INT64_MIN);
}
std::int64_t hi(const RunFilter& f) {
  return f.until_ms.value_or(INT64_MAX);
}

RunCache::Fingerprint fingerprint(SQLite::Database& db, const RunFilter& f) {
  RunCache::Fingerprint fp;
  fp.max_written = db.execAndGet("SELECT coalesce(max(written_ms), 0) FROM runs").getInt64();
  {
    SQLite::Statement q(db,
                        "SELECT count(*), total(id) FROM runs WHERE started_ms >= ?1 AND started_ms < ?2");
    q.bind(1, static_cast<std::int64_t>(lo(f)));
    q.bind(2, static_cast<std::int64_t>(hi(f)));
    q.executeStep();
    fp.in_range = q.getColumn(0).getInt64();
    fp.id_sum = q.getColumn(1).getDouble();
  }
  {
    SQLite::Statement q(
        db, "SELECT count(*), coalesce(max(id), 0) FROM run_errors WHERE ts_ms >= ?1 AND ts_ms < ?2");
    q.bind(1, static_cast<std::int64_t>(lo(f)));
    q.bind(2, static_cast<std::int64_t>(hi(f)));
    q.executeStep();
    fp.errors = q.getColumn(0).getInt64();
    fp.errors_max_id = q.getColumn(1).getInt64();
  }
  std::string links;
  SQLite::Statement q(db,
                      "SELECT session_id, issue, coalesce(phase, '') FROM session_links ORDER BY session_id");
  while (q.executeStep()) {
    for (int c = 0; c < 3; ++c) {
      links += q.getColumn(c).getString();
      links += '\x1f';
    }
  }
  fp.links = XXH3_64bits(links.data(), links.size());
  return fp;
}

std::vector<std::int64_t> ids_in_range(SQLite::Database& db, const RunFilter& f) {
  std::vector<std::int64_t> ids;
  SQLite::Statement q(db, "SELECT id FROM runs WHERE started_ms >= ?1 AND started_ms < ?2");
  q.bind(1, static_cast<std::int64_t>(lo(f)));
  q.bind(2, static_cast<std::int64_t>(hi(f)));
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

const RunTable& RunCache::get(SQLite::Database& db, const Config& config, std::uint64_t config_generation,
                              const RunFilter& f) {
  // One read transaction: the fingerprint describes exactly the rows loaded or patched in.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::DEFERRED);
  if (!valid_ || generation_ != config_generation || !(filter_ == f)) {
    generation_ = config_generation;
    load(db, config, f);
  } else if (const Fingerprint now = fingerprint(db, f); now == fp_) {
    last_ = Last::Unchanged;
    touched_ = {};
  } else {
    const bool patchable = now.max_written >= fp_.max_written && now.errors == fp_.errors &&
                           now.errors_max_id == fp_.errors_max_id && now.links == fp_.links;
    if (patchable && patch(db, config, now)) {
      fp_ = now;
      last_ = Last::Patched;
      ++changes_;
    } else {
      load(db, config, f);
    }
  }
  tx.commit();
  return table_;
}

void RunCache::load(SQLite::Database& db, const Config& config, const RunFilter& f) {
  valid_ = false;
  fp_ = fingerprint(db, f);
  range_ids_ = ids_in_range(db, f);
  table_ = {};  // not two tables of a hundred thousand runs at once
  table_ = load_runs(db, config, f);
  patched_text_ = 0;
  filter_ = f;
  valid_ = true;
  last_ = Last::Loaded;
  ++changes_;
}

bool RunCache::patch(SQLite::Database& db, const Config& config, const Fingerprint& now) {
  const std::int64_t since = fp_.max_written - kSlackMs;
  std::vector<std::pair<std::int64_t, std::int64_t>> changed;  // (id, started_ms)
  {
    SQLite::Statement q(db, "SELECT id, started_ms FROM runs WHERE written_ms >= ?1");
    q.bind(1, static_cast<std::int64_t>(since));
    while (q.executeStep()) changed.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
  }
  // Their present state, through the same attribution and filters as a load (any start).
  RunFilter df = filter_;
  df.since_ms.reset();
  df.until_ms.reset();
  df.written_since_ms = since;
  LoadOptions lo_opts;
  lo_opts.error_events = false;
  RunTable delta = load_runs(db, config, df, lo_opts);
  // Which runs start in the range now: the old set moved by the changed runs must be what
  // the store holds, else something was deleted (or written unseen) and only a load is right.
  std::unordered_set<std::int64_t> changed_ids;
  for (const auto& [id, started] : changed) {
    changed_ids.insert(id);
    auto it = std::lower_bound(range_ids_.begin(), range_ids_.end(), id);
    const bool was = it != range_ids_.end() && *it == id;
    const bool is = started >= lo(filter_) && started < hi(filter_);
    if (was && !is) range_ids_.erase(it);
    if (!was && is) range_ids_.insert(it, id);
  }
  double sum = 0;
  for (std::int64_t id : range_ids_) sum += static_cast<double>(id);
  if (static_cast<std::int64_t>(range_ids_.size()) != now.in_range || sum != now.id_sum) return false;

  auto& rows = table_.rows;
  touched_ = {};
  // A run added or gone touches the reports that read it; an old and a new version touch
  // those whose fields differ (text compared as text: spans move).
  auto touch = [&](const RunRow& r) {
    touched_.issue = touched_.issue || r.issue >= 0;
    touched_.run_error = touched_.run_error || r.status == RunStatus::Error;
  };
  auto note_change = [&](const RunRow& a, const RunRow& b) {
    const auto text = [&](TextSpan t) { return table_.text_of(t); };
    const bool same_for_issues =
        a.issue == b.issue && a.session == b.session && a.phase == b.phase && a.model == b.model &&
        a.cost_usd == b.cost_usd && a.started_ms == b.started_ms && a.tokens.input == b.tokens.input &&
        a.tokens.output == b.tokens.output && a.tokens.cache_write_5m == b.tokens.cache_write_5m &&
        a.tokens.cache_write_1h == b.tokens.cache_write_1h && a.tokens.cache_read == b.tokens.cache_read;
    if ((a.issue >= 0 || b.issue >= 0) && !same_for_issues) touched_.issue = true;
    const bool same_for_errors = a.status == b.status && a.source == b.source && a.runtime == b.runtime &&
                                 a.started_ms == b.started_ms && a.session == b.session &&
                                 text(a.error) == text(b.error) && text(a.key) == text(b.key);
    if ((a.status == RunStatus::Error || b.status == RunStatus::Error) && !same_for_errors)
      touched_.run_error = true;
  };
  // The replaced rows as they were: a run fetched again because it was written near the
  // last look, but not changed, touches nothing.
  std::unordered_map<std::int64_t, RunRow> before;
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [&](const RunRow& r) {
                              if (changed_ids.count(r.id) == 0) return false;
                              before.emplace(r.id, r);
                              return true;
                            }),
             rows.end());
  // Delta strings into the table's: views stay valid as the vector cannot move (reserved).
  table_.strings.reserve(table_.strings.size() + delta.strings.size());
  std::unordered_map<std::string_view, std::int32_t> index;
  index.reserve(table_.strings.size());
  for (std::size_t i = 0; i < table_.strings.size(); ++i)
    index.emplace(table_.strings[i], static_cast<std::int32_t>(i));
  std::vector<std::int32_t> remap(delta.strings.size(), -1);
  auto map = [&](std::int32_t id) -> std::int32_t {
    if (id < 0) return -1;
    std::int32_t& m = remap[static_cast<std::size_t>(id)];
    if (m < 0) {
      const std::string& s = delta.strings[static_cast<std::size_t>(id)];
      auto it = index.find(s);
      if (it == index.end()) {
        table_.strings.push_back(s);
        it = index.emplace(table_.strings.back(), static_cast<std::int32_t>(table_.strings.size() - 1)).first;
      }
      m = it->second;
    }
    return m;
  };
  auto earlier = [](const RunRow& a, const RunRow& b) {
    return a.started_ms != b.started_ms ? a.started_ms < b.started_ms : a.id < b.id;
  };
  // Grown by a sixteenth, not doubled: one recorded run must not copy the whole table.
  if (rows.capacity() < rows.size() + delta.rows.size())
    rows.reserve(rows.size() + delta.rows.size() + rows.size() / 16 + 64);
  // The replaced rows' text stays behind until it outweighs the live text.
  if (table_.text.capacity() < table_.text.size() + delta.text.size())
    table_.text.reserve(table_.text.size() + delta.text.size() + table_.text.size() / 16 + 1024);
  for (RunRow& r : delta.rows) {
    if (r.started_ms < lo(filter_) || r.started_ms >= hi(filter_)) continue;
    for (std::int32_t* f : {&r.runtime, &r.agent, &r.tier, &r.issue, &r.project, &r.session, &r.branch,
                            &r.operation, &r.trigger, &r.model, &r.phase})
      *f = map(*f);
    for (TextSpan* t : {&r.key, &r.title, &r.error}) *t = table_.add_text(delta.text_of(*t));
    if (auto it = before.find(r.id); it != before.end()) {
      note_change(it->second, r);
      before.erase(it);
    } else {
      touch(r);
    }
    rows.insert(std::upper_bound(rows.begin(), rows.end(), r, earlier), std::move(r));
  }
  for (const auto& [id, r] : before) touch(r);  // left the range
  patched_text_ += delta.text.size();
  if (patched_text_ > table_.text.size() / 4) {
    table_.compact_text();
    patched_text_ = 0;
  }
  return true;
}

}  // namespace costdeck::runs
