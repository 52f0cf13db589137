#include "core/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/store/schema.hpp"

namespace costdeck::store {

namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

int read_user_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

// The first read of the header: a file that is not SQLite fails here, before anything
// could have been written to it.
int probe(SQLite::Database& db, const std::string& path) {
  try {
    return read_user_version(db);
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_NOTADB || e.getErrorCode() == SQLITE_CORRUPT)
      throw StoreError(path +
                       " is not a costdeck store (not an SQLite database); it was left unchanged. "
                       "Choose another file with --db or COSTDECK_DB.");
    throw StoreError("cannot read the store " + path + ": " + e.what());
  }
}

void refuse_if_foreign(SQLite::Database& db, const std::string& path, int version) {
  if (version > latest_schema_version())
    throw StoreError(path + " was written by a newer costdeck (schema " + std::to_string(version) +
                     ", this program knows up to " + std::to_string(latest_schema_version()) +
                     "); it was left unchanged. Update costdeck or use another --db.");
  if (version == 0) {
    // Version 0 with tables in it is some other program's database: never migrate into it.
    int tables = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    if (tables > 0)
      throw StoreError(path +
                       " is an SQLite database of another program (it has tables but no costdeck "
                       "schema version); it was left unchanged. Use another --db.");
  }
}

void migrate(SQLite::Database& db, const std::string& path) {
  // IMMEDIATE: two processes opening a fresh store at once must not both run step 1.
  db.exec("BEGIN IMMEDIATE");
  try {
    int version = read_user_version(db);
    refuse_if_foreign(db, path, version);
    const auto& steps = migrations();
    for (int i = version; i < static_cast<int>(steps.size()); ++i) {
      try {
        db.exec(std::string(steps[i].sql));
        if (steps[i].code) steps[i].code(db.getHandle());
      } catch (const std::exception& e) {
        throw StoreError("schema migration \"" + std::string(steps[i].name) + "\" failed on " + path + ": " +
                         e.what());
      }
    }
    db.exec("PRAGMA user_version = " + std::to_string(steps.size()));
    db.exec("COMMIT");
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace

std::string resolve_db_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  std::string env = env_or_empty("COSTDECK_DB");
  if (!env.empty()) return env;
  std::string data = env_or_empty("XDG_DATA_HOME");
  if (data.empty()) {
    std::string home = env_or_empty("HOME");
    if (home.empty()) home = ".";
    data = home + "/.local/share";
  }
  return data + "/costdeck/costdeck.db";
}

bool Store::exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

namespace {

// SQLite counts every allocation under one process-wide mutex unless told not to, and
// nothing here reads the counts (a first ingest's upserts spent a third of their time on
// that lock). Takes effect only before SQLite initialises, i.e. before the first open.
void configure_sqlite_once() {
  static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)configured;
}

}  // namespace

Store Store::open(const std::string& path, OpenMode mode) {
  configure_sqlite_once();
  Store s;
  s.path_ = path;
  s.read_only_ = mode == OpenMode::ReadOnly;
  if (s.read_only_) {
    if (!exists(path)) throw StoreError("no store at " + path + " yet; run `costdeck ingest` first");
  } else {
    fs::path parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec)
      throw StoreError("cannot create the folder " + parent.string() + " for the store: " + ec.message());
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw StoreError(path + " is a folder, not a store file; pass a file path with --db");

  try {
    int flags = s.read_only_ ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    s.db_ = std::make_unique<SQLite::Database>(path, flags | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
  } catch (const SQLite::Exception& e) {
    throw StoreError("cannot open the store " + path + ": " + e.what());
  }
  int version = probe(*s.db_, path);
  refuse_if_foreign(*s.db_, path, version);

  if (s.read_only_) {
    if (version < latest_schema_version())
      throw StoreError("the store " + path + " has an older schema (" + std::to_string(version) +
                       "); run `costdeck ingest` once to upgrade it");
  } else {
    try {
      // WAL: readers never block the writer and other processes (hooks, `costdeck record`)
      // can write between our transactions. NORMAL is durable at checkpoints and
      // consistent always, which is what the kill-and-rerun guarantee needs.
      // A new store's pages are 16 KiB: a bulk ingest writes a quarter of the WAL frames
      // (each one two system calls, then a checkpoint copy) of 4 KiB pages, while a small
      // commit (a hook's run, an appended line) still writes a handful of pages.
      if (version == 0) s.db_->exec("PRAGMA page_size = 16384");
      s.db_->exec("PRAGMA journal_mode = WAL");
      s.db_->exec("PRAGMA synchronous = NORMAL");
    } catch (const SQLite::Exception& e) {
      throw StoreError("cannot open the store " + path + " for writing: " + e.what());
    }
    migrate(*s.db_, path);
    version = latest_schema_version();
  }
  s.db_->exec("PRAGMA foreign_keys = OFF");
  s.db_->exec("PRAGMA temp_store = MEMORY");
  s.db_->exec("PRAGMA cache_size = -8192");  // 8 MiB: usage is appended as chunks, runs are small
  s.version_ = version;
  return s;
}

}  // namespace costdeck::store
