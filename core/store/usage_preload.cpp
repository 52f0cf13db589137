#include "core/store/usage_preload.hpp"

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <exception>
#include <thread>

#include "core/store/store.hpp"

namespace costdeck::store {

struct UsagePreload::Impl {
  std::string path;
  detail::LoadedCopies copies;
  bool ok = false;
  std::thread thread;
  std::thread saver;
};

UsagePreload::UsagePreload(std::string db_path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(db_path);
  impl_->thread = std::thread([impl = impl_.get()] {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(impl->path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) ==
        SQLITE_OK) {
      sqlite3_busy_timeout(db, kBusyTimeoutMs);
      try {
        impl->copies = detail::load_copies(db);
        impl->ok = true;
      } catch (const std::exception&) {
        // finish() reads everything on the store's own connection instead.
      }
    }
    sqlite3_close_v2(db);
  });
}

UsagePreload::~UsagePreload() {
  if (!impl_) return;
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->saver.joinable()) impl_->saver.join();
}

detail::LoadedCopies UsagePreload::finish(Store& store) {
  impl_->thread.join();
  sqlite3* db = store.db().getHandle();
  try {
    detail::LoadedCopies all;
    if (impl_->ok) {
      all = std::move(impl_->copies);
      const bool decided_here = !all.from_view;
      detail::RefreshDelta delta;
      const bool changed = detail::refresh_copies(db, all, &delta, /*save=*/false);
      // A decision made now (on reload, on refresh, or by the preload on its read-only
      // connection) is saved for the next reader: on another thread, while the caller
      // builds its report (the store's connection is this object's until it is destroyed).
      const bool unsaved = changed ? (!delta.reloaded || !all.from_view) : decided_here;
      if (unsaved) {
        impl_->saver = std::thread([db, view = detail::view_to_save(all)] {
          try {
            detail::save_view(db, view);
          } catch (const std::exception&) {
            // Only a cache: the next reader decides again.
          }
        });
      }
    } else {
      all = detail::load_copies(db);
    }
    return all;
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError("cannot read the store " + store.path() + ": " + e.what());
  }
}

}  // namespace costdeck::store
