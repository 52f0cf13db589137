#pragma once
// The store's schema as an ordered list of migration steps. Step i (0-based) takes a store
// from PRAGMA user_version i to i + 1; a store is current when its version equals the
// number of steps. Steps are only ever appended, never edited, so old files stay readable.

#include <string_view>
#include <vector>

struct sqlite3;

namespace costdeck::store {

struct Migration {
  std::string_view name;  // shown in errors
  std::string_view sql;   // one or more statements, run inside the migration transaction
  // Run after `sql`, in the same transaction, for what SQL alone cannot do (re-encoding
  // rows); throws on failure.
  void (*code)(sqlite3* db) = nullptr;
};

const std::vector<Migration>& migrations();
inline int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

}  // namespace costdeck::store
