#pragma once
// A store the usage tests write chunks into directly, and the copies they write.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "core/store/usage_codec.hpp"
#include "core/store/usage_table.hpp"

namespace costdeck::testing {

using store::detail::StoredCopy;

inline StoredCopy sample(std::int64_t ts, std::int64_t offset, std::uint64_t msg, std::int64_t out) {
  StoredCopy c;
  c.ts_ms = ts;
  c.offset = offset;
  c.line_no = offset / 100 + 1;
  c.msg_key = msg;
  c.req_key = msg ? msg * 7 : 0;
  c.tokens = {10, out, 3, 4, 500};
  c.model = 1;
  c.session = 2;
  c.project = 3;
  c.file_id = 1;
  return c;
}

// A fresh store with the given files (ids 1..n in this order) and the names m, s, /w (ids
// 1..3), into which tests write chunks directly.
struct ChunkStore {
  std::filesystem::path dir;
  std::string path;
  store::Store store;
  ChunkStore(const std::string& name, const std::vector<std::string>& files)
      : dir(std::filesystem::temp_directory_path() /
            ("costdeck-chunks-" + name + "-" + std::to_string(::getpid()))),
        path((fresh(dir) / "s.db").string()),
        store(store::Store::open(path)) {
    SQLite::Statement f(db(), "INSERT INTO files (id, path, kind) VALUES (?, ?, 0)");
    for (std::size_t i = 0; i < files.size(); ++i) {
      f.bind(1, static_cast<int>(i + 1));
      f.bind(2, files[i]);
      f.exec();
      f.reset();
    }
    db().exec("INSERT INTO names (id, value) VALUES (1, 'm'), (2, 's'), (3, '/w')");
  }
  ~ChunkStore() { std::filesystem::remove_all(dir); }
  SQLite::Database& db() { return store.db(); }
  void chunk(int file, const std::vector<StoredCopy>& copies) {
    std::string blob;
    encode_chunk(copies, blob);
    std::int64_t lo = copies.front().ts_ms, hi = lo;
    for (const auto& c : copies) lo = std::min(lo, c.ts_ms), hi = std::max(hi, c.ts_ms);
    SQLite::Statement ins(
        db(),
        "INSERT INTO usage_chunks (file_id, from_offset, to_offset, copies, min_ts, max_ts, data) "
        "VALUES (?, 0, 100, ?, ?, ?, ?)");
    ins.bind(1, file);
    ins.bind(2, static_cast<int>(copies.size()));
    ins.bind(3, static_cast<std::int64_t>(lo));
    ins.bind(4, static_cast<std::int64_t>(hi));
    ins.bind(5, blob.data(), static_cast<int>(blob.size()));
    ins.exec();
  }
  static std::filesystem::path fresh(const std::filesystem::path& d) {
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
  }
};

inline std::vector<std::int64_t> outputs(const store::UsageTable& t) {
  std::vector<std::int64_t> out;
  for (const auto& r : t.rows) out.push_back(r.tokens.output);
  return out;
}

}  // namespace costdeck::testing
