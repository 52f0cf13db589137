#pragma once
// Splitting read bytes into lines, with what the readers would otherwise search each line
// for afterwards: a "usage" key (a line without one carries no usage) and NUL bytes (a line
// with one is malformed). One pass over the bytes instead of three.

#include <cstddef>
#include <vector>

namespace costdeck::sources {

struct LineEnd {
  std::size_t end = 0;     // index of the line's '\n'
  bool usage_key = false;  // the line holds the bytes "usage" (quotes included)
  bool nul = false;        // the line holds a NUL byte
};

// Every '\n' of data[0, size), in order, with what the line before it (from the previous
// '\n', or 0) holds. Bytes after the last '\n' belong to no line. data[size, size + 64)
// must be readable (any content).
void find_lines(const char* data, std::size_t size, std::vector<LineEnd>& out);

namespace detail {
// The same without vector instructions (what find_lines does on CPUs without AVX2).
void find_lines_portable(const char* data, std::size_t size, std::vector<LineEnd>& out);
}  // namespace detail

}  // namespace costdeck::sources
