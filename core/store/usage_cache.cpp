#include "core/store/usage_cache.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "core/store/sqlite_util.hpp"
#include "core/store/usage_copies.hpp"

namespace costdeck::store {

using detail::Stmt;
using detail::StoredCopy;

namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

// Room for `extra` more without doubling: a vector of a million rows doubling for one line
// would be the worker's peak memory.
template <typename T>
void make_room(std::vector<T>& v, std::size_t extra) {
  if (v.size() + extra > v.capacity()) v.reserve(v.size() + extra + v.size() / 16 + 256);
}

// The saved decision of usage_view, when it was made for exactly the chunks there are now.
bool read_view(sqlite3* db, std::vector<std::uint8_t>& counted, std::vector<std::uint32_t>& order) {
  Stmt n(db, "SELECT count(*), coalesce(max(id), 0), coalesce(sum(copies), 0) FROM usage_chunks");
  n.step();
  return n.i64(2) >= 0 &&
         detail::read_decision(db, n.i64(1), n.i64(0), static_cast<std::size_t>(n.i64(2)), counted, order);
}

}  // namespace

// Row strings come from all names at once (a full read) or one by one (an append).
struct UsageCache::Strings {
  const std::vector<std::string>* names = nullptr;
  sqlite3* db = nullptr;
  bool get(std::int32_t id, std::string& out) const {
    if (names) {
      if (static_cast<std::size_t>(id) >= names->size()) return false;
      out = (*names)[static_cast<std::size_t>(id)];
      return true;
    }
    Stmt q(db, "SELECT value FROM names WHERE id = ?1");
    q.bind(1, std::int64_t{id});
    if (!q.step()) return false;
    out = q.text(0);
    return true;
  }
};

bool UsageCache::refresh(sqlite3* db, UsageCacheDelta* delta) {
  UsageCacheDelta local;
  UsageCacheDelta& d = delta ? *delta : local;
  d = {};
  try {
    if (!loaded_) {
      load(db);
      d.reloaded = true;
      return true;
    }
    return patch(db, d);
  } catch (...) {
    loaded_ = false;  // half patched: the next refresh reads everything
    throw;
  }
}

bool UsageCache::by_key_seq(const Keyed& a, const Keyed& b) {
  return a.key != b.key ? a.key < b.key : a.seq < b.seq;
}

std::uint32_t UsageCache::rank_of(std::int32_t file_id) const {
  return file_id >= 0 && static_cast<std::size_t>(file_id) < rank_.size()
             ? rank_[static_cast<std::size_t>(file_id)]
             : 0u;
}

std::uint64_t UsageCache::row_tie(std::size_t row) const {
  const std::int32_t f = table_file_id_[static_cast<std::size_t>(table_.rows[row].file)];
  return (static_cast<std::uint64_t>(rank_of(f)) << 32) | row_seq_[row];
}

std::int32_t UsageCache::intern(int kind, std::int32_t id, const Strings& s) {
  std::vector<std::int32_t>& ix = name_ix_[kind];
  std::vector<std::string>& out = kind == 0 ? table_.models : kind == 1 ? table_.sessions : table_.projects;
  if (id >= 0 && static_cast<std::size_t>(id) < ix.size() && ix[static_cast<std::size_t>(id)] >= 0)
    return ix[static_cast<std::size_t>(id)];
  std::string value;
  if (id < 0 || !s.get(id, value)) {
    if (missing_[kind] < 0) {
      missing_[kind] = static_cast<std::int32_t>(out.size());
      out.emplace_back();
    }
    return missing_[kind];
  }
  if (static_cast<std::size_t>(id) >= ix.size()) ix.resize(static_cast<std::size_t>(id) + 1, -1);
  ix[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(out.size());
  out.push_back(std::move(value));
  return ix[static_cast<std::size_t>(id)];
}

UsageRow UsageCache::make_row(const StoredCopy& c, const Strings& s) {
  std::int32_t file;
  if (c.file_id >= 0 && static_cast<std::size_t>(c.file_id) < paths_.size()) {
    if (static_cast<std::size_t>(c.file_id) >= file_ix_.size()) file_ix_.resize(paths_.size(), -1);
    std::int32_t& f = file_ix_[static_cast<std::size_t>(c.file_id)];
    if (f < 0) {
      f = static_cast<std::int32_t>(table_.files.size());
      table_.files.push_back(paths_[static_cast<std::size_t>(c.file_id)]);
      table_file_id_.push_back(c.file_id);
    }
    file = f;
  } else {
    if (missing_[3] < 0) {
      missing_[3] = static_cast<std::int32_t>(table_.files.size());
      table_.files.emplace_back();
      table_file_id_.push_back(-1);
    }
    file = missing_[3];
  }
  return detail::row_of_copy(c, file, intern(0, c.model, s), intern(1, c.session, s), intern(2, c.project, s),
                             table_.clamped_rows);
}

// Which copy counts, decided without holding every copy: keys, flags and times in one pass,
// then the details of only the copies that share a message.id in a second; the rows are
// made in a third (load). Fills keyed_, and saves the decision for the next reader.
void UsageCache::decide(sqlite3* db, std::vector<std::uint8_t>& counted, std::vector<std::uint32_t>& order) {
  struct OrderKey {
    std::int64_t ts;
    std::uint64_t tie;
    bool operator<(const OrderKey& o) const { return ts != o.ts ? ts < o.ts : tie < o.tie; }
  };
  auto each_copy = [&](auto&& fn) {
    Stmt q(db, "SELECT id, file_id, data FROM usage_chunks ORDER BY id");
    std::vector<StoredCopy> buf;
    std::uint32_t seq = 0;
    while (q.step()) {
      buf.clear();
      detail::decode_chunk(q.blob(2), static_cast<std::int32_t>(q.i64(1)), buf);
      fn(q.i64(0), buf, seq);
      seq += static_cast<std::uint32_t>(buf.size());
    }
  };
  std::int64_t max_id = 0, chunks = 0;
  std::vector<OrderKey> keys;
  counted.clear();
  each_copy([&](std::int64_t id, const std::vector<StoredCopy>& buf, std::uint32_t seq) {
    max_id = std::max(max_id, id);
    ++chunks;
    for (const StoredCopy& c : buf) {
      counted.push_back(detail::counted_alone(c.flags));
      keys.push_back({c.ts_ms, (static_cast<std::uint64_t>(rank_of(c.file_id)) << 32) | seq});
      if (seq >= kMaxCopies) throw std::runtime_error("more usage copies than the window can hold");
      if (c.msg_key) keyed_.push_back({c.msg_key, seq, 0});
      ++seq;
    }
  });
  std::sort(keys.begin(), keys.end());
  order.resize(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) order[k] = static_cast<std::uint32_t>(keys[k].tie);
  keys = {};
  std::sort(keyed_.begin(), keyed_.end(), by_key_seq);

  // The copies of groups with more than one: what dedupe_group reads of them.
  std::vector<std::uint32_t> multi;
  for (std::size_t b = 0, e; b < keyed_.size(); b = e) {
    for (e = b + 1; e < keyed_.size() && keyed_[e].key == keyed_[b].key;) ++e;
    if (e - b > 1)
      for (std::size_t k = b; k < e; ++k) multi.push_back(keyed_[k].seq);
  }
  std::sort(multi.begin(), multi.end());
  struct Lite {
    std::uint64_t req_key;
    std::int64_t total, ts, offset;
    std::int32_t file_id;
    std::uint16_t flags;
  };
  std::vector<Lite> lite(multi.size());
  if (!multi.empty()) {
    std::size_t next = 0;
    each_copy([&](std::int64_t, const std::vector<StoredCopy>& buf, std::uint32_t seq) {
      for (const StoredCopy& c : buf) {
        if (next < multi.size() && multi[next] == seq)
          lite[next++] = {c.req_key, c.tokens.total(), c.ts_ms, c.offset, c.file_id, c.flags};
        ++seq;
      }
    });
  }
  std::vector<StoredCopy> group;
  for (std::size_t b = 0, e; b < keyed_.size(); b = e) {
    for (e = b + 1; e < keyed_.size() && keyed_[e].key == keyed_[b].key;) ++e;
    if (e - b < 2) continue;
    group.clear();
    for (std::size_t k = b; k < e; ++k) {
      const Lite& l = lite[static_cast<std::size_t>(
          std::lower_bound(multi.begin(), multi.end(), keyed_[k].seq) - multi.begin())];
      StoredCopy& c = group.emplace_back();
      c.msg_key = keyed_[k].key;
      c.req_key = l.req_key;
      c.tokens.input = l.total;  // the dedupe compares totals only
      c.ts_ms = l.ts;
      c.offset = l.offset;
      c.file_id = l.file_id;
      c.flags = l.flags;
    }
    detail::decide_counted(group, rank_);
    for (std::size_t k = b; k < e; ++k) counted[keyed_[k].seq] = group[k - b].counted;
  }
  for (Keyed& k : keyed_) k.counted = counted[k.seq];
  detail::save_decision(db, max_id, chunks,
                        std::string_view(reinterpret_cast<const char*>(counted.data()), counted.size()),
                        order);
}

void UsageCache::load(sqlite3* db) {
  *this = UsageCache{};
  // One read transaction: the decision and the chunks are of one moment.
  const bool own = sqlite3_get_autocommit(db) != 0;
  if (own) detail::exec(db, "BEGIN");
  try {
    paths_ = detail::read_id_strings(db, "SELECT id, path FROM files");
    rank_ = detail::path_ranks(paths_);
    std::vector<std::uint8_t> counted;
    std::vector<std::uint32_t> order;
    const bool decided_here = !read_view(db, counted, order);
    if (decided_here) decide(db, counted, order);
    if (counted.size() >= kMaxCopies) throw std::runtime_error("more usage copies than the window can hold");
    const auto n = static_cast<std::uint32_t>(counted.size());
    // Each counting copy's row index: its place among the counting copies in time order.
    std::vector<std::uint32_t> slot(n, kNone);
    std::uint32_t rows = 0;
    for (std::uint32_t i : order)
      if (counted[i] & detail::kCountedCostdeck) slot[i] = rows++;
    order = {};
    table_.rows.reserve(rows + rows / 16 + 1024);
    table_.rows.resize(rows);
    row_seq_.reserve(table_.rows.capacity());
    row_seq_.resize(rows);

    const std::vector<std::string> names = detail::read_id_strings(db, "SELECT id, value FROM names");
    tallies_.counted_by_file.assign(paths_.size() + 1, 0);
    const Strings s{&names, nullptr};
    if (!decided_here) keyed_.reserve(n + n / 16 + 256);
    Stmt q(db, "SELECT id, file_id, data FROM usage_chunks ORDER BY id");
    std::vector<StoredCopy> buf;
    std::uint32_t seq = 0;
    while (q.step()) {
      buf.clear();
      if (!detail::decode_chunk(q.blob(2), static_cast<std::int32_t>(q.i64(1)), buf)) ++unreadable_;
      max_chunk_id_ = std::max(max_chunk_id_, q.i64(0));
      ++chunk_count_;
      chunks_.push_back({seq, q.i64(0)});
      if (buf.size() > n - seq) throw std::runtime_error("usage chunks changed while read");
      for (StoredCopy& c : buf) {
        c.counted = counted[seq];
        detail::tally_copy(tallies_, c, c.counted, +1);
        if (c.msg_key && !decided_here) keyed_.push_back({c.msg_key, seq, c.counted});
        if (slot[seq] != kNone) {
          table_.rows[slot[seq]] = make_row(c, s);
          row_seq_[slot[seq]] = seq;
        }
        ++seq;
      }
    }
    if (seq != n) throw std::runtime_error("usage chunks changed while read");
    copies_ = n;
    if (!decided_here) std::sort(keyed_.begin(), keyed_.end(), by_key_seq);
    if (own) detail::exec(db, "COMMIT");
  } catch (...) {
    if (own) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  loaded_ = true;
}

bool UsageCache::patch(sqlite3* db, UsageCacheDelta& d) {
  struct Insert {
    std::int64_t ts;
    std::uint64_t tie;
    std::uint32_t seq;
    UsageRow row;
  };
  std::vector<Insert> inserts;
  std::vector<std::pair<std::int64_t, std::uint64_t>> removals;  // (ts, tie) of rows that stop counting
  {
    const bool own = sqlite3_get_autocommit(db) != 0;
    if (own) detail::exec(db, "BEGIN");
    struct End {
      sqlite3* db;
      bool own;
      ~End() {
        if (own) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      }
    } end{db, own};
    Stmt n(db, "SELECT count(*), coalesce(max(id), 0) FROM usage_chunks");
    n.step();
    const std::int64_t count = n.i64(0), max_id = n.i64(1);
    if (count == chunk_count_ && max_id == max_chunk_id_) return false;
    Stmt a(db, "SELECT count(*) FROM usage_chunks WHERE id > ?1");
    a.bind(1, max_chunk_id_);
    a.step();
    bool reload = count != chunk_count_ + a.i64(0);  // chunks were removed (a file read again)
    std::vector<std::string> paths = detail::read_id_strings(db, "SELECT id, path FROM files");
    reload =
        reload || paths.size() < paths_.size() || !std::equal(paths_.begin(), paths_.end(), paths.begin());
    if (reload) {
      end.own = false;
      if (own) detail::exec(db, "COMMIT");
      load(db);
      d.reloaded = true;
      return true;
    }
    if (paths.size() != paths_.size()) {
      paths_ = std::move(paths);
      rank_ = detail::path_ranks(paths_);
    }

    std::vector<StoredCopy> fresh;
    Stmt q(db, "SELECT id, file_id, data FROM usage_chunks WHERE id > ?1 ORDER BY id");
    q.bind(1, max_chunk_id_);
    while (q.step()) {
      chunks_.push_back({copies_ + static_cast<std::uint32_t>(fresh.size()), q.i64(0)});
      if (!detail::decode_chunk(q.blob(2), static_cast<std::int32_t>(q.i64(1)), fresh)) ++unreadable_;
      max_chunk_id_ = std::max(max_chunk_id_, q.i64(0));
      ++chunk_count_;
    }
    if (copies_ + fresh.size() >= kMaxCopies)
      throw std::runtime_error("more usage copies than the window can hold");
    const std::uint32_t first_seq = copies_;
    copies_ += static_cast<std::uint32_t>(fresh.size());

    const Strings s{nullptr, db};
    auto tie = [&](const StoredCopy& c, std::uint32_t seq) {
      return (static_cast<std::uint64_t>(rank_of(c.file_id)) << 32) | seq;
    };
    auto add = [&](const StoredCopy& c, std::uint32_t seq) {
      inserts.push_back({c.ts_ms, tie(c, seq), seq, make_row(c, s)});
    };
    std::vector<std::pair<std::uint64_t, std::uint32_t>> fk;  // (msg_key, index in fresh)
    for (std::uint32_t i = 0; i < fresh.size(); ++i) {
      StoredCopy& c = fresh[i];
      if (c.msg_key) {
        fk.emplace_back(c.msg_key, i);
        continue;
      }
      c.counted = detail::counted_alone(c.flags);
      detail::tally_copy(tallies_, c, c.counted, +1);
      if (c.counted & detail::kCountedCostdeck) add(c, first_seq + i);
    }
    std::sort(fk.begin(), fk.end());

    // Earlier copies of the touched groups, read back from their chunks (each chunk once).
    std::map<std::int64_t, std::vector<StoredCopy>> decoded;
    auto fetch = [&](std::uint32_t seq) -> const StoredCopy& {
      auto it = std::upper_bound(chunks_.begin(), chunks_.end(), seq,
                                 [](std::uint32_t x, const ChunkStart& c) { return x < c.first_seq; });
      const ChunkStart& cs = *(it - 1);
      auto [pos, added] = decoded.try_emplace(cs.id);
      if (added) {
        Stmt c(db, "SELECT file_id, data FROM usage_chunks WHERE id = ?1");
        c.bind(1, cs.id);
        if (c.step()) detail::decode_chunk(c.blob(1), static_cast<std::int32_t>(c.i64(0)), pos->second);
      }
      if (seq - cs.first_seq >= pos->second.size())
        throw std::runtime_error("usage chunk changed while read");
      return pos->second[seq - cs.first_seq];
    };
    std::vector<Keyed> new_keyed;
    std::vector<StoredCopy> group;
    std::vector<std::size_t> olds;
    for (std::size_t b = 0; b < fk.size();) {
      std::size_t e = b;
      while (e < fk.size() && fk[e].first == fk[b].first) ++e;
      const std::uint64_t key = fk[b].first;
      auto lo = std::lower_bound(keyed_.begin(), keyed_.end(), key,
                                 [](const Keyed& k, std::uint64_t x) { return k.key < x; });
      group.clear();
      olds.clear();
      for (auto it = lo; it != keyed_.end() && it->key == key; ++it) {
        group.push_back(fetch(it->seq));
        olds.push_back(static_cast<std::size_t>(it - keyed_.begin()));
      }
      for (std::size_t k = b; k < e; ++k) group.push_back(fresh[fk[k].second]);
      detail::decide_counted(group, rank_);
      for (std::size_t k = 0; k < olds.size(); ++k) {
        Keyed& old = keyed_[olds[k]];
        const StoredCopy& c = group[k];
        if (c.counted == old.counted) continue;
        detail::tally_copy(tallies_, c, old.counted, -1);
        detail::tally_copy(tallies_, c, c.counted, +1);
        const bool was = (old.counted & detail::kCountedCostdeck) != 0;
        const bool is = (c.counted & detail::kCountedCostdeck) != 0;
        if (was && !is) removals.emplace_back(c.ts_ms, tie(c, old.seq));
        if (!was && is) add(c, old.seq);
        old.counted = c.counted;
      }
      for (std::size_t k = b; k < e; ++k) {
        const StoredCopy& c = group[olds.size() + (k - b)];
        const std::uint32_t seq = first_seq + fk[k].second;
        detail::tally_copy(tallies_, c, c.counted, +1);
        if (c.counted & detail::kCountedCostdeck) add(c, seq);
        new_keyed.push_back({key, seq, c.counted});
      }
      b = e;
    }
    std::sort(new_keyed.begin(), new_keyed.end(), by_key_seq);
    const std::size_t old_keyed = keyed_.size();
    make_room(keyed_, new_keyed.size());
    keyed_.insert(keyed_.end(), new_keyed.begin(), new_keyed.end());
    std::inplace_merge(keyed_.begin(), keyed_.begin() + static_cast<std::ptrdiff_t>(old_keyed), keyed_.end(),
                       by_key_seq);
  }

  // The rows, kept in time order (ties: path order, then chunk order).
  auto position = [&](std::int64_t ts, std::uint64_t tie) {
    std::size_t lo = 0, hi = table_.rows.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      const std::int64_t t = table_.rows[mid].ts_ms;
      if (t < ts || (t == ts && row_tie(mid) < tie))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  };
  std::size_t first = table_.rows.size();
  for (const auto& [ts, tie] : removals) {
    const std::size_t pos = position(ts, tie);
    if (pos >= table_.rows.size() || table_.rows[pos].ts_ms != ts || row_tie(pos) != tie) {
      load(db);  // the rows and the decisions disagree: read everything again
      d.reloaded = true;
      return true;
    }
    table_.rows.erase(table_.rows.begin() + static_cast<std::ptrdiff_t>(pos));
    row_seq_.erase(row_seq_.begin() + static_cast<std::ptrdiff_t>(pos));
    first = std::min(first, pos);
  }
  std::sort(inserts.begin(), inserts.end(),
            [](const Insert& x, const Insert& y) { return x.ts != y.ts ? x.ts < y.ts : x.tie < y.tie; });
  make_room(table_.rows, inserts.size());
  make_room(row_seq_, inserts.size());
  for (Insert& in : inserts) {
    const std::size_t pos = position(in.ts, in.tie);
    table_.rows.insert(table_.rows.begin() + static_cast<std::ptrdiff_t>(pos), std::move(in.row));
    row_seq_.insert(row_seq_.begin() + static_cast<std::ptrdiff_t>(pos), in.seq);
    first = std::min(first, pos);
  }
  d.first_changed_row = first;
  return true;
}

}  // namespace costdeck::store
