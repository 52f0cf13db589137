#pragma once
// simdjson On-Demand set-up shared by the session-file parsers. Include it FIRST in a
// parser's .cpp: the target pragma must precede every other include of that file.
//
// On-Demand runs only its compile-time kernel; without the pragma the portable fallback
// kernel (several times slower) is chosen. x86-64-v3 (AVX2, 2013+) is assumed; configure
// with -DCOSTDECK_PORTABLE_JSON=ON to keep the generic kernel.
#if defined(__x86_64__) && !defined(COSTDECK_PORTABLE_JSON) && !defined(__clang__)
#pragma GCC target("avx2,bmi,bmi2,pclmul,lzcnt,popcnt")
#define SIMDJSON_BUILTIN_IMPLEMENTATION haswell
#endif

#include <simdjson.h>

namespace costdeck::sources {

namespace od = simdjson::ondemand;

// One parser per thread, reused: the ingest reads files on several threads, one line at a time.
inline od::parser& thread_parser() {
  thread_local od::parser parser;
  return parser;
}

}  // namespace costdeck::sources
