#include "core/runs/json_out.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

namespace costdeck::runs {

void JsonOut::grow(std::size_t n) {
  if (sink_) {
    flush();
    if (n > out_.size()) out_.resize(n);
    return;
  }
  out_.resize(std::max(out_.size() * 2, len_ + n));
}

void JsonOut::flush() {
  if (sink_ && len_ > 0) std::fwrite(out_.data(), 1, len_, sink_);
  len_ = 0;
}

void JsonOut::put(const char* p, std::size_t n) {
  if (n == 0) return;
  std::memcpy(room(n), p, n);
  len_ += n;
}

void JsonOut::newline_indent(std::size_t depth) {
  // One append from a ready-made line start: the issues report writes millions of these.
  static constexpr std::string_view kIndent =
      "\n                                                                ";
  const std::size_t n = 1 + depth * 2;
  if (n <= kIndent.size()) {
    put(kIndent.data(), n);
  } else {
    char* p = room(n);
    p[0] = '\n';
    std::memset(p + 1, ' ', n - 1);
    len_ += n;
  }
}

void JsonOut::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (empty_.empty()) return;  // the top-level value
  if (!empty_.back()) put(',');
  empty_.back() = 0;
  newline_indent(empty_.size());
}

JsonOut& JsonOut::open(char c) {
  before_value();
  put(c);
  empty_.push_back(1);
  return *this;
}

JsonOut& JsonOut::close(char c) {
  const bool was_empty = empty_.back() != 0;
  empty_.pop_back();
  if (!was_empty) newline_indent(empty_.size());
  put(c);
  return *this;
}

JsonOut& JsonOut::key(std::string_view k) {
  before_value();
  string(k);
  put(": ", 2);
  after_key_ = true;
  return *this;
}

void JsonOut::string(std::string_view s) {
  // Plain printable ASCII needs no escaping; anything else (controls, quotes, UTF-8,
  // invalid bytes) goes through nlohmann so escapes and errors stay exactly its own.
  static constexpr auto kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return t;
  }();
  bool plain = true;
  for (unsigned char c : s) plain &= kPlain[c];
  if (plain) {
    char* p = room(s.size() + 2);
    *p = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    len_ += s.size() + 2;
  } else {
    put(nlohmann::ordered_json(std::string(s)).dump());
  }
}

JsonOut& JsonOut::value(std::string_view s) {
  before_value();
  string(s);
  return *this;
}

JsonOut& JsonOut::value(std::int64_t v) {
  before_value();
  std::array<char, 24> b;
  auto r = std::to_chars(b.data(), b.data() + b.size(), v);
  put(b.data(), static_cast<std::size_t>(r.ptr - b.data()));
  return *this;
}

JsonOut& JsonOut::value(double v) {
  before_value();
  if (!std::isfinite(v)) {
    put("null", 4);
    return *this;
  }
  std::array<char, 64> b;  // nlohmann's serializer formats floats exactly like this
  char* end = nlohmann::detail::to_chars(b.data(), b.data() + b.size(), v);
  put(b.data(), static_cast<std::size_t>(end - b.data()));
  return *this;
}

JsonOut& JsonOut::value(bool v) {
  before_value();
  put(v ? std::string_view("true") : std::string_view("false"));
  return *this;
}

JsonOut& JsonOut::null() {
  before_value();
  put("null", 4);
  return *this;
}

}  // namespace costdeck::runs
