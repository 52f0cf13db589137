#pragma once
// Deterministic randomness and text for the corpus generator. Everything here depends only
// on the seed, never on the clock, the machine or hash-table order, so a seed names a corpus.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace costdeck::bench {

inline std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256**: fast, and its output is specified bit for bit (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  // A heavy-tailed positive number with the given median: most values near it, a few far above.
  double lognormal(double median, double sigma) {
    const double u1 = 1.0 - unit(), u2 = unit();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(sigma * z);
  }
  template <class T, std::size_t N>
  const T& pick(const T (&arr)[N]) {
    return arr[below(N)];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

inline void append_int(std::string& o, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  o.append(buf, r.ptr);
}

inline void append_hex(std::string& o, Rng& rng, int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < n; ++i) o.push_back(kHex[rng.below(16)]);
}

inline void append_base62(std::string& o, Rng& rng, int n) {
  static constexpr char kB62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (int i = 0; i < n; ++i) o.push_back(kB62[rng.below(62)]);
}

inline std::string make_uuid(Rng& rng) {
  std::string u;
  u.reserve(36);
  append_hex(u, rng, 8);
  u += '-';
  append_hex(u, rng, 4);
  u += "-4";
  append_hex(u, rng, 3);
  u += '-';
  u += "89ab"[rng.below(4)];
  append_hex(u, rng, 3);
  u += '-';
  append_hex(u, rng, 12);
  return u;
}

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  int y;
  unsigned m, d, hh, mm, ss, ms;
};

inline Civil civil_from_ms(std::int64_t ms) {
  std::int64_t days = ms / 86400000;
  std::int64_t rem = ms % 86400000;
  if (rem < 0) rem += 86400000, --days;
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
  return {y,
          m,
          d,
          static_cast<unsigned>(rem / 3600000),
          static_cast<unsigned>(rem / 60000 % 60),
          static_cast<unsigned>(rem / 1000 % 60),
          static_cast<unsigned>(rem % 1000)};
}

inline void append_2(std::string& o, unsigned v) {
  o += static_cast<char>('0' + v / 10 % 10);
  o += static_cast<char>('0' + v % 10);
}

// 2025-10-01T12:34:56.789Z
inline void append_iso(std::string& o, std::int64_t ms) {
  const Civil c = civil_from_ms(ms);
  append_int(o, c.y);
  o += '-';
  append_2(o, c.m);
  o += '-';
  append_2(o, c.d);
  o += 'T';
  append_2(o, c.hh);
  o += ':';
  append_2(o, c.mm);
  o += ':';
  append_2(o, c.ss);
  o += '.';
  o += static_cast<char>('0' + c.ms / 100);
  append_2(o, c.ms % 100);
  o += 'Z';
}

// A pool of JSON-string-safe prose and code (escapes \n \t \" and multi-byte UTF-8 inside),
// from which line contents are cut. Cutting from one pool is what makes 1 GiB cheap.
class TextPool {
 public:
  explicit TextPool(std::uint64_t seed, std::size_t size = 4u << 20) {
    static constexpr const char* kWords[] = {"the",
                                             "function",
                                             "return",
                                             "const",
                                             "auto",
                                             "std::string",
                                             "value",
                                             "file",
                                             "test",
                                             "build",
                                             "error",
                                             "cmake",
                                             "include",
                                             "namespace",
                                             "struct",
                                             "class",
                                             "void",
                                             "int64_t",
                                             "session",
                                             "token",
                                             "cost",
                                             "model",
                                             "report",
                                             "daily",
                                             "assert",
                                             "EXPECT_EQ",
                                             "json",
                                             "parse",
                                             "line",
                                             "offset",
                                             "cursor",
                                             "store",
                                             "sqlite",
                                             "query",
                                             "index",
                                             "vector",
                                             "map",
                                             "for",
                                             "if",
                                             "else",
                                             "while",
                                             "src/main.cpp",
                                             "core/report.cpp",
                                             "TODO",
                                             "fix",
                                             "refactor",
                                             "make",
                                             "sure",
                                             "that",
                                             "we",
                                             "handle",
                                             "the",
                                             "case",
                                             "where",
                                             "is",
                                             "empty",
                                             "null",
                                             "and",
                                             "then",
                                             "check",
                                             "output",
                                             "input",
                                             "cache",
                                             "read",
                                             "write",
                                             "npm",
                                             "run",
                                             "git",
                                             "diff",
                                             "commit",
                                             "branch",
                                             "merge",
                                             "pull",
                                             "request",
                                             "review",
                                             "caf\xc3\xa9",
                                             "\xe2\x86\x92",
                                             "\xe2\x9c\x93",
                                             "na\xc3\xafve",
                                             "\xf0\x9f\x9a\x80",
                                             "let",
                                             "me",
                                             "look",
                                             "at",
                                             "this",
                                             "I'll",
                                             "update",
                                             "it",
                                             "now",
                                             "done",
                                             "passes"};
    Rng rng(seed ^ 0x7e57b0015ull);
    pool_.reserve(size + 64);
    while (pool_.size() < size) {
      const std::uint64_t r = rng.below(100);
      if (r < 6) {
        pool_ += "\\n";
      } else if (r < 7) {
        pool_ += "\\n\\t";
      } else if (r < 9) {
        pool_ += "\\\"";
        pool_ += rng.pick(kWords);
        pool_ += "\\\" ";
      } else if (r < 11) {
        pool_ += "(); ";
      } else if (r < 12) {
        pool_ += "{ x: 1, y: [2, 3] } ";
      } else {
        pool_ += rng.pick(kWords);
        pool_ += ' ';
      }
    }
  }

  // About `len` bytes of text, never cutting an escape or a UTF-8 sequence in half.
  std::string_view cut(Rng& rng, std::size_t len) const {
    if (len + 16 >= pool_.size()) len = pool_.size() - 16;
    std::size_t start = rng.below(pool_.size() - len - 8);
    if (start > 0 && pool_[start - 1] == '\\') ++start;
    while ((static_cast<unsigned char>(pool_[start]) & 0xC0) == 0x80) ++start;
    std::size_t end = start + len;
    if (pool_[end - 1] == '\\') ++end;
    while (end < pool_.size() && (static_cast<unsigned char>(pool_[end]) & 0xC0) == 0x80) ++end;
    return std::string_view(pool_).substr(start, end - start);
  }

  // Any length, by concatenating cuts (for the multi-MB tool results).
  void append(std::string& o, Rng& rng, std::size_t len) const {
    while (len > 0) {
      const std::size_t n = len < (1u << 20) ? len : (1u << 20);
      const auto piece = cut(rng, n);
      o.append(piece);
      len -= piece.size() >= len ? len : piece.size();
    }
  }

 private:
  std::string pool_;
};

}  // namespace costdeck::bench
