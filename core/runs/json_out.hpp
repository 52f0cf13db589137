#pragma once
// A streaming JSON writer whose bytes equal nlohmann::ordered_json::dump(2) of the same
// tree: the issues report at 100k runs is tens of MB, and building it as a json tree first
// cost more than the whole report. Numbers and unusual strings are formatted by nlohmann
// itself (in the .cpp), so the two can never disagree.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace costdeck::runs {

class JsonOut {
 public:
  JsonOut() { out_.resize(1 << 16); }
  // Writes to `sink` a buffer at a time instead of building one string: a report of tens
  // of MB then never holds (or grows and copies) all of it. take() returns nothing.
  explicit JsonOut(std::FILE* sink) : sink_(sink) { out_.resize(1 << 20); }

  JsonOut& begin_object() { return open('{'); }
  JsonOut& end_object() { return close('}'); }
  JsonOut& begin_array() { return open('['); }
  JsonOut& end_array() { return close(']'); }

  // An object member's name; the next call writes its value.
  JsonOut& key(std::string_view k);

  JsonOut& value(std::string_view s);
  JsonOut& value(const std::string& s) { return value(std::string_view(s)); }
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(std::int64_t v);
  JsonOut& value(double v);
  JsonOut& value(bool v);
  JsonOut& null();

  // key + value in one call.
  template <typename T>
  JsonOut& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  std::string take() {
    if (sink_) {
      flush();
      return {};
    }
    out_.resize(len_);
    len_ = 0;
    return std::move(out_);
  }

 private:
  JsonOut& open(char c);
  JsonOut& close(char c);
  void before_value();
  void newline_indent(std::size_t depth);
  void string(std::string_view s);
  // Room for n more bytes at out_.data() + len_.
  char* room(std::size_t n) {
    if (len_ + n > out_.size()) grow(n);
    return out_.data() + len_;
  }
  void grow(std::size_t n);
  void flush();
  void put(char c) { *room(1) = c, ++len_; }
  void put(const char* p, std::size_t n);
  void put(std::string_view s) { put(s.data(), s.size()); }

  // Written up to len_; the bytes past it are spare room. Plain std::string appends
  // check capacity and size on every call, a noticeable share of a large report's time.
  std::string out_;
  std::size_t len_ = 0;
  std::vector<unsigned char>
      empty_;  // per open container: nothing written in it yet (bytes: no bit twiddling)
  bool after_key_ = false;
  std::FILE* sink_ = nullptr;
};

}  // namespace costdeck::runs
