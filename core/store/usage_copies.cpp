#include "core/store/usage_copies.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <thread>
#include <unordered_set>

#include "core/store/dedupe.hpp"
#include "core/store/huge_pages.hpp"
#include "core/store/queries.hpp"
#include "core/store/sqlite_util.hpp"
#include "core/store/store.hpp"

namespace costdeck::store::detail {

namespace {

DedupeCopy to_dedupe(const StoredCopy& c) {
  DedupeCopy d;
  d.req_key = c.req_key;
  d.total = c.tokens.total();
  d.ts_ms = c.ts_ms;
  d.sidechain = (c.flags & kSidechain) != 0;
  d.speed = (c.flags & kFast) != 0;
  d.ccusage_skips = (c.flags & kCcusageSkips) != 0;
  d.ccusage_only = (c.flags & kCcusageOnly) != 0;
  d.daily_only = (c.flags & kDailyOnly) != 0;
  return d;
}

std::uint8_t counted_of(const DedupeCopy& d) {
  return static_cast<std::uint8_t>((d.counted_costdeck ? kCountedCostdeck : 0) |
                                   (d.counted_ccusage ? kCountedCcusage : 0) |
                                   (d.counted_ccusage_daily ? kCountedCcusageDaily : 0));
}

}  // namespace

// A copy without message.id is its own response under every rule that admits it; so is
// the only copy of a message.id (dedupe_group on one copy decides the same, tested).
std::uint8_t counted_alone(std::uint16_t flags) {
  DedupeCopy d;
  d.counted_costdeck = !(flags & kCcusageOnly);
  d.counted_ccusage = !(flags & kCcusageSkips) && !(flags & kDailyOnly);
  d.counted_ccusage_daily = !(flags & kCcusageSkips);
  return counted_of(d);
}

std::vector<std::string> read_id_strings(sqlite3* db, const char* sql) {
  std::vector<std::string> out;
  Stmt q(db, sql);
  while (q.step()) {
    std::int64_t id = q.i64(0);
    if (id < 0 || id > (std::int64_t{1} << 31)) continue;
    if (static_cast<std::size_t>(id) >= out.size()) out.resize(static_cast<std::size_t>(id) + 1);
    out[static_cast<std::size_t>(id)] = q.text(1);
  }
  return out;
}

std::vector<std::uint32_t> path_ranks(const std::vector<std::string>& paths) {
  std::vector<std::uint32_t> rank(paths.size(), 0);
  std::vector<std::uint32_t> ids(paths.size());
  std::iota(ids.begin(), ids.end(), 0u);
  std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) { return paths[a] < paths[b]; });
  for (std::uint32_t r = 0; r < ids.size(); ++r) rank[ids[r]] = r;
  return rank;
}

void decide_counted(std::vector<StoredCopy>& copies, const std::vector<std::uint32_t>& rank) {
  auto rank_of = [&](std::int32_t file_id) -> std::uint32_t {
    return file_id >= 0 && static_cast<std::size_t>(file_id) < rank.size()
               ? rank[static_cast<std::size_t>(file_id)]
               : 0;
  };

  // Every copy first as if it were alone (one sequential pass): most message.ids have one
  // copy. Then the groups with several copies, found with an open-addressing table keyed by
  // msg_key whose entries chain the copies (next[]), are decided as groups.
  const std::size_t n = copies.size();
  std::size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  constexpr std::uint32_t kNone = 0xffffffffu;
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t head = kNone;
    std::uint32_t size = 0;
  };
  std::vector<Slot> table(cap);
  std::vector<std::uint32_t> next(n, kNone);
  auto home = [&](std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20);
  };
  // The table is far larger than the caches and keys are random: each slot is fetched a few
  // copies ahead of its use.
  constexpr std::uint32_t kAhead = 16;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i + kAhead < n && copies[i + kAhead].msg_key != 0)
      __builtin_prefetch(&table[home(copies[i + kAhead].msg_key) & (cap - 1)], 1);
    StoredCopy& c = copies[i];
    c.counted = counted_alone(c.flags);
    if (c.msg_key == 0) continue;
    for (std::size_t h = home(c.msg_key);; ++h) {
      Slot& s = table[h & (cap - 1)];
      if (s.head == kNone) {
        s.key = c.msg_key;
        s.head = i;
        s.size = 1;
        break;
      }
      if (s.key == c.msg_key) {
        next[i] = s.head;
        s.head = i;
        ++s.size;
        break;
      }
    }
  }

  // Groups are independent: each is decided when the pass reaches its last copy (the head
  // of its chain), whose fellows are mostly a few lines before it, still in the cache.
  auto slot_of = [&](std::uint64_t key) -> const Slot& {
    for (std::size_t h = home(key);; ++h)
      if (table[h & (cap - 1)].key == key) return table[h & (cap - 1)];
  };
  std::vector<std::uint32_t> group;
  std::vector<DedupeCopy> dd;
  for (std::uint32_t last = 0; last < n; ++last) {
    if (last + kAhead < n && copies[last + kAhead].msg_key != 0)
      __builtin_prefetch(&table[home(copies[last + kAhead].msg_key) & (cap - 1)]);
    if (copies[last].msg_key == 0) continue;
    const Slot& slot = slot_of(copies[last].msg_key);
    if (slot.size < 2 || slot.head != last) continue;
    group.clear();
    for (std::uint32_t i = slot.head; i != kNone; i = next[i]) group.push_back(i);
    std::sort(group.begin(), group.end(), [&](std::uint32_t x, std::uint32_t y) {
      const StoredCopy& a = copies[x];
      const StoredCopy& c = copies[y];
      if (a.file_id != c.file_id) return rank_of(a.file_id) < rank_of(c.file_id);
      if (a.offset != c.offset) return a.offset < c.offset;
      return (a.flags & kCcusageOnly) < (c.flags & kCcusageOnly);
    });
    dd.clear();
    for (std::uint32_t i : group) dd.push_back(to_dedupe(copies[i]));
    dedupe_group(dd);
    for (std::size_t k = 0; k < group.size(); ++k) copies[group[k]].counted = counted_of(dd[k]);
  }
}

namespace {

// Chunks with id > after_id (and copies reaching into [since, until)), appended to all.copies.
void read_chunks(sqlite3* db, LoadedCopies& all, std::int64_t after_id, std::int64_t since = INT64_MIN,
                 std::int64_t until = INT64_MAX) {
  Stmt q(db,
         "SELECT id, file_id, data FROM usage_chunks WHERE id > ?1 AND max_ts >= ?2 AND min_ts < ?3 ORDER BY "
         "id");
  q.bind(1, after_id).bind(2, since).bind(3, until);
  while (q.step()) {
    if (!decode_chunk(q.blob(2), static_cast<std::int32_t>(q.i64(1)), all.copies)) ++all.unreadable_chunks;
    all.max_chunk_id = std::max(all.max_chunk_id, q.i64(0));
    ++all.chunks;
  }
}

void read_strings(sqlite3* db, LoadedCopies& all) {
  all.names = read_id_strings(db, "SELECT id, value FROM names");
  all.paths = read_id_strings(db, "SELECT id, path FROM files");
  all.rank = path_ranks(all.paths);
}

// Only the names and paths the copies use, and the ranks among those paths: a ranged read
// (the status line) touches a few files of thousands.
void read_used_strings(sqlite3* db, LoadedCopies& all) {
  std::vector<std::int32_t> names, files;
  for (const StoredCopy& c : all.copies) {
    names.push_back(c.model);
    names.push_back(c.session);
    names.push_back(c.project);
    files.push_back(c.file_id);
  }
  auto unique = [](std::vector<std::int32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique(names);
  unique(files);
  auto fetch = [&](const char* sql, const std::vector<std::int32_t>& ids, std::vector<std::string>& out) {
    out.clear();
    Stmt q(db, sql);
    for (std::int32_t id : ids) {
      if (id < 0) continue;
      q.bind(1, std::int64_t{id});
      if (q.step()) {
        if (static_cast<std::size_t>(id) >= out.size()) out.resize(static_cast<std::size_t>(id) + 1);
        out[static_cast<std::size_t>(id)] = q.text(0);
      }
      q.reset();
    }
  };
  fetch("SELECT value FROM names WHERE id = ?1", names, all.names);
  fetch("SELECT path FROM files WHERE id = ?1", files, all.paths);
  // Unused ids get rank 0; no copy refers to them.
  all.rank.assign(all.paths.size(), 0);
  std::vector<std::int32_t> by_path(files.begin(), files.end());
  by_path.erase(std::remove_if(by_path.begin(), by_path.end(),
                               [&](std::int32_t id) {
                                 return id < 0 || static_cast<std::size_t>(id) >= all.paths.size();
                               }),
                by_path.end());
  std::sort(by_path.begin(), by_path.end(), [&](std::int32_t a, std::int32_t b) {
    return all.paths[static_cast<std::size_t>(a)] < all.paths[static_cast<std::size_t>(b)];
  });
  for (std::size_t r = 0; r < by_path.size(); ++r)
    all.rank[static_cast<std::size_t>(by_path[r])] = static_cast<std::uint32_t>(r);
}

}  // namespace

namespace {

// Room for `n` elements and a sixteenth more, so the appends of a live session rarely move
// (and never double) vectors of a million entries.
template <typename T>
void reserve_slack(std::vector<T>& v, std::size_t n) {
  if (v.capacity() < n) reserve_huge(v, n + n / 16 + 256);
}

// A copy's place in time order: (timestamp, path rank, index); within a file, chunk order is
// offset order, so the index stands for the offset.
struct OrderKey {
  std::int64_t ts_ms;
  std::uint64_t tie;
  bool operator<(const OrderKey& o) const { return ts_ms != o.ts_ms ? ts_ms < o.ts_ms : tie < o.tie; }
};

OrderKey order_key(const LoadedCopies& all, std::uint32_t i) {
  const StoredCopy& c = all.copies[i];
  const std::uint32_t rank = c.file_id >= 0 && static_cast<std::size_t>(c.file_id) < all.rank.size()
                                 ? all.rank[static_cast<std::size_t>(c.file_id)]
                                 : 0u;
  return {c.ts_ms, (static_cast<std::uint64_t>(rank) << 32) | i};
}

}  // namespace

void compute_time_order(LoadedCopies& all) {
  std::vector<OrderKey> keys;
  reserve_huge(keys, all.copies.size());
  for (std::uint32_t i = 0; i < all.copies.size(); ++i) keys.push_back(order_key(all, i));
  std::sort(keys.begin(), keys.end());
  reserve_huge(all.time_order, keys.size());
  all.time_order.resize(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) all.time_order[k] = static_cast<std::uint32_t>(keys[k].tie);
}

void decide_and_order(LoadedCopies& all) {
  // Independent (the order never reads `counted`): for a large store, on two cores. Below
  // the threshold a thread costs more than it saves.
  constexpr std::size_t kTwoThreadsFrom = 50000;
  if (all.copies.size() < kTwoThreadsFrom) {
    decide_counted(all.copies, all.rank);
    compute_time_order(all);
    return;
  }
  std::thread order([&all] { compute_time_order(all); });
  try {
    decide_counted(all.copies, all.rank);
  } catch (...) {
    order.join();
    throw;
  }
  order.join();
}

namespace {

// The saved decision, when it was made for exactly these chunks.
bool apply_view(sqlite3* db, LoadedCopies& all) {
  std::vector<std::uint8_t> counted;
  if (!read_decision(db, all.max_chunk_id, all.chunks, all.copies.size(), counted, all.time_order))
    return false;
  for (std::size_t i = 0; i < counted.size(); ++i) all.copies[i].counted = counted[i];
  all.from_view = true;
  return true;
}

// Each copy's counted bits, one byte per copy, as usage_view keeps them.
std::string counted_bytes(const LoadedCopies& all) {
  std::string counted(all.copies.size(), '\0');
  for (std::size_t i = 0; i < all.copies.size(); ++i) counted[i] = static_cast<char>(all.copies[i].counted);
  return counted;
}

void save_view_impl(sqlite3* db, const LoadedCopies& all) {
  save_decision(db, all.max_chunk_id, all.chunks, counted_bytes(all), all.time_order);
}

}  // namespace

void save_decision(sqlite3* db, std::int64_t max_chunk_id, std::int64_t chunks, std::string_view counted,
                   const std::vector<std::uint32_t>& time_order) {
  if (sqlite3_db_readonly(db, "main") != 0 || counted.size() != time_order.size()) return;
  std::string_view order(reinterpret_cast<const char*>(time_order.data()), time_order.size() * 4);
  // Never wait for the lock for a cache: another process writing wins, we decide again.
  sqlite3_busy_timeout(db, 0);
  struct Restore {
    sqlite3* db;
    ~Restore() { sqlite3_busy_timeout(db, kBusyTimeoutMs); }
  } restore{db};
  try {
    Stmt s(db,
           "INSERT OR REPLACE INTO usage_view (id, max_chunk_id, chunks, copies, counted, time_order) "
           "VALUES (1, ?1, ?2, ?3, ?4, ?5)");
    s.bind(1, max_chunk_id).bind(2, chunks).bind(3, static_cast<std::int64_t>(time_order.size()));
    s.bind_blob(4, counted).bind_blob(5, order);
    s.run();
  } catch (const std::exception&) {
    // Only a cache (a busy or read-only store): the next read decides again.
  }
}

bool read_decision(sqlite3* db, std::int64_t max_chunk_id, std::int64_t chunks, std::size_t copies,
                   std::vector<std::uint8_t>& counted, std::vector<std::uint32_t>& time_order) {
  Stmt v(db, "SELECT max_chunk_id, chunks, copies, counted, time_order FROM usage_view WHERE id = 1");
  if (!v.step()) return false;
  if (v.i64(0) != max_chunk_id || v.i64(1) != chunks || v.i64(2) != static_cast<std::int64_t>(copies))
    return false;
  const std::string_view c = v.blob(3), o = v.blob(4);
  if (c.size() != copies || o.size() != copies * 4) return false;
  std::vector<std::uint32_t> order(copies);
  std::memcpy(order.data(), o.data(), o.size());
  for (std::uint32_t i : order)
    if (i >= copies) return false;  // damaged: decide again
  counted.assign(c.begin(), c.end());
  time_order = std::move(order);
  return true;
}

void tally_copy(CopyTallies& t, const StoredCopy& c, std::uint8_t counted, std::int64_t sign) {
  t.usage_rows += sign * !(c.flags & kCcusageOnly);
  t.counted_ccusage += sign * ((counted & kCountedCcusage) != 0);
  if (!(counted & kCountedCostdeck)) return;
  t.counted_costdeck += sign;
  if (c.file_id < 0) return;
  auto& v = t.counted_by_file;
  if (static_cast<std::size_t>(c.file_id) >= v.size()) v.resize(static_cast<std::size_t>(c.file_id) + 1, 0);
  v[static_cast<std::size_t>(c.file_id)] += sign;
}

LoadedCopies load_copies(sqlite3* db, std::int64_t since_ms, std::int64_t until_ms, bool save) {
  const bool everything = since_ms == INT64_MIN && until_ms == INT64_MAX;
  LoadedCopies out;
  {
    // One read transaction: the chunks and the saved decision are of one moment.
    const bool own = sqlite3_get_autocommit(db) != 0;
    if (own) exec(db, "BEGIN");
    try {
      if (everything) {
        read_strings(db, out);
        Stmt n(db, "SELECT coalesce(sum(copies), 0) FROM usage_chunks");
        if (n.step())
          reserve_slack(out.copies, static_cast<std::size_t>(std::max<std::int64_t>(0, n.i64(0))));
      }
      read_chunks(db, out, 0, since_ms, until_ms);
      if (!everything) read_used_strings(db, out);
      if (everything) apply_view(db, out);
      if (own) exec(db, "COMMIT");
    } catch (...) {
      if (own) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  if (!out.from_view) {
    decide_and_order(out);
    if (save && everything && !out.copies.empty()) save_view_impl(db, out);
  }
  return out;
}

void save_view(sqlite3* db, const LoadedCopies& all) {
  if (!all.copies.empty() && all.time_order.size() == all.copies.size()) save_view_impl(db, all);
}

ViewToSave view_to_save(const LoadedCopies& all) {
  ViewToSave v;
  if (all.copies.empty() || all.time_order.size() != all.copies.size()) return v;
  v.max_chunk_id = all.max_chunk_id;
  v.chunks = all.chunks;
  v.counted = counted_bytes(all);
  v.time_order = all.time_order;
  return v;
}

void save_view(sqlite3* db, const ViewToSave& v) {
  if (!v.counted.empty()) save_decision(db, v.max_chunk_id, v.chunks, v.counted, v.time_order);
}

bool refresh_copies(sqlite3* db, LoadedCopies& all, RefreshDelta* delta, bool save) {
  RefreshDelta local;
  RefreshDelta& d = delta ? *delta : local;
  d = {};
  Stmt n(db, "SELECT count(*), coalesce(max(id), 0) FROM usage_chunks");
  n.step();
  const std::int64_t count = n.i64(0), max_id = n.i64(1);
  std::int64_t added = 0;
  if (all.chunks > 0 && max_id > all.max_chunk_id) {  // a first read reloads whatever was added
    Stmt a(db, "SELECT count(*) FROM usage_chunks WHERE id > ?1");
    a.bind(1, all.max_chunk_id);
    a.step();
    added = a.i64(0);
  }
  if (count == all.chunks && max_id == all.max_chunk_id) {
    // The same chunks; file renames or new names alone do not change what counts.
    read_strings(db, all);
    return false;
  }
  if (all.chunks == 0 || count != all.chunks + added) {  // first read, or chunks were removed
    all = load_copies(db, INT64_MIN, INT64_MAX, save);
    d.reloaded = true;
    return true;
  }
  read_strings(db, all);
  const std::size_t first = all.copies.size();
  d.first_new = first;
  {
    // Grow by a sixteenth, not by doubling: a vector of a million copies doubling for one
    // line would be the worker's peak memory.
    Stmt c(db, "SELECT coalesce(sum(copies), 0) FROM usage_chunks WHERE id > ?1");
    c.bind(1, all.max_chunk_id);
    if (c.step())
      reserve_slack(all.copies, first + static_cast<std::size_t>(std::max<std::int64_t>(0, c.i64(0))));
  }
  read_chunks(db, all, all.max_chunk_id);
  // The groups the new copies touch, each decided again with its earlier members.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> fresh;
  for (std::size_t i = first; i < all.copies.size(); ++i) {
    StoredCopy& c = all.copies[i];
    if (c.msg_key == 0) {
      c.counted = counted_alone(c.flags);
    } else {
      fresh.emplace_back(c.msg_key, static_cast<std::uint32_t>(i));
    }
  }
  std::sort(fresh.begin(), fresh.end());
  // Earlier members of those groups, in index order: from the sorted index of every keyed
  // copy when there is one, else (a one-shot refresh, e.g. a report after an append) by one
  // pass over the old copies, which costs less than sorting them all.
  ++all.refreshes;
  const bool indexed = !all.keyed.empty() || all.refreshes > 1;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> earlier;
  if (indexed) {
    if (all.keyed.empty()) {
      std::size_t n = 0;
      for (std::uint32_t i = 0; i < first; ++i) n += all.copies[i].msg_key != 0;
      reserve_slack(all.keyed, n);
      for (std::uint32_t i = 0; i < first; ++i)
        if (all.copies[i].msg_key != 0) all.keyed.emplace_back(all.copies[i].msg_key, i);
    }
    if (!std::is_sorted(all.keyed.begin(), all.keyed.end())) std::sort(all.keyed.begin(), all.keyed.end());
  } else if (!fresh.empty()) {
    std::unordered_set<std::uint64_t> wanted;
    wanted.reserve(fresh.size() * 2);
    for (const auto& f : fresh) wanted.insert(f.first);
    for (std::uint32_t i = 0; i < first; ++i)
      if (all.copies[i].msg_key != 0 && wanted.count(all.copies[i].msg_key))
        earlier.emplace_back(all.copies[i].msg_key, i);
    std::sort(earlier.begin(), earlier.end());
  }
  const auto& old_members = indexed ? all.keyed : earlier;
  std::vector<StoredCopy> group;
  std::vector<std::uint32_t> members;
  for (std::size_t b = 0; b < fresh.size();) {
    std::size_t e = b;
    while (e < fresh.size() && fresh[e].first == fresh[b].first) ++e;
    members.clear();
    auto [lo, hi] =
        std::equal_range(old_members.begin(), old_members.end(), std::make_pair(fresh[b].first, 0u),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto it = lo; it != hi; ++it) members.push_back(it->second);
    for (std::size_t k = b; k < e; ++k) members.push_back(fresh[k].second);
    group.clear();
    for (std::uint32_t m : members) group.push_back(all.copies[m]);
    decide_counted(group, all.rank);
    for (std::size_t k = 0; k < members.size(); ++k) {
      StoredCopy& c = all.copies[members[k]];
      if (members[k] < first && c.counted != group[k].counted) d.old_counted_changed = true;
      c.counted = group[k].counted;
    }
    b = e;
  }
  if (indexed) {
    const std::size_t old_keyed = all.keyed.size();
    reserve_slack(all.keyed, old_keyed + fresh.size());
    all.keyed.insert(all.keyed.end(), fresh.begin(), fresh.end());
    std::inplace_merge(all.keyed.begin(), all.keyed.begin() + static_cast<std::ptrdiff_t>(old_keyed),
                       all.keyed.end());
  }

  // Time order: new copies after every old one (the usual append) are added at the end.
  std::vector<OrderKey> keys;
  for (std::size_t i = first; i < all.copies.size(); ++i)
    keys.push_back(order_key(all, static_cast<std::uint32_t>(i)));
  std::sort(keys.begin(), keys.end());
  const bool after = all.time_order.size() == first &&
                     (first == 0 || keys.empty() || !(keys.front() < order_key(all, all.time_order.back())));
  if (after) {
    reserve_slack(all.time_order, all.time_order.size() + keys.size());
    for (const OrderKey& k : keys) all.time_order.push_back(static_cast<std::uint32_t>(k.tie));
  } else {
    compute_time_order(all);
  }
  d.appended_at_end = after;
  all.from_view = false;
  return true;
}

}  // namespace costdeck::store::detail
