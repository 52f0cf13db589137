#include "core/sources/line_scan.hpp"

#include <cstring>
#include <string_view>

#include "core/sources/text_scan.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace costdeck::sources {
namespace {

constexpr std::string_view kUsage = "\"usage\"";

}  // namespace

void detail::find_lines_portable(const char* data, std::size_t size, std::vector<LineEnd>& out) {
  out.clear();
  std::size_t start = 0;
  while (start < size) {
    const auto* nl = static_cast<const char*>(std::memchr(data + start, '\n', size - start));
    if (nl == nullptr) break;
    const auto end = static_cast<std::size_t>(nl - data);
    const std::string_view line(data + start, end - start);
    out.push_back({end, contains(line, kUsage), std::memchr(line.data(), '\0', line.size()) != nullptr});
    start = end + 1;
  }
}

namespace {

#if defined(__x86_64__)
// 32 bytes a step: newlines, NULs, and '"', 'u', '"' six bytes apart (a "usage" candidate,
// confirmed by its middle bytes). A candidate may read up to 37 bytes past the step's
// start: the padding after `size` covers it, and a confirmed one never spans a newline.
__attribute__((target("avx2"))) void find_lines_avx2(const char* data, std::size_t size,
                                                     std::vector<LineEnd>& out) {
  const __m256i nl_v = _mm256_set1_epi8('\n');
  const __m256i zero = _mm256_setzero_si256();
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i u_v = _mm256_set1_epi8('u');
  bool usage = false, nul = false;  // what the line so far holds
  for (std::size_t i = 0; i < size; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 1));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 6));
    const std::uint32_t valid = size - i >= 32 ? ~0u : (1u << (size - i)) - 1;
    std::uint32_t nls = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl_v))) & valid;
    std::uint32_t nuls = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero))) & valid;
    const __m256i probe =
        _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi8(a, quote), _mm256_cmpeq_epi8(b, u_v)),
                         _mm256_cmpeq_epi8(c, quote));
    std::uint32_t cand = static_cast<std::uint32_t>(_mm256_movemask_epi8(probe)) & valid;
    std::uint32_t hits = 0;
    while (cand != 0) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(cand));
      if (std::memcmp(data + i + k + 2, "sage", 4) == 0) hits |= 1u << k;
      cand &= cand - 1;
    }
    while (nls != 0) {
      const unsigned p = static_cast<unsigned>(__builtin_ctz(nls));
      const std::uint32_t before = (1u << p) - 1;
      usage |= (hits & before) != 0;
      nul |= (nuls & before) != 0;
      out.push_back({i + p, usage, nul});
      usage = nul = false;
      const std::uint32_t after = ~((2u << p) - 1);  // p == 31: nothing after
      hits &= after;
      nuls &= after;
      nls &= nls - 1;
    }
    usage |= hits != 0;
    nul |= nuls != 0;
  }
}

// Set while static objects are built, maybe before the compiler's own CPU probe ran: init first.
const bool kHasAvx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
#endif

}  // namespace

void find_lines(const char* data, std::size_t size, std::vector<LineEnd>& out) {
  out.clear();
#if defined(__x86_64__)
  if (kHasAvx2) {
    find_lines_avx2(data, size, out);
    return;
  }
#endif
  detail::find_lines_portable(data, size, out);
}

}  // namespace costdeck::sources
