#include "core/store/queries.hpp"

#include <SQLiteCpp/Database.h>

#include <unordered_map>

#include "core/store/sqlite_util.hpp"
#include "core/store/store.hpp"
#include "core/store/usage_codec.hpp"
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

std::vector<std::string> load_id_strings(sqlite3* db, const char* sql) {
  std::vector<std::string> out;
  Stmt q(db, sql);
  while (q.step()) {
    auto id = static_cast<std::size_t>(q.i64(0));
    if (id >= out.size()) out.resize(id + 1);
    out[id] = q.text(1);
  }
  return out;
}

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
    UsageTable t;
    std::vector<std::string> names = load_id_strings(db, "SELECT id, value FROM names");
    std::vector<std::string> files = load_id_strings(db, "SELECT id, path FROM files");
    Interner models(names, t.models), sessions(names, t.sessions), projects(names, t.projects),
        file_ix(files, t.files);

    // The primary key is (ts_ms, file_id, offset): this is one ordered range scan.
    // Only the constraints asked for: each one is evaluated per row.
    std::string sql = "SELECT ts_ms, bits, file_id, data FROM usage WHERE (bits & ?3) != 0";
    if (q.since_ms) sql += " AND ts_ms >= ?1";
    if (q.until_ms) sql += " AND ts_ms < ?2";
    if (q.runtime) sql += " AND (bits & 3) = ?4";
    sql += " ORDER BY ts_ms";
    Stmt s(db, sql);
    if (q.since_ms) s.bind(1, *q.since_ms);
    if (q.until_ms) s.bind(2, *q.until_ms);
    s.bind(3, q.rules == DedupeRules::Ccusage        ? detail::kCountedCcusage
              : q.rules == DedupeRules::CcusageDaily ? detail::kCountedCcusageDaily
                                                     : detail::kCountedCostdeck);
    if (q.runtime) s.bind(4, static_cast<std::int64_t>(*q.runtime));
    t.rows.reserve(1 << 16);
    while (s.step()) {
      UsageRow& r = t.rows.emplace_back();
      r.ts_ms = s.i64(0);
      std::int64_t bits = s.i64(1);
      r.runtime = static_cast<Runtime>(bits & detail::kRuntimeMask);
      r.sidechain = (bits & detail::kSidechain) != 0;
      r.fast = (bits & detail::kFast) != 0;
      r.file = file_ix(s.i64(2));
      detail::UsagePayload p = detail::decode_payload(s.blob(3));
      r.model = models(p.model);
      r.session = sessions(p.session);
      r.project = projects(p.project);
      r.tokens = p.tokens;
      r.reasoning_tokens = p.reasoning;
      r.web_search_requests = p.web_search;
      r.web_fetch_requests = p.web_fetch;
      r.cost_usd = p.cost_usd;
    }
    return t;
  });
}

std::vector<FileStat> load_file_stats(Store& store) {
  return guarded(store, [&](sqlite3* db) {
    std::unordered_map<std::int64_t, std::int64_t> counted;
    {
      Stmt c(db, "SELECT file_id, count(*) FROM usage WHERE (bits & ?1) != 0 GROUP BY file_id");
      c.bind(1, detail::kCountedCostdeck);
      while (c.step()) counted[c.i64(0)] = c.i64(1);
    }
    std::vector<FileStat> out;
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
      if (auto it = counted.find(f.id); it != counted.end()) f.counted_lines = it->second;
      out.push_back(std::move(f));
    }
    return out;
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
  return guarded(store, [&](sqlite3* db) {
    StoreCounts c;
    Stmt f(db,
           "SELECT count(*), coalesce(sum(missing), 0), coalesce(sum(error != ''), 0), "
           "coalesce(sum(malformed), 0) FROM files");
    f.step();
    c.files = f.i64(0);
    c.missing_files = f.i64(1);
    c.error_files = f.i64(2);
    c.malformed = f.i64(3);
    Stmt u(db,
           "SELECT coalesce(sum((bits & ?3) = 0), 0), coalesce(sum((bits & ?1) != 0), 0), "
           "coalesce(sum((bits & ?2) != 0), 0) FROM usage");
    u.bind(1, detail::kCountedCostdeck).bind(2, detail::kCountedCcusage).bind(3, detail::kCcusageOnly);
    u.step();
    c.usage_rows = u.i64(0);
    c.counted_costdeck = u.i64(1);
    c.counted_ccusage = u.i64(2);
    return c;
  });
}

}  // namespace costdeck::store
