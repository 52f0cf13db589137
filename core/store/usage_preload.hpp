#pragma once
// A report's usage read, started before its ingest: the copies already in the store are
// read (and, with a saved usage_view, not even decided again) on a second, read-only
// connection and thread while the ingest walks the session folders; finish() then adds
// only what the ingest wrote. An unchanged store costs the report max(walk, read) instead
// of walk + read.

#include <memory>
#include <string>

#include "core/store/usage_copies.hpp"

namespace costdeck::store {

class Store;

class UsagePreload {
 public:
  explicit UsagePreload(std::string db_path);  // starts reading at once
  ~UsagePreload();                             // waits for the thread
  UsagePreload(const UsagePreload&) = delete;
  UsagePreload& operator=(const UsagePreload&) = delete;

  // Every copy as `store` has it now (its connection, after the ingest), decided; the
  // decision is saved for the next reader when it had to be made, on a thread that this
  // object's destructor waits for: `store` must not be used until then. Throws StoreError.
  detail::LoadedCopies finish(Store& store);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace costdeck::store
