#include "core/store/writer.hpp"

#include <SQLiteCpp/Database.h>
#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "core/store/sqlite_util.hpp"
#include "core/store/usage_codec.hpp"

namespace costdeck::store {

using detail::Stmt;

namespace {

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

std::uint16_t flags_of(const UsageEvent& e) {
  auto f = static_cast<std::uint16_t>(static_cast<std::uint16_t>(e.runtime) & detail::kRuntimeMask);
  if (e.sidechain) f |= detail::kSidechain;
  if (e.fast) f |= detail::kFast;
  if (e.ccusage_skips) f |= detail::kCcusageSkips;
  if (e.cost_usd) f |= detail::kHasCost;
  return f;
}

}  // namespace

namespace {

constexpr const char* kFileRecordColumns =
    "SELECT id, path, kind, project_dir, dev, ino, size, mtime_ns, cursor_offset, cursor_line, "
    "cursor_state, "
    "head_hash, tail_hash, lines, usage_lines, malformed, resets, first_seen_ms, last_scan_ms, missing, "
    "error, runs_offset, runs_line "
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
  r.runs_offset = q.i64(21);
  r.runs_line = q.i64(22);
  return r;
}

}  // namespace

// Few distinct strings per file (one session, one cwd, a few models): a linear search
// over the last few beats hashing.
std::int32_t UsagePacker::index_of(const std::string& v) {
  for (std::size_t k = out_.strings.size(); k-- > 0;)
    if (out_.strings[k] == v) return static_cast<std::int32_t>(k);
  out_.strings.push_back(v);
  return static_cast<std::int32_t>(out_.strings.size() - 1);
}

void UsagePacker::add(const UsageEvent& e, sources::CopyKind kind) {
  detail::StoredCopy& c = out_.copies.emplace_back();
  c.ts_ms = e.ts_ms;
  c.offset = e.offset;
  c.line_no = e.line_no;
  c.msg_key = msg_key_of(e);
  c.req_key = req_key_of(e);
  c.tokens = e.tokens;
  c.reasoning = e.reasoning_tokens;
  c.cost_usd = e.cost_usd.value_or(0);
  c.model = index_of(e.model);
  c.session = index_of(e.session_id);
  c.project = index_of(e.project);
  c.web_search = static_cast<std::int32_t>(e.web_search_requests);
  c.web_fetch = static_cast<std::int32_t>(e.web_fetch_requests);
  std::uint16_t extra = 0;
  if (kind == sources::CopyKind::Counted)
    ++out_.usage_lines;
  else
    extra = detail::kCcusageOnly | (kind == sources::CopyKind::CcusageDailyOnly ? detail::kDailyOnly : 0);
  c.flags = static_cast<std::uint16_t>(flags_of(e) | extra);
}

PackedUsage pack_usage(const sources::FileReadResult& res) {
  UsagePacker packer;
  packer.reserve(res.usage.size() + res.ccusage_only.size());
  // Both lists are in file order: merge them, the ccusage-only copy after the primary one.
  std::size_t i = 0, j = 0;
  while (i < res.usage.size() || j < res.ccusage_only.size()) {
    if (j >= res.ccusage_only.size() ||
        (i < res.usage.size() && res.usage[i].offset <= res.ccusage_only[j].event.offset)) {
      packer.add(res.usage[i++], sources::CopyKind::Counted);
    } else {
      const auto& c = res.ccusage_only[j++];
      packer.add(c.event,
                 c.daily_only ? sources::CopyKind::CcusageDailyOnly : sources::CopyKind::CcusageOnly);
    }
  }
  return packer.take();
}

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
  out.erase(std::unique(out.begin(), out.end(),
                        [](const FileRecord& a, const FileRecord& b) { return a.path == b.path; }),
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
  std::string chunk_buf;
  std::vector<detail::StoredCopy> copies_buf;

  Stmt data_version_q{db, "PRAGMA data_version"};
  Stmt file_by_path{db, "SELECT id, cursor_offset, runs_offset FROM files WHERE path = ?"};
  Stmt insert_file{
      db,
      "INSERT INTO files (path, kind, project_dir, dev, ino, size, mtime_ns, cursor_offset, cursor_line, "
      "cursor_state, head_hash, tail_hash, lines, usage_lines, malformed, resets, first_seen_ms, "
      "last_scan_ms, missing, error, runs_offset, runs_line) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
      "?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)"};
  Stmt update_file{
      db,
      "UPDATE files SET path=?1, kind=?2, project_dir=?3, dev=?4, ino=?5, size=?6, mtime_ns=?7, "
      "cursor_offset=?8, cursor_line=?9, cursor_state=?10, head_hash=?11, tail_hash=?12, lines=?13, "
      "usage_lines=?14, malformed=?15, resets=?16, first_seen_ms=?17, last_scan_ms=?18, missing=?19, "
      "error=?20, runs_offset=?21, runs_line=?22 WHERE id=?23"};
  Stmt set_error{db, "UPDATE files SET error = ?2, last_scan_ms = ?3 WHERE id = ?1"};
  Stmt delete_chunks_of_file{db, "DELETE FROM usage_chunks WHERE file_id = ?"};
  Stmt delete_malformed_of_file{db, "DELETE FROM malformed WHERE file_id = ?"};
  Stmt insert_malformed{
      db, "INSERT OR REPLACE INTO malformed (file_id, line_no, offset, reason) VALUES (?,?,?,?)"};
  Stmt insert_name{db, "INSERT INTO names (value) VALUES (?)"};
  Stmt insert_chunk{
      db,
      "INSERT INTO usage_chunks (file_id, from_offset, to_offset, copies, min_ts, max_ts, data) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};

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
        .bind(20, std::string_view(r.error))
        .bind(21, r.runs_offset)
        .bind(22, r.runs_line);
  }

  std::int64_t upsert_file(FileRecord& r) {
    if (r.id == 0) {
      bind_file(insert_file, r);
      insert_file.run();
      r.id = sqlite3_last_insert_rowid(db);
    } else {
      bind_file(update_file, r);
      update_file.bind(23, r.id);
      update_file.run();
    }
    return r.id;
  }

  void write_chunk(const FileUpdate& u, std::int64_t file_id);

  BatchStats write(std::vector<FileUpdate>& batch);
};

void Writer::Impl::write_chunk(const FileUpdate& u, std::int64_t file_id) {
  PackedUsage local;
  const PackedUsage* packed = &u.packed;
  if (u.packed.copies.empty() && (!u.result.usage.empty() || !u.result.ccusage_only.empty())) {
    local = pack_usage(u.result);
    packed = &local;
  }
  if (packed->copies.empty()) return;
  // The file's own string table becomes names ids: a handful of lookups per file.
  std::vector<std::int32_t> ids(packed->strings.size());
  for (std::size_t k = 0; k < ids.size(); ++k) ids[k] = static_cast<std::int32_t>(intern(packed->strings[k]));
  std::vector<detail::StoredCopy>& copies = copies_buf;
  copies.assign(packed->copies.begin(), packed->copies.end());
  std::int64_t lo = copies.front().ts_ms, hi = lo;
  for (detail::StoredCopy& c : copies) {
    c.file_id = static_cast<std::int32_t>(file_id);
    c.model = ids[static_cast<std::size_t>(c.model)];
    c.session = ids[static_cast<std::size_t>(c.session)];
    c.project = ids[static_cast<std::size_t>(c.project)];
    lo = std::min(lo, c.ts_ms);
    hi = std::max(hi, c.ts_ms);
  }
  detail::encode_chunk(copies, chunk_buf);
  insert_chunk.bind(1, file_id)
      .bind(2, u.reset ? std::int64_t{0} : u.observed_offset)
      .bind(3, u.record.cursor.offset)
      .bind(4, static_cast<std::int64_t>(copies.size()))
      .bind(5, lo)
      .bind(6, hi)
      .bind_blob(7, chunk_buf);
  insert_chunk.run();
}

BatchStats Writer::Impl::write(std::vector<FileUpdate>& batch) {
  BatchStats stats;
  detail::exec(db, "BEGIN IMMEDIATE");
  try {
    sync_caches();
    for (FileUpdate& u : batch) {
      FileRecord& r = u.record;
      // Another process (the window's worker, a second `costdeck ingest`) may have read
      // this file since we planned: then its rows are in and ours would count twice.
      file_by_path.bind(1, std::string_view(r.path));
      bool found = file_by_path.step();
      std::int64_t stored_id = found ? file_by_path.i64(0) : 0;
      std::int64_t stored_offset = found ? file_by_path.i64(1) : 0;
      std::int64_t stored_runs_offset = found ? file_by_path.i64(2) : 0;
      file_by_path.reset();
      if (found != u.observed_in_store ||
          (found && (stored_offset != u.observed_offset || stored_runs_offset != u.observed_runs_offset))) {
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
        delete_chunks_of_file.bind(1, r.id);
        delete_chunks_of_file.run();
        delete_malformed_of_file.bind(1, r.id);
        delete_malformed_of_file.run();
        if (reset_hook) reset_hook(database, r.id);
      }

      std::int64_t kept_malformed = r.malformed;  // counters were reset by the caller on reset
      r.lines += u.result.lines;
      const std::int64_t usage_lines =
          u.packed.copies.empty() ? static_cast<std::int64_t>(u.result.usage.size()) : u.packed.usage_lines;
      r.usage_lines += usage_lines;
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
      write_chunk(u, id);
      stats.usage_rows +=
          u.packed.copies.empty()
              ? static_cast<std::int64_t>(u.result.usage.size() + u.result.ccusage_only.size())
              : static_cast<std::int64_t>(u.packed.copies.size());

      if (activity) activity(database, id, u);
      ++stats.files_written;
    }
    if (before_commit) before_commit(database);
    detail::exec(db, "COMMIT");
    data_version = read_data_version();
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (after_rollback) after_rollback(database);
    caches_valid = false;
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

}  // namespace costdeck::store
