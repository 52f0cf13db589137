#pragma once
// A folder under the system's temporary folder for one test, removed with everything in it
// when the test ends; and a whole file read into a string.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace costdeck::test {

class TempDir {
 public:
  // costdeck_<name>_<pid>: tests running in parallel processes never share one.
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("costdeck_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace costdeck::test
