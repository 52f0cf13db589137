#pragma once
// Opening the SQLite store: where it lives, schema migrations, and the guarantees around
// files that are not ours (a file that is not a database, or a store written by a newer
// costdeck, is refused with a clear message and left byte-for-byte untouched).

#include <memory>
#include <stdexcept>
#include <string>

namespace SQLite {
class Database;
}

namespace costdeck::store {

// How long a connection waits for another process's write lock.
inline constexpr int kBusyTimeoutMs = 5000;

// Thrown when the store cannot be used at all; what() is a sentence for the user.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --db PATH if given, else $COSTDECK_DB, else $XDG_DATA_HOME/costdeck/costdeck.db
// (XDG_DATA_HOME defaulting to ~/.local/share).
std::string resolve_db_path(const std::string& flag_value);

enum class OpenMode {
  ReadWrite,  // create file and folders if needed, migrate to the latest schema
  ReadOnly,   // report-only use: never writes; refuses a store older than the program
};

class Store {
 public:
  // Throws StoreError. ReadOnly on a path that does not exist throws too (see exists()).
  static Store open(const std::string& path, OpenMode mode = OpenMode::ReadWrite);
  static bool exists(const std::string& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  SQLite::Database& db() { return *db_; }
  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  int schema_version() const { return version_; }

 private:
  Store() = default;
  std::unique_ptr<SQLite::Database> db_;
  std::string path_;
  bool read_only_ = false;
  int version_ = 0;
};

}  // namespace costdeck::store
