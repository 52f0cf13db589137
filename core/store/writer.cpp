#include "core/store/writer.hpp"

#include <SQLiteCpp/Database.h>
#include <xxhash.h>

#include <algorithm>
#include <unordered_set>

#include "core/store/dedupe.hpp"
#include "core/store/sqlite_util.hpp"
#include "core/store/usage_codec.hpp"

namespace costdeck::store {

using detail::Stmt;

namespace {

// Above this many touched message.id groups in one batch, one scan of the whole
// msg_key index beats a query per group (and the result is kept for later batches).
constexpr std::size_t kFullScanThreshold = 2000;

std::uint64_t msg_key_of(const UsageEvent& e) {
  if (e.message_id.empty()) return 0;
  std::uint64_t k = XXH3_64bits_withSeed(e.message_id.data(), e.message_id.size(),
                                         static_cast<std::uint64_t>(e.runtime) + 1);
  return k == 0 ? 1 : k;  // 0 means "no message.id"
}

std::uint64_t req_key_of(const UsageEvent& e) {
  if (e.request_id.empty()) return 0;
  std::uint64_t k = XXH3_64bits(e.request_id.data(), e.request_id.size());
  return k == 0 ? 1 : k;
}

std::int64_t bits_of(const UsageEvent& e) {
  std::int64_t b = static_cast<std::int64_t>(e.runtime) & detail::kRuntimeMask;
  if (e.sidechain) b |= detail::kSidechain;
  if (e.fast) b |= detail::kFast;
  if (e.ccusage_skips) b |= detail::kCcusageSkips;
  return b;
}

std::int64_t bits_of(const sources::CcusageOnlyEvent& e) {
  std::int64_t b = bits_of(e.event) | detail::kCcusageOnly;
  if (e.daily_only) b |= detail::kDailyOnly;
  return b;
}

// A copy as the dedupe needs it; also the in-memory index entry.
struct CopyRec {
  std::int64_t ts_ms = 0, file_id = 0, offset = 0, alt = 0;
  std::uint64_t req_key = 0;
  std::int64_t total = 0;
  std::int64_t bits = 0;
};

DedupeCopy to_dedupe(const CopyRec& c) {
  DedupeCopy d;
  d.req_key = c.req_key;
  d.total = c.total;
  d.sidechain = (c.bits & detail::kSidechain) != 0;
  d.speed = (c.bits & detail::kFast) != 0;
  d.ccusage_skips = (c.bits & detail::kCcusageSkips) != 0;
  d.ccusage_only = (c.bits & detail::kCcusageOnly) != 0;
  d.daily_only = (c.bits & detail::kDailyOnly) != 0;
  return d;
}

std::int64_t with_counted(std::int64_t bits, const DedupeCopy& d) {
  bits &= ~detail::kCountedMask;
  if (d.counted_costdeck) bits |= detail::kCountedCostdeck;
  if (d.counted_ccusage) bits |= detail::kCountedCcusage;
  if (d.counted_ccusage_daily) bits |= detail::kCountedCcusageDaily;
  return bits;
}

// A copy without message.id is its own response under every rule that admits it.
std::int64_t counted_without_key(std::int64_t bits) {
  DedupeCopy d;
  d.counted_costdeck = !(bits & detail::kCcusageOnly);
  d.counted_ccusage = !(bits & detail::kCcusageSkips) && !(bits & detail::kDailyOnly);
  d.counted_ccusage_daily = !(bits & detail::kCcusageSkips);
  return with_counted(bits, d);
}

bool copy_order(const std::unordered_map<std::int64_t, std::string>& paths, const CopyRec& a,
                const CopyRec& b) {
  if (a.file_id != b.file_id) return paths.at(a.file_id) < paths.at(b.file_id);
  if (a.offset != b.offset) return a.offset < b.offset;
  return a.alt < b.alt;
}

}  // namespace

namespace {

constexpr const char* kFileRecordColumns =
    "SELECT id, path, kind, project_dir, dev, ino, size, mtime_ns, cursor_offset, cursor_line, "
    "cursor_state, "
    "head_hash, tail_hash, lines, usage_lines, malformed, resets, first_seen_ms, last_scan_ms, missing, "
    "error "
    "FROM files";

FileRecord file_record_of(Stmt& q) {
  FileRecord r;
  r.id = q.i64(0);
  r.path = q.text(1);
  r.kind = static_cast<sources::FileKind>(q.i64(2));
  r.project_dir = q.text(3);
  r.dev = static_cast<std::uint64_t>(q.i64(4));
  r.ino = static_cast<std::uint64_t>(q.i64(5));
  r.size = q.i64(6);
  r.mtime_ns = q.i64(7);
  r.cursor.offset = q.i64(8);
  r.cursor.line_no = q.i64(9);
  r.cursor.state = q.blob(10);
  r.head_hash = static_cast<std::uint64_t>(q.i64(11));
  r.tail_hash = static_cast<std::uint64_t>(q.i64(12));
  r.lines = q.i64(13);
  r.usage_lines = q.i64(14);
  r.malformed = q.i64(15);
  r.resets = q.i64(16);
  r.first_seen_ms = q.i64(17);
  r.last_scan_ms = q.i64(18);
  r.missing = q.i64(19) != 0;
  r.error = q.text(20);
  return r;
}

}  // namespace

std::vector<FileRecord> load_file_records(SQLite::Database& database) {
  Stmt q(database.getHandle(), std::string(kFileRecordColumns) + " ORDER BY path");
  std::vector<FileRecord> out;
  while (q.step()) out.push_back(file_record_of(q));
  return out;
}

std::vector<FileRecord> load_file_records(SQLite::Database& database, const std::vector<std::string>& paths) {
  Stmt q(database.getHandle(), std::string(kFileRecordColumns) + " WHERE path = ?");
  std::vector<FileRecord> out;
  for (const auto& p : paths) {
    q.bind(1, std::string_view(p));
    while (q.step()) out.push_back(file_record_of(q));
    q.reset();
  }
  std::sort(out.begin(), out.end(), [](const FileRecord& a, const FileRecord& b) { return a.path < b.path; });
  out.erase(std::unique(out.begin(), out.end(), [](const FileRecord& a, const FileRecord& b) { return a.path == b.path; }),
            out.end());
  return out;
}

struct Writer::Impl {
  SQLite::Database& database;
  sqlite3* db;
  ActivityHook activity;
  ResetHook reset_hook;
  BatchHook before_commit, after_rollback;

  bool caches_valid = false;
  std::int64_t data_version = -1;
  std::unordered_map<std::string, std::int64_t> names;
  std::unordered_map<std::int64_t, std::string> paths;  // files.id -> path, for copy order
  // When complete, every usage row with a msg_key, grouped: saves a query per group.
  bool index_complete = false;
  std::unordered_map<std::uint64_t, std::vector<CopyRec>> index;

  Stmt data_version_q{db, "PRAGMA data_version"};
  Stmt any_usage_q{db, "SELECT EXISTS (SELECT 1 FROM usage)"};
  Stmt file_by_path{db, "SELECT id, cursor_offset FROM files WHERE path = ?"};
  Stmt insert_file{
      db,
      "INSERT INTO files (path, kind, project_dir, dev, ino, size, mtime_ns, cursor_offset, cursor_line, "
      "cursor_state, head_hash, tail_hash, lines, usage_lines, malformed, resets, first_seen_ms, "
      "last_scan_ms, missing, error) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
      "?18,?19,?20)"};
  Stmt update_file{
      db,
      "UPDATE files SET path=?1, kind=?2, project_dir=?3, dev=?4, ino=?5, size=?6, mtime_ns=?7, "
      "cursor_offset=?8, cursor_line=?9, cursor_state=?10, head_hash=?11, tail_hash=?12, lines=?13, "
      "usage_lines=?14, malformed=?15, resets=?16, first_seen_ms=?17, last_scan_ms=?18, missing=?19, "
      "error=?20 WHERE id=?21"};
  Stmt set_error{db, "UPDATE files SET error = ?2, last_scan_ms = ?3 WHERE id = ?1"};
  Stmt keys_of_file{db, "SELECT DISTINCT msg_key FROM usage WHERE file_id = ? AND msg_key IS NOT NULL"};
  Stmt delete_usage_of_file{db, "DELETE FROM usage WHERE file_id = ?"};
  Stmt delete_malformed_of_file{db, "DELETE FROM malformed WHERE file_id = ?"};
  Stmt insert_malformed{
      db, "INSERT OR REPLACE INTO malformed (file_id, line_no, offset, reason) VALUES (?,?,?,?)"};
  Stmt insert_name{db, "INSERT INTO names (value) VALUES (?)"};
  Stmt copies_of_key{db,
                     "SELECT ts_ms, file_id, offset, alt, req_key, bits, total FROM usage WHERE msg_key = ?"};
  Stmt all_copies{db,
                  "SELECT ts_ms, file_id, offset, alt, req_key, bits, total, msg_key FROM usage WHERE "
                  "msg_key IS NOT NULL"};
  Stmt update_bits{
      db, "UPDATE usage SET bits = ?5 WHERE ts_ms = ?1 AND file_id = ?2 AND offset = ?3 AND alt = ?4"};
  Stmt insert_usage{
      db,
      "INSERT OR REPLACE INTO usage (ts_ms, file_id, offset, alt, line_no, bits, msg_key, req_key, "
      "total, data) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"};

  Impl(SQLite::Database& d, ActivityHook a, ResetHook r, BatchHook bc, BatchHook ar)
      : database(d),
        db(d.getHandle()),
        activity(std::move(a)),
        reset_hook(std::move(r)),
        before_commit(std::move(bc)),
        after_rollback(std::move(ar)) {}

  std::int64_t read_data_version() {
    data_version_q.step();
    std::int64_t v = data_version_q.i64(0);
    data_version_q.reset();
    return v;
  }

  // Inside the write transaction: caches are trusted only if nobody else committed since.
  void sync_caches() {
    std::int64_t v = read_data_version();
    if (caches_valid && v == data_version) return;
    names.clear();
    Stmt n(db, "SELECT id, value FROM names");
    while (n.step()) names.emplace(std::string(n.text(1)), n.i64(0));
    paths.clear();
    Stmt f(db, "SELECT id, path FROM files");
    while (f.step()) paths.emplace(f.i64(0), std::string(f.text(1)));
    index_complete = false;
    index.clear();
    caches_valid = true;
    data_version = v;
  }

  std::int64_t intern(const std::string& s) {
    auto it = names.find(s);
    if (it != names.end()) return it->second;
    insert_name.bind(1, std::string_view(s));
    insert_name.run();
    std::int64_t id = sqlite3_last_insert_rowid(db);
    names.emplace(s, id);
    return id;
  }

  void bind_file(Stmt& s, const FileRecord& r) {
    s.bind(1, std::string_view(r.path))
        .bind(2, static_cast<int>(r.kind))
        .bind(3, std::string_view(r.project_dir))
        .bind(4, r.dev)
        .bind(5, r.ino)
        .bind(6, r.size)
        .bind(7, r.mtime_ns)
        .bind(8, r.cursor.offset)
        .bind(9, r.cursor.line_no)
        .bind_blob(10, r.cursor.state)
        .bind(11, r.head_hash)
        .bind(12, r.tail_hash)
        .bind(13, r.lines)
        .bind(14, r.usage_lines)
        .bind(15, r.malformed)
        .bind(16, r.resets)
        .bind(17, r.first_seen_ms)
        .bind(18, r.last_scan_ms)
        .bind(19, r.missing ? 1 : 0)
        .bind(20, std::string_view(r.error));
  }

  std::int64_t upsert_file(FileRecord& r) {
    if (r.id == 0) {
      bind_file(insert_file, r);
      insert_file.run();
      r.id = sqlite3_last_insert_rowid(db);
    } else {
      bind_file(update_file, r);
      update_file.bind(21, r.id);
      update_file.run();
    }
    paths[r.id] = r.path;
    return r.id;
  }

  void load_full_index() {
    index.clear();
    while (all_copies.step()) {
      CopyRec c{all_copies.i64(0),
                all_copies.i64(1),
                all_copies.i64(2),
                all_copies.i64(3),
                static_cast<std::uint64_t>(all_copies.i64(4)),
                all_copies.i64(6),
                all_copies.i64(5)};
      index[static_cast<std::uint64_t>(all_copies.i64(7))].push_back(c);
    }
    all_copies.reset();
    index_complete = true;
  }

  std::vector<CopyRec> query_key(std::uint64_t key) {
    std::vector<CopyRec> out;
    copies_of_key.bind(1, key);
    while (copies_of_key.step())
      out.push_back(CopyRec{copies_of_key.i64(0), copies_of_key.i64(1), copies_of_key.i64(2),
                            copies_of_key.i64(3), static_cast<std::uint64_t>(copies_of_key.i64(4)),
                            copies_of_key.i64(6), copies_of_key.i64(5)});
    copies_of_key.reset();
    return out;
  }

  BatchStats write(std::vector<FileUpdate>& batch);
};

namespace {

struct NewRow {
  const UsageEvent* ev;
  std::int64_t alt;  // 1: a ccusage-only copy
  std::int64_t file_id;
  std::uint64_t msg_key, req_key;
  std::int64_t bits;
  std::int64_t model, session, project;
};

}  // namespace

BatchStats Writer::Impl::write(std::vector<FileUpdate>& batch) {
  BatchStats stats;
  detail::exec(db, "BEGIN IMMEDIATE");
  try {
    sync_caches();
    if (!index_complete) {
      any_usage_q.step();
      bool empty = any_usage_q.i64(0) == 0;
      any_usage_q.reset();
      if (empty) {  // nothing stored yet: what this ingest writes is all there is
        index.clear();
        index_complete = true;
      }
    }

    std::vector<NewRow> rows;
    std::unordered_set<std::uint64_t> affected;

    for (FileUpdate& u : batch) {
      FileRecord& r = u.record;
      // Another process (the window's worker, a second `costdeck ingest`) may have read
      // this file since we planned: then its rows are in and ours would count twice.
      file_by_path.bind(1, std::string_view(r.path));
      bool found = file_by_path.step();
      std::int64_t stored_id = found ? file_by_path.i64(0) : 0;
      std::int64_t stored_offset = found ? file_by_path.i64(1) : 0;
      file_by_path.reset();
      if (found != u.observed_in_store || (found && stored_offset != u.observed_offset)) {
        ++stats.files_skipped;
        continue;
      }
      r.id = stored_id;

      if (!u.result.error.empty()) {
        r.error = u.result.error;
        if (r.id == 0) {
          upsert_file(r);
        } else {
          set_error.bind(1, r.id).bind(2, std::string_view(r.error)).bind(3, r.last_scan_ms);
          set_error.run();
        }
        ++stats.files_written;
        continue;
      }

      if (u.reset && r.id != 0) {
        keys_of_file.bind(1, r.id);
        while (keys_of_file.step()) {
          auto key = static_cast<std::uint64_t>(keys_of_file.i64(0));
          affected.insert(key);
          if (index_complete) {
            auto it = index.find(key);
            if (it != index.end())
              std::erase_if(it->second, [&](const CopyRec& c) { return c.file_id == r.id; });
          }
        }
        keys_of_file.reset();
        delete_usage_of_file.bind(1, r.id);
        delete_usage_of_file.run();
        delete_malformed_of_file.bind(1, r.id);
        delete_malformed_of_file.run();
        if (reset_hook) reset_hook(database, r.id);
      }

      std::int64_t kept_malformed = r.malformed;  // counters were reset by the caller on reset
      r.lines += u.result.lines;
      r.usage_lines += static_cast<std::int64_t>(u.result.usage.size());
      r.malformed += std::max<std::int64_t>(u.result.malformed_count,
                                            static_cast<std::int64_t>(u.result.malformed.size()));
      r.error.clear();
      std::int64_t id = upsert_file(r);

      for (const auto& m : u.result.malformed) {
        if (kept_malformed >= kMalformedKept) break;
        insert_malformed.bind(1, id).bind(2, m.line_no).bind(3, m.offset).bind(4, std::string_view(m.reason));
        insert_malformed.run();
        ++kept_malformed;
      }

      auto add_row = [&](const UsageEvent& e, std::int64_t alt, std::int64_t bits) {
        NewRow row{&e,
                   alt,
                   id,
                   msg_key_of(e),
                   req_key_of(e),
                   bits,
                   intern(e.model),
                   intern(e.session_id),
                   intern(e.project)};
        if (row.msg_key != 0) affected.insert(row.msg_key);
        rows.push_back(row);
      };
      for (const UsageEvent& e : u.result.usage) add_row(e, 0, bits_of(e));
      for (const auto& c : u.result.ccusage_only) add_row(c.event, 1, bits_of(c));

      if (activity && r.kind == sources::FileKind::ClaudeTranscript && !u.result.activity.empty())
        activity(database, id, u.result.activity);
      ++stats.files_written;
    }

    // Existing copies of every touched group, then the decision per group.
    std::unordered_map<std::uint64_t, std::vector<CopyRec>> fetched;
    if (!index_complete && affected.size() > kFullScanThreshold) load_full_index();
    auto existing_of = [&](std::uint64_t key) -> std::vector<CopyRec>& {
      if (index_complete) return index[key];
      auto [it, inserted] = fetched.try_emplace(key);
      if (inserted) it->second = query_key(key);
      return it->second;
    };

    std::unordered_map<std::uint64_t, std::vector<std::size_t>> new_by_key;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].msg_key == 0)
        rows[i].bits = counted_without_key(rows[i].bits);
      else
        new_by_key[rows[i].msg_key].push_back(i);
    }

    struct Member {
      CopyRec rec;
      bool is_new;
      std::size_t where;  // index into rows (new) or into the existing vector
    };
    std::vector<Member> members;
    std::vector<DedupeCopy> copies;
    for (std::uint64_t key : affected) {
      auto& existing = existing_of(key);
      members.clear();
      for (std::size_t j = 0; j < existing.size(); ++j) members.push_back({existing[j], false, j});
      if (auto it = new_by_key.find(key); it != new_by_key.end())
        for (std::size_t i : it->second) {
          const NewRow& n = rows[i];
          members.push_back(
              {CopyRec{n.ev->ts_ms, n.file_id, n.ev->offset, n.alt, n.req_key, n.ev->tokens.total(), n.bits},
               true, i});
        }
      if (members.empty()) continue;
      std::sort(members.begin(), members.end(),
                [&](const Member& a, const Member& b) { return copy_order(paths, a.rec, b.rec); });
      copies.clear();
      for (const Member& m : members) copies.push_back(to_dedupe(m.rec));
      dedupe_group(copies);
      ++stats.groups_touched;
      for (std::size_t k = 0; k < members.size(); ++k) {
        const Member& m = members[k];
        std::int64_t bits = with_counted(m.rec.bits, copies[k]);
        if (m.is_new) {
          rows[m.where].bits = bits;
        } else if (bits != m.rec.bits) {
          update_bits.bind(1, m.rec.ts_ms)
              .bind(2, m.rec.file_id)
              .bind(3, m.rec.offset)
              .bind(4, m.rec.alt)
              .bind(5, bits);
          update_bits.run();
          existing[m.where].bits = bits;
          ++stats.flag_updates;
        }
      }
      if (index_complete)
        for (const Member& m : members)
          if (m.is_new) {
            CopyRec c = m.rec;
            c.bits = rows[m.where].bits;
            existing.push_back(c);
          }
    }

    // Insert in key order: appends to the clustered b-tree instead of scattering.
    std::sort(rows.begin(), rows.end(), [](const NewRow& a, const NewRow& b) {
      if (a.ev->ts_ms != b.ev->ts_ms) return a.ev->ts_ms < b.ev->ts_ms;
      if (a.file_id != b.file_id) return a.file_id < b.file_id;
      if (a.ev->offset != b.ev->offset) return a.ev->offset < b.ev->offset;
      return a.alt < b.alt;
    });
    std::string blob;
    for (const NewRow& n : rows) {
      const UsageEvent& e = *n.ev;
      detail::UsagePayload pl;
      pl.model = n.model;
      pl.session = n.session;
      pl.project = n.project;
      pl.tokens = e.tokens;
      pl.reasoning = e.reasoning_tokens;
      pl.web_search = e.web_search_requests;
      pl.web_fetch = e.web_fetch_requests;
      pl.cost_usd = e.cost_usd;
      detail::encode_payload(pl, blob);
      Stmt& s = insert_usage;
      s.bind(1, e.ts_ms)
          .bind(2, n.file_id)
          .bind(3, e.offset)
          .bind(4, n.alt)
          .bind(5, e.line_no)
          .bind(6, n.bits);
      if (n.msg_key != 0)
        s.bind(7, n.msg_key);
      else
        s.bind_null(7);
      s.bind(8, n.req_key).bind(9, e.tokens.total()).bind_blob(10, blob);
      s.run();
    }
    stats.usage_rows = static_cast<std::int64_t>(rows.size());

    if (before_commit) before_commit(database);
    detail::exec(db, "COMMIT");
    data_version = read_data_version();
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (after_rollback) after_rollback(database);
    caches_valid = false;
    index_complete = false;
    index.clear();
    throw;
  }
  return stats;
}

Writer::Writer(SQLite::Database& db, ActivityHook activity, ResetHook reset, BatchHook before_commit,
               BatchHook after_rollback)
    : impl_(std::make_unique<Impl>(db, std::move(activity), std::move(reset), std::move(before_commit),
                                   std::move(after_rollback))) {}
Writer::~Writer() = default;

BatchStats Writer::write(std::vector<FileUpdate>& batch) {
  return impl_->write(batch);
}

void Writer::set_missing(const std::vector<std::int64_t>& file_ids, bool missing) {
  if (file_ids.empty()) return;
  sqlite3* db = impl_->db;
  detail::exec(db, "BEGIN IMMEDIATE");
  try {
    Stmt u(db, "UPDATE files SET missing = ?2 WHERE id = ?1");
    for (std::int64_t id : file_ids) {
      u.bind(1, id).bind(2, missing ? 1 : 0);
      u.run();
    }
    detail::exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t recompute_all_flags(SQLite::Database& database) {
  sqlite3* db = database.getHandle();
  detail::exec(db, "BEGIN IMMEDIATE");
  std::int64_t changed = 0;
  try {
    std::unordered_map<std::int64_t, std::string> paths;
    {
      Stmt f(db, "SELECT id, path FROM files");
      while (f.step()) paths.emplace(f.i64(0), std::string(f.text(1)));
    }
    Stmt upd(db, "UPDATE usage SET bits = ?5 WHERE ts_ms = ?1 AND file_id = ?2 AND offset = ?3 AND alt = ?4");
    auto update = [&](const CopyRec& c, std::int64_t bits) {
      if (bits == c.bits) return;
      upd.bind(1, c.ts_ms).bind(2, c.file_id).bind(3, c.offset).bind(4, c.alt).bind(5, bits);
      upd.run();
      ++changed;
    };
    std::unordered_map<std::uint64_t, std::vector<CopyRec>> groups;
    std::vector<CopyRec> keyless;
    {
      Stmt q(db, "SELECT ts_ms, file_id, offset, alt, req_key, bits, total, msg_key FROM usage");
      while (q.step()) {
        CopyRec c{q.i64(0), q.i64(1), q.i64(2), q.i64(3), static_cast<std::uint64_t>(q.i64(4)),
                  q.i64(6), q.i64(5)};
        if (q.is_null(7))
          keyless.push_back(c);
        else
          groups[static_cast<std::uint64_t>(q.i64(7))].push_back(c);
      }
    }
    for (const CopyRec& c : keyless) update(c, counted_without_key(c.bits));
    std::vector<DedupeCopy> copies;
    for (auto& [key, members] : groups) {
      std::sort(members.begin(), members.end(),
                [&](const CopyRec& a, const CopyRec& b) { return copy_order(paths, a, b); });
      copies.clear();
      for (const CopyRec& c : members) copies.push_back(to_dedupe(c));
      dedupe_group(copies);
      for (std::size_t k = 0; k < members.size(); ++k)
        update(members[k], with_counted(members[k].bits, copies[k]));
    }
    detail::exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return changed;
}

}  // namespace costdeck::store
