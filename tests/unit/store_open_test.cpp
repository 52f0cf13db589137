// Opening the store: fresh stores are created and migrated; files that are not ours are
// refused with a clear message and left byte-for-byte unchanged.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/store/schema.hpp"
#include "core/store/store.hpp"

namespace fs = std::filesystem;
using costdeck::store::OpenMode;
using costdeck::store::Store;
using costdeck::store::StoreError;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("costdeck-store-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string open_error(const fs::path& p, OpenMode mode = OpenMode::ReadWrite) {
  try {
    Store::open(p.string(), mode);
  } catch (const StoreError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

// A new store is created with its folders, at the latest schema version, in WAL mode.
TEST(StoreOpen, CreatesFoldersAndMigrates) {
  fs::path dir = temp_dir("create");
  fs::path db = dir / "a" / "b" / "costdeck.db";
  Store s = Store::open(db.string());
  EXPECT_TRUE(fs::exists(db));
  EXPECT_EQ(s.schema_version(), costdeck::store::latest_schema_version());
  EXPECT_EQ(s.db().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(s.db().execAndGet("PRAGMA user_version").getInt(), costdeck::store::latest_schema_version());
  fs::remove_all(dir);
}

// A text file given as --db: refused, named in the message, unchanged, no -wal/-shm left.
TEST(StoreOpen, GarbageFileIsRefusedAndUntouched) {
  fs::path dir = temp_dir("garbage");
  fs::path db = dir / "notes.db";
  std::string content(8192, 'x');
  content.replace(0, 20, "this is not sqlite\n");
  std::ofstream(db, std::ios::binary) << content;
  std::string err = open_error(db);
  EXPECT_NE(err.find("not a costdeck store"), std::string::npos) << err;
  EXPECT_EQ(slurp(db), content);
  EXPECT_FALSE(fs::exists(dir / "notes.db-wal"));
  fs::remove_all(dir);
}

// A store from a newer costdeck: refused, unchanged.
TEST(StoreOpen, NewerSchemaIsRefusedAndUntouched) {
  fs::path dir = temp_dir("newer");
  fs::path db = dir / "costdeck.db";
  {
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    d.exec("CREATE TABLE future (x)");
    d.exec("PRAGMA user_version = " + std::to_string(costdeck::store::latest_schema_version() + 5));
  }
  std::string before = slurp(db);
  std::string err = open_error(db);
  EXPECT_NE(err.find("newer costdeck"), std::string::npos) << err;
  EXPECT_EQ(slurp(db), before);
  EXPECT_NE(open_error(db, OpenMode::ReadOnly), "");
  EXPECT_EQ(slurp(db), before);
  fs::remove_all(dir);
}

// Another program's SQLite file (tables, user_version 0): refused, unchanged.
TEST(StoreOpen, ForeignDatabaseIsRefusedAndUntouched) {
  fs::path dir = temp_dir("foreign");
  fs::path db = dir / "other.db";
  {
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    d.exec("CREATE TABLE files (name TEXT)");
    d.exec("INSERT INTO files VALUES ('keep me')");
  }
  std::string before = slurp(db);
  std::string err = open_error(db);
  EXPECT_NE(err.find("another program"), std::string::npos) << err;
  EXPECT_EQ(slurp(db), before);
  fs::remove_all(dir);
}

// Reopening a current store keeps its data; read-only open works on it.
TEST(StoreOpen, ReopenKeepsDataAndReadOnlyWorks) {
  fs::path dir = temp_dir("reopen");
  fs::path db = dir / "costdeck.db";
  {
    Store s = Store::open(db.string());
    s.db().exec("INSERT INTO names (value) VALUES ('claude-sonnet-4-5')");
  }
  Store again = Store::open(db.string());
  EXPECT_EQ(again.db().execAndGet("SELECT count(*) FROM names").getInt(), 1);
  Store ro = Store::open(db.string(), OpenMode::ReadOnly);
  EXPECT_TRUE(ro.read_only());
  EXPECT_EQ(ro.db().execAndGet("SELECT value FROM names").getString(), "claude-sonnet-4-5");
  EXPECT_NE(open_error(dir / "nope.db", OpenMode::ReadOnly).find("no store"), std::string::npos);
  fs::remove_all(dir);
}

// --db beats COSTDECK_DB beats XDG_DATA_HOME.
TEST(StoreOpen, ResolvesPathFromFlagEnvAndXdg) {
  ::setenv("COSTDECK_DB", "/tmp/env.db", 1);
  EXPECT_EQ(costdeck::store::resolve_db_path("/tmp/flag.db"), "/tmp/flag.db");
  EXPECT_EQ(costdeck::store::resolve_db_path(""), "/tmp/env.db");
  ::unsetenv("COSTDECK_DB");
  ::setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(costdeck::store::resolve_db_path(""), "/tmp/xdg/costdeck/costdeck.db");
  ::unsetenv("XDG_DATA_HOME");
}
