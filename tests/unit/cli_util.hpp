#pragma once
// Runs the real `costdeck` binary in a test: arguments, optional stdin, captured stdout and
// exit status. HOME points to an empty folder so the user's own agent data never leaks in.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace costdeck::test {

struct CliResult {
  int status = -1;  // exit status
  std::string out;  // stdout
};

inline std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("costdeck-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Any shell command: its stdout and exit status.
inline CliResult run_shell(const std::string& cmd) {
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 65536> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// `args` is appended to the binary's path as shell words (quote them yourself).
inline CliResult run_costdeck(const std::string& args, const std::string& stdin_text = "") {
  static const auto home = temp_dir("home");
  auto in = home / "stdin.txt";
  std::ofstream(in) << stdin_text;
  return run_shell(
      "env -u CLAUDE_CONFIG_DIR -u CODEX_HOME -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u COSTDECK_DB HOME='" +
      home.string() + "' '" + COSTDECK_BINARY + "' " + args + " < '" + in.string() + "'");
}

}  // namespace costdeck::test
