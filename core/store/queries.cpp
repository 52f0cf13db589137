#include "core/store/queries.hpp"

#include <SQLiteCpp/Database.h>

#include <algorithm>

#include "core/store/huge_pages.hpp"
#include "core/store/sqlite_util.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_copies.hpp"
#include "core/store/usage_table.hpp"

namespace costdeck::store {

using detail::Stmt;

namespace {

// Maps store ids (names.id, files.id) to indexes of one of the table's string vectors,
// filling the vector on first use: only strings that occur in the result are copied.
class Interner {
 public:
  Interner(const std::vector<std::string>& source, std::vector<std::string>& out)
      : source_(source), out_(out) {
    map_.assign(source.size(), -1);
  }
  std::int32_t operator()(std::int64_t id) {
    if (id < 0 || static_cast<std::size_t>(id) >= map_.size()) return intern_missing();
    std::int32_t& slot = map_[static_cast<std::size_t>(id)];
    if (slot < 0) {
      slot = static_cast<std::int32_t>(out_.size());
      out_.push_back(source_[static_cast<std::size_t>(id)]);
    }
    return slot;
  }

 private:
  std::int32_t intern_missing() {
    if (missing_ < 0) {
      missing_ = static_cast<std::int32_t>(out_.size());
      out_.emplace_back();
    }
    return missing_;
  }
  const std::vector<std::string>& source_;
  std::vector<std::string>& out_;
  std::vector<std::int32_t> map_;
  std::int32_t missing_ = -1;
};

template <typename F>
auto guarded(Store& store, F&& f) {
  try {
    return f(store.db().getHandle());
  } catch (const detail::SqlError& e) {
    throw StoreError("cannot read the store " + store.path() + ": " + e.what());
  }
}

}  // namespace

UsageTable load_usage_table(Store& store, const UsageQuery& q) {
  return guarded(store, [&](sqlite3* db) {
    constexpr std::int64_t kDay = 86'400'000;
    std::int64_t since = INT64_MIN, until = INT64_MAX;
    if (q.nearby_chunks_only) {
      if (q.since_ms) since = *q.since_ms - kDay;
      if (q.until_ms) until = *q.until_ms + kDay;
    }
    detail::LoadedCopies all = detail::load_copies(db, since, until);
    return usage_table_of(all, q);
  });
}

namespace {

// Whether a copy is one of the rows `q` asks for.
bool selected(const detail::StoredCopy& c, const UsageQuery& q) {
  const std::uint8_t want = q.rules == DedupeRules::Ccusage        ? detail::kCountedCcusage
                            : q.rules == DedupeRules::CcusageDaily ? detail::kCountedCcusageDaily
                                                                   : detail::kCountedCostdeck;
  if (!(c.counted & want)) return false;
  if (q.since_ms && c.ts_ms < *q.since_ms) return false;
  if (q.until_ms && c.ts_ms >= *q.until_ms) return false;
  return !q.runtime || c.runtime() == *q.runtime;
}

}  // namespace

UsageRow detail::row_of_copy(const detail::StoredCopy& c, std::int32_t file, std::int32_t model,
                             std::int32_t session, std::int32_t project, std::int64_t& clamped) {
  UsageRow r;
  r.ts_ms = c.ts_ms;
  r.runtime = c.runtime();
  r.sidechain = (c.flags & detail::kSidechain) != 0;
  r.fast = (c.flags & detail::kFast) != 0;
  r.file = file;
  r.model = model;
  r.session = session;
  r.project = project;
  bool fits = r.tokens.assign(c.tokens);
  r.reasoning_tokens = narrow_count(c.reasoning, fits);
  clamped += !fits;
  r.web_search_requests = c.web_search;
  r.web_fetch_requests = c.web_fetch;
  if (c.has_cost()) r.set_cost_usd(c.cost_usd);
  return r;
}

UsageTable usage_table_of(const detail::LoadedCopies& all, const UsageQuery& q) {
  UsageTable t;
  Interner models(all.names, t.models), sessions(all.names, t.sessions), projects(all.names, t.projects),
      file_ix(all.paths, t.files);
  // Time order, ties in (path, offset) order: the result does not depend on which file was
  // read first. load_copies and refresh_copies keep all.time_order.
  std::vector<std::uint32_t> order;
  reserve_huge(order, all.copies.size());
  for (std::uint32_t i : all.time_order)
    if (selected(all.copies[i], q)) order.push_back(i);
  // Room for appends (the worker patches the table): growing a million-row vector would copy
  // it whole and hold two copies at once.
  reserve_huge(t.rows, order.size() + order.size() / 16 + 1024);
  for (std::uint32_t i : order) {
    const detail::StoredCopy& c = all.copies[i];
    t.rows.push_back(detail::row_of_copy(c, file_ix(c.file_id), models(c.model), sessions(c.session),
                                         projects(c.project), t.clamped_rows));
  }
  return t;
}

std::vector<FileStat> load_file_stats(Store& store) {
  detail::LoadedCopies all = guarded(store, [&](sqlite3* db) { return detail::load_copies(db); });
  std::vector<FileStat> files;
  load_sources(store, all, &files, nullptr);
  return files;
}

void load_sources(Store& store, const detail::LoadedCopies& all, std::vector<FileStat>* files,
                  StoreCounts* counts) {
  // One pass over the copies: file ids are small and dense, so a counter per id.
  CopyTallies t;
  t.counted_by_file.assign(all.paths.size() + 1, 0);
  for (const detail::StoredCopy& u : all.copies) detail::tally_copy(t, u, u.counted, +1);
  load_sources(store, t, files, counts);
}

void load_sources(Store& store, const CopyTallies& t, std::vector<FileStat>* files, StoreCounts* counts) {
  guarded(store, [&](sqlite3* db) {
    const std::vector<std::int64_t>& counted = t.counted_by_file;
    StoreCounts c;
    c.usage_rows = t.usage_rows;
    c.counted_costdeck = t.counted_costdeck;
    c.counted_ccusage = t.counted_ccusage;
    if (counts) {
      Stmt f(db,
             "SELECT count(*), coalesce(sum(missing), 0), coalesce(sum(error != ''), 0), "
             "coalesce(sum(malformed), 0) FROM files");
      f.step();
      c.files = f.i64(0);
      c.missing_files = f.i64(1);
      c.error_files = f.i64(2);
      c.malformed = f.i64(3);
      *counts = c;
    }
    if (!files) return 0;
    files->clear();
    Stmt q(db,
           "SELECT id, path, kind, project_dir, size, cursor_offset, lines, usage_lines, malformed, resets, "
           "last_scan_ms, missing, error FROM files ORDER BY path");
    while (q.step()) {
      FileStat f;
      f.id = q.i64(0);
      f.path = q.text(1);
      f.kind = static_cast<std::uint8_t>(q.i64(2));
      f.project_dir = q.text(3);
      f.size = q.i64(4);
      f.cursor_offset = q.i64(5);
      f.lines = q.i64(6);
      f.usage_lines = q.i64(7);
      f.malformed = q.i64(8);
      f.resets = q.i64(9);
      f.last_scan_ms = q.i64(10);
      f.missing = q.i64(11) != 0;
      f.error = q.text(12);
      if (f.id >= 0 && static_cast<std::size_t>(f.id) < counted.size()) f.counted_lines = counted[f.id];
      files->push_back(std::move(f));
    }
    return 0;
  });
}

std::vector<MalformedRecord> load_malformed(Store& store, std::size_t limit) {
  return guarded(store, [&](sqlite3* db) {
    std::vector<MalformedRecord> out;
    Stmt q(db,
           "SELECT f.path, m.line_no, m.offset, m.reason FROM malformed m JOIN files f ON f.id = m.file_id "
           "ORDER BY f.path, m.line_no LIMIT ?1");
    q.bind(1, static_cast<std::int64_t>(limit));
    while (q.step()) out.push_back({std::string(q.text(0)), q.i64(1), q.i64(2), std::string(q.text(3))});
    return out;
  });
}

StoreCounts load_counts(Store& store) {
  detail::LoadedCopies all = guarded(store, [&](sqlite3* db) { return detail::load_copies(db); });
  StoreCounts c;
  load_sources(store, all, nullptr, &c);
  return c;
}

}  // namespace costdeck::store
