#include "core/sources/text_scan.hpp"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>

namespace costdeck::sources {

namespace {

std::size_t memmem_from(const char* s, std::size_t len, std::size_t i, std::string_view needle) {
  if (i >= len) return std::string_view::npos;
  const void* p = memmem(s + i, len - i, needle.data(), needle.size());
  return p == nullptr ? std::string_view::npos : static_cast<std::size_t>(static_cast<const char*>(p) - s);
}

#if defined(__x86_64__)
// Three bytes of the needle (the first two and the last) compared 32 positions at a time: a
// JSON key needle starts with '"', the most common byte of a line, but '"u' followed by '"'
// five bytes on is rare ("usage" inside a string has its quotes escaped).
__attribute__((target("avx2"))) std::size_t find_avx2(const char* s, std::size_t len,
                                                      std::string_view needle) {
  const std::size_t n = needle.size(), last = n - 1;
  const __m256i f0 = _mm256_set1_epi8(needle[0]);
  const __m256i f1 = _mm256_set1_epi8(needle[1]);
  const __m256i fl = _mm256_set1_epi8(needle[last]);
  std::size_t i = 0;
  for (; i + last + 32 <= len; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 1));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + last));
    const __m256i eq = _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi8(a, f0), _mm256_cmpeq_epi8(b, f1)),
                                        _mm256_cmpeq_epi8(c, fl));
    auto mask = static_cast<unsigned>(_mm256_movemask_epi8(eq));
    while (mask != 0) {
      const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
      if (std::memcmp(s + at + 2, needle.data() + 2, n - 2) == 0) return at;
      mask &= mask - 1;
    }
  }
  return memmem_from(s, len, i, needle);
}

// Set while static objects are built, maybe before the compiler's own CPU probe ran: init first.
const bool kHasAvx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
#endif

}  // namespace

std::size_t find_bytes(std::string_view hay, std::string_view needle, std::size_t from) {
  if (from > hay.size()) return std::string_view::npos;
  const char* s = hay.data() + from;
  const std::size_t len = hay.size() - from;
  const std::size_t n = needle.size();
#if defined(__x86_64__)
  if (n >= 3 && kHasAvx2) {
    const std::size_t at = find_avx2(s, len, needle);
    return at == std::string_view::npos ? at : from + at;
  }
#endif
  std::size_t i = 0;
#if defined(__SSE2__)
  // Compare two inner bytes of the needle 16 positions at a time (glibc's memmem keys on the
  // first byte, and JSON needles start with '"', the most common byte of a JSON line).
  if (n >= 3) {
    const std::size_t a = 1, b = n - 2;
    const __m128i fa = _mm_set1_epi8(needle[a]);
    const __m128i fb = _mm_set1_epi8(needle[b]);
    for (; i + b + 16 <= len; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + a));
      const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + b));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, fa), _mm_cmpeq_epi8(y, fb))));
      while (mask != 0) {
        const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
        if (at + n <= len && std::memcmp(s + at, needle.data(), n) == 0) return from + at;
        mask &= mask - 1;
      }
    }
  }
#endif
  const std::size_t at = memmem_from(s, len, i, needle);
  return at == std::string_view::npos ? at : from + at;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

bool valid_date(int y, int mo, int d) { return mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo); }

}  // namespace

bool parse_iso8601_ms(std::string_view s, std::int64_t& ms) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  int y, mo, d, h, mi, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 16 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi))
    return false;
  std::size_t pos = 16;
  int millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec)) return false;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int n = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (n < 3) millis = millis * 10 + (s[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return false;
      for (; n < 3; ++n) millis *= 10;
    }
  }
  if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60) return false;
  int offset_min = 0;
  if (pos == s.size()) {
    // No zone: Claude Code and Codex always write one; treat a bare time as UTC.
  } else if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    const bool neg = s[pos] == '-';
    if (!digits(s, pos + 1, 2, oh)) return false;
    std::size_t p = pos + 3;
    if (p < s.size() && s[p] == ':') ++p;
    if (!digits(s, p, 2, om) || p + 2 != s.size() || oh > 23 || om > 59) return false;
    offset_min = (neg ? -1 : 1) * (oh * 60 + om);
  } else {
    return false;
  }
  const std::int64_t days = days_from_civil(y, mo, d);
  ms = (((days * 24 + h) * 60 + mi) * 60 + sec) * 1000 + millis - std::int64_t{offset_min} * 60000;
  return true;
}

bool ccusage_accepts_timestamp(std::string_view s) {
  std::size_t zone;
  if ((s.size() == 20 || s.size() == 25) && (s[19] == 'Z' || s[19] == '+' || s[19] == '-')) {
    zone = 19;
  } else if ((s.size() == 24 || s.size() == 29) && s[19] == '.') {
    int ms;
    if (!digits(s, 20, 3, ms)) return false;
    zone = 23;
  } else {
    return false;
  }
  int y, mo, d, h, mi, sec;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec))
    return false;
  if (h > 23 || mi > 59 || sec > 59) return false;
  const std::string_view z = s.substr(zone);
  if (z != "Z") {
    int oh, om;
    if (z.size() != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' || !digits(z, 1, 2, oh) ||
        !digits(z, 4, 2, om))
      return false;
  }
  return valid_date(y, mo, d);
}

bool ccusage_semver_prefix(std::string_view v) {
  std::size_t i = 0;
  auto run = [&] {
    const std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i > start;
  };
  if (!run() || i >= v.size() || v[i] != '.') return false;
  ++i;
  if (!run() || i >= v.size() || v[i] != '.') return false;
  ++i;
  return i < v.size() && v[i] >= '0' && v[i] <= '9';
}

namespace {
bool unsupported_nullable(std::string_view f) {
  static constexpr std::array<std::string_view, 11> kFields = {
      "id",        "cwd",       "model",     "speed",
      "costUSD",   "version",   "sessionId", "requestId",
      "isApiErrorMessage", "cache_read_input_tokens", "cache_creation_input_tokens"};
  for (auto k : kFields)
    if (k == f) return true;
  return false;
}
}  // namespace

bool ccusage_has_unsupported_null(std::string_view line) {
  // Mirrors the byte scan ccusage does (it also fires on ":null" inside nested objects).
  std::size_t offset = 0;
  for (;;) {
    const std::size_t null_index = find_bytes(line, ":null", offset);
    if (null_index == std::string_view::npos) return false;
    std::size_t field_end = null_index == 0 ? 0 : null_index - 1;
    if (line[field_end] != '"') {
      while (field_end > 0 && line[field_end] != '"') --field_end;
    }
    if (line[field_end] == '"') {
      std::size_t field_start = field_end == 0 ? 0 : field_end - 1;
      while (field_start > 0 && line[field_start] != '"') --field_start;
      if (line[field_start] == '"' && field_start + 1 <= field_end &&
          unsupported_nullable(line.substr(field_start + 1, field_end - field_start - 1)))
        return true;
    }
    offset = null_index + 5;
  }
}

namespace {
void put_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool hex4(const char* p, const char* end, std::uint32_t& v) {
  if (end - p < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}
}  // namespace

void unescape_json_prefix(const char* p, const char* end, std::size_t max_bytes, std::string& out) {
  out.clear();
  // Leave room for one full character so the cut below lands on a boundary.
  const std::size_t limit = max_bytes + 4;
  // The next quote is looked for once, not again after every escape: text with an escape
  // every few bytes (code, logs) made that quadratic in the cut length.
  const char* q = nullptr;  // a '"' at or after p, when found
  const char* clear = p;    // no '"' in [p, clear) before q
  while (p < end && out.size() < limit) {
    // Copy the run up to the next quote or backslash in one go.
    const std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(end - p), limit - out.size());
    const char* wend = p + want;
    if (q && q < p) q = nullptr, clear = p;  // that quote was an escaped one, now behind
    if (!q && clear < wend) {
      const char* from = std::max(p, clear);
      q = static_cast<const char*>(std::memchr(from, '"', static_cast<std::size_t>(wend - from)));
      clear = q ? q : wend;
    }
    const char* qw = q && q < wend ? q : nullptr;
    const char* bs =
        static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>((qw ? qw : wend) - p)));
    const char* stop = bs ? bs : (qw ? qw : wend);
    out.append(p, static_cast<std::size_t>(stop - p));
    p = stop;
    if (p >= end || out.size() >= limit || *p == '"') break;
    if (end - p < 2) break;
    const char e = p[1];
    p += 2;
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'u': {
        std::uint32_t cp;
        if (!hex4(p, end, cp)) return;
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
          std::uint32_t lo;
          if (hex4(p + 2, end, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        put_utf8(cp, out);
        break;
      }
      default: out.push_back(e); break;  // \" \\ \/
    }
  }
  cut_utf8(out, max_bytes);
}

void cut_utf8(std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
}

}  // namespace costdeck::sources
