#pragma once
// Large arrays that are filled right after they are reserved (a million stored copies,
// the usage rows) ask for transparent huge pages: first touch of 4 KiB pages was a sixth
// of a warm report (tens of thousands of page faults for a few tens of MB).

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace costdeck::store {

inline void advise_huge_pages(const void* p, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t k2M = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t lo = (begin + k2M - 1) & ~(k2M - 1), hi = (begin + bytes) & ~(k2M - 1);
  // Advice only: where the kernel has none to give, pages stay 4 KiB.
  if (hi > lo) (void)madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// reserve(n), then the advice for the whole buffer (only where the buffer moved).
template <typename T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  if (v.capacity() >= n) return;
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace costdeck::store
