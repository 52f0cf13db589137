#pragma once
// The payload of a usage row (usage.data): the fields reports read, as LEB128 varints,
// then the costUSD double when present. One BLOB column instead of a dozen integer ones
// makes the report query several times cheaper (SQLite's per-column decoding dominated)
// and the rows as compact. Private to core/store.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace costdeck::store::detail {

struct UsagePayload {
  std::int64_t model = 0, session = 0, project = 0;  // names.id
  TokenCounts tokens;
  std::int64_t reasoning = 0, web_search = 0, web_fetch = 0;
  std::optional<double> cost_usd;
};

inline void put_varint(std::string& out, std::int64_t signed_value) {
  auto v = static_cast<std::uint64_t>(signed_value < 0 ? 0 : signed_value);  // counts are never negative
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline std::int64_t get_varint(const unsigned char*& p, const unsigned char* end) {
  std::uint64_t v = 0;
  int shift = 0;
  while (p < end && shift < 64) {
    unsigned char b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  return static_cast<std::int64_t>(v);
}

inline void encode_payload(const UsagePayload& u, std::string& out) {
  out.clear();
  for (std::int64_t v :
       {u.model, u.session, u.project, u.tokens.input, u.tokens.output, u.tokens.cache_write_5m,
        u.tokens.cache_write_1h, u.tokens.cache_read, u.reasoning, u.web_search, u.web_fetch})
    put_varint(out, v);
  if (u.cost_usd) {
    char buf[8];
    std::memcpy(buf, &*u.cost_usd, 8);
    out.append(buf, 8);
  }
}

inline UsagePayload decode_payload(std::string_view blob) {
  UsagePayload u;
  auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  auto* end = p + blob.size();
  u.model = get_varint(p, end);
  u.session = get_varint(p, end);
  u.project = get_varint(p, end);
  u.tokens.input = get_varint(p, end);
  u.tokens.output = get_varint(p, end);
  u.tokens.cache_write_5m = get_varint(p, end);
  u.tokens.cache_write_1h = get_varint(p, end);
  u.tokens.cache_read = get_varint(p, end);
  u.reasoning = get_varint(p, end);
  u.web_search = get_varint(p, end);
  u.web_fetch = get_varint(p, end);
  if (end - p >= 8) {
    double d;
    std::memcpy(&d, p, 8);
    u.cost_usd = d;
  }
  return u;
}

}  // namespace costdeck::store::detail
