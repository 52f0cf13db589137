#pragma once
// The usage copies of one read of one file, packed into one BLOB (usage_chunks.data).
// A cold ingest of a 1 GiB history writes ~4,000 chunks instead of ~220,000 rows with
// three B-trees each, and a report reads them back as one sequential pass. Private to
// core/store.
//
// Layout: a version byte (1), then per copy, all integers LEB128 varints:
//   ts delta (zigzag, from the previous copy's ts, first from 0), offset delta, line delta,
//   flags, [msg_key 8 bytes LE], [req_key 8 bytes LE], model, session, project (names.id),
//   input, output, cache_write_5m, cache_write_1h, cache_read, reasoning, web_search,
//   web_fetch, [cost_usd 8-byte LE double].

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace costdeck::store::detail {

// StoredCopy::flags
inline constexpr std::uint16_t kRuntimeMask = 0x3;
inline constexpr std::uint16_t kSidechain = 1 << 2;
inline constexpr std::uint16_t kFast = 1 << 3;
inline constexpr std::uint16_t kCcusageSkips = 1 << 4;  // ccusage drops the line before deduping
inline constexpr std::uint16_t kCcusageOnly = 1 << 5;   // a copy only ccusage counts
inline constexpr std::uint16_t kDailyOnly = 1 << 6;     // ... and only its `claude daily`
inline constexpr std::uint16_t kHasMsgKey = 1 << 7;     // encoding only
inline constexpr std::uint16_t kHasReqKey = 1 << 8;     // encoding only
inline constexpr std::uint16_t kHasCost = 1 << 9;       // encoding only
inline constexpr std::uint16_t kStoredFlags =
    kRuntimeMask | kSidechain | kFast | kCcusageSkips | kCcusageOnly | kDailyOnly;

// StoredCopy::counted: the rule sets under which the copy is the one that counts.
inline constexpr std::uint8_t kCountedCostdeck = 1 << 0;
inline constexpr std::uint8_t kCountedCcusage = 1 << 1;
inline constexpr std::uint8_t kCountedCcusageDaily = 1 << 2;

inline constexpr unsigned char kChunkVersion = 1;

// One copy of a response as stored. Names are names.id; the dedupe fills `counted`.
struct StoredCopy {
  std::int64_t ts_ms = 0;
  std::int64_t offset = 0;
  std::int64_t line_no = 0;
  std::uint64_t msg_key = 0;  // xxh3 of (runtime, message.id); 0: no message.id
  std::uint64_t req_key = 0;  // xxh3 of requestId; 0: none
  TokenCounts tokens;
  std::int64_t reasoning = 0;
  double cost_usd = 0;
  std::int32_t file_id = 0;
  std::int32_t model = 0, session = 0, project = 0;
  std::int32_t web_search = 0, web_fetch = 0;
  std::uint16_t flags = 0;  // kStoredFlags, plus kHasCost when cost_usd is set
  std::uint8_t counted = 0;

  Runtime runtime() const { return static_cast<Runtime>(flags & kRuntimeMask); }
  bool has_cost() const { return (flags & kHasCost) != 0; }
};

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Counts are never negative; a negative one (a corrupt line) is stored as 0.
inline void put_count(std::string& out, std::int64_t v) {
  put_varint(out, v < 0 ? 0 : static_cast<std::uint64_t>(v));
}

inline void put_zigzag(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline void put_u64(std::string& out, std::uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}

// Reading side: a cursor that turns every overrun into `ok = false` instead of UB.
struct ChunkReader {
  const unsigned char* p;
  const unsigned char* end;
  bool ok = true;

  std::uint64_t varint() {
    if (end - p >= 10) {  // room for the longest varint: no bounds check per byte
      std::uint64_t v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        const unsigned char b = *p++;
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
      }
      ok = false;
      return v;
    }
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        ok = false;
        return 0;
      }
      unsigned char b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return v;
  }
  std::int64_t count() { return static_cast<std::int64_t>(varint()); }
  std::int64_t zigzag() {
    std::uint64_t v = varint();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::uint64_t u64() {
    if (end - p < 8) {
      ok = false;
      return 0;
    }
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    p += 8;
    return v;
  }
};

// The names and counts of a copy, in the order both the chunk and version 2's usage.data
// payload write them: model, session, project, five token counts, reasoning, web search,
// web fetch.
inline void read_fields(ChunkReader& r, StoredCopy& c) {
  c.model = static_cast<std::int32_t>(r.count());
  c.session = static_cast<std::int32_t>(r.count());
  c.project = static_cast<std::int32_t>(r.count());
  c.tokens.input = r.count();
  c.tokens.output = r.count();
  c.tokens.cache_write_5m = r.count();
  c.tokens.cache_write_1h = r.count();
  c.tokens.cache_read = r.count();
  c.reasoning = r.count();
  c.web_search = static_cast<std::int32_t>(r.count());
  c.web_fetch = static_cast<std::int32_t>(r.count());
}

// `copies` in file order (offset, then the ccusage-only copy after the primary one).
inline void encode_chunk(const std::vector<StoredCopy>& copies, std::string& out) {
  out.clear();
  out.reserve(copies.size() * 48 + 1);
  out.push_back(static_cast<char>(kChunkVersion));
  std::int64_t ts = 0, offset = 0, line = 0;
  for (const StoredCopy& c : copies) {
    put_zigzag(out, c.ts_ms - ts);
    put_zigzag(out, c.offset - offset);
    put_zigzag(out, c.line_no - line);
    ts = c.ts_ms;
    offset = c.offset;
    line = c.line_no;
    std::uint16_t flags = c.flags & (kStoredFlags | kHasCost);
    if (c.msg_key) flags |= kHasMsgKey;
    if (c.req_key) flags |= kHasReqKey;
    put_varint(out, flags);
    if (c.msg_key) put_u64(out, c.msg_key);
    if (c.req_key) put_u64(out, c.req_key);
    for (std::int64_t v :
         {std::int64_t{c.model}, std::int64_t{c.session}, std::int64_t{c.project}, c.tokens.input,
          c.tokens.output, c.tokens.cache_write_5m, c.tokens.cache_write_1h, c.tokens.cache_read, c.reasoning,
          std::int64_t{c.web_search}, std::int64_t{c.web_fetch}})
      put_count(out, v);
    if (flags & kHasCost) {
      std::uint64_t bits;
      std::memcpy(&bits, &c.cost_usd, 8);
      put_u64(out, bits);
    }
  }
}

// Appends the chunk's copies to `out`. False (and nothing appended) when the blob is not
// a chunk this program can read.
inline bool decode_chunk(std::string_view blob, std::int32_t file_id, std::vector<StoredCopy>& out) {
  if (blob.empty() || static_cast<unsigned char>(blob[0]) != kChunkVersion) return false;
  const std::size_t start = out.size();
  ChunkReader r{reinterpret_cast<const unsigned char*>(blob.data()) + 1,
                reinterpret_cast<const unsigned char*>(blob.data()) + blob.size()};
  std::int64_t ts = 0, offset = 0, line = 0;
  while (r.ok && r.p < r.end) {
    StoredCopy& c = out.emplace_back();
    c.file_id = file_id;
    ts += r.zigzag();
    offset += r.zigzag();
    line += r.zigzag();
    c.ts_ms = ts;
    c.offset = offset;
    c.line_no = line;
    auto flags = static_cast<std::uint16_t>(r.varint());
    if (flags & kHasMsgKey) c.msg_key = r.u64();
    if (flags & kHasReqKey) c.req_key = r.u64();
    read_fields(r, c);
    if (flags & kHasCost) {
      std::uint64_t bits = r.u64();
      std::memcpy(&c.cost_usd, &bits, 8);
    }
    c.flags = flags & (kStoredFlags | kHasCost);
  }
  if (!r.ok) {
    out.resize(start);
    return false;
  }
  return true;
}

}  // namespace costdeck::store::detail
