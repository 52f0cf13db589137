#include "core/sources/discovery.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

namespace costdeck::sources {
namespace {

namespace fs = std::filesystem;

std::string env_or(const std::string& given, const char* name, bool use_env) {
  if (!given.empty() || !use_env) return given;
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    std::string part = trim(s.substr(start, comma - start));
    if (!part.empty()) out.push_back(std::move(part));
    start = comma + 1;
  }
  return out;
}

bool is_dir(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// A root may be given as the config dir or as its data folder itself.
void add_root(Discovery& d, Runtime rt, const std::string& raw, const std::string& home,
              const std::string& origin) {
  LookedAtRoot r;
  r.runtime = rt;
  r.origin = origin;
  const char* data_name = rt == Runtime::Claude ? "projects" : "sessions";
  std::string root = expand_home(raw, home);
  // Absolute: the store keys files by path, and the same folder given relative from two
  // working directories must not become two sets of files.
  {
    std::error_code ec;
    fs::path abs = fs::absolute(root, ec);
    if (!ec) root = abs.lexically_normal().string();
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (fs::path(root).filename() == data_name && is_dir(root)) {
    r.data_dir = root;
    root = fs::path(root).parent_path().string();
  } else {
    r.data_dir = (fs::path(root) / data_name).string();
  }
  r.root = root;
  r.exists = is_dir(r.data_dir);
  d.roots.push_back(std::move(r));
}

struct Listed {
  std::string path;
  struct stat st;
};

// Every *.jsonl regular file below `dir` (symlinked files followed, symlinked folders not,
// as std::filesystem's recursive iterator does), with its stat. Written on readdir and
// fstatat: the standard iterator's per-entry overhead was a quarter of a warm report.
void list_jsonl(const std::string& dir, std::vector<Listed>& out, std::vector<std::string>& warnings,
                int depth = 0) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno != EACCES || depth == 0)
      warnings.push_back((depth == 0 ? "cannot list " : "cannot list below ") + dir + ": " +
                         std::strerror(errno));
    return;
  }
  const int fd = ::dirfd(d);
  std::vector<std::string> subdirs;
  while (const dirent* e = ::readdir(d)) {
    const char* name = e->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    const std::size_t len = std::strlen(name);
    const bool jsonl = len > 6 && std::memcmp(name + len - 6, ".jsonl", 6) == 0;
    if (e->d_type == DT_DIR) {
      subdirs.push_back(dir + "/" + name);
      continue;
    }
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
    if (!jsonl && e->d_type != DT_UNKNOWN) continue;
    struct stat st {};
    if (::fstatat(fd, name, &st, 0) != 0) continue;  // a dangling link, or gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      // DT_UNKNOWN file systems: a real folder is walked, a symlinked one is not.
      struct stat lst {};
      if (e->d_type == DT_UNKNOWN && ::fstatat(fd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISDIR(lst.st_mode))
        subdirs.push_back(dir + "/" + name);
      continue;
    }
    if (jsonl && S_ISREG(st.st_mode)) out.push_back({dir + "/" + name, st});
  }
  ::closedir(d);
  if (depth > 64) return;  // a loop through bind mounts; the files found so far stand
  for (const auto& sub : subdirs) list_jsonl(sub, out, warnings, depth + 1);
}

// list_jsonl with the folders right below `dir` shared by two threads: a walk is system
// calls (a readdir per folder, a stat per file). Results are merged in folder order, so
// they do not depend on timing.
void list_jsonl_two_threads(const std::string& dir, std::vector<Listed>& out,
                            std::vector<std::string>& warnings) {
  std::vector<std::string> subdirs;
  {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      warnings.push_back("cannot list " + dir + ": " + std::strerror(errno));
      return;
    }
    bool plain = true;  // only folders here, and readdir says which: else the one-thread walk
    while (const dirent* e = ::readdir(d)) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      if (e->d_type == DT_DIR)
        subdirs.push_back(dir + "/" + name);
      else
        plain = false;
    }
    ::closedir(d);
    constexpr std::size_t kThreadsFrom = 16;
    if (!plain || subdirs.size() < kThreadsFrom) {
      list_jsonl(dir, out, warnings);
      return;
    }
  }
  struct Part {
    std::vector<Listed> listed;
    std::vector<std::string> warnings;
  };
  std::vector<Part> parts(subdirs.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < subdirs.size();)
      list_jsonl(subdirs[i], parts[i].listed, parts[i].warnings, 1);
  };
  std::thread helper(work);
  work();
  helper.join();
  for (Part& p : parts) {
    for (Listed& l : p.listed) out.push_back(std::move(l));
    for (std::string& w : p.warnings) warnings.push_back(std::move(w));
  }
}

// The path's names between slashes (no empty ones), as std::filesystem::path iterates
// them, without its per-component allocations (thousands of files per scan).
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

std::string join(const std::vector<std::string_view>& parts, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string expand_home(const std::string& path, const std::string& home) {
  if (home.empty()) return path;
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return (fs::path(home) / path.substr(2)).string();
  return path;
}

void describe_claude_path(DiscoveredFile& f) {
  std::string_view rel = f.path;
  if (!f.data_dir.empty() && rel.size() > f.data_dir.size() && rel.starts_with(f.data_dir) &&
      rel[f.data_dir.size()] == '/')
    rel.remove_prefix(f.data_dir.size() + 1);
  const std::vector<std::string_view> r = components(rel);
  std::string_view stem = r.empty() ? std::string_view() : r.back();
  if (stem.size() > 6 && stem.ends_with(".jsonl")) stem.remove_suffix(6);
  f.project_dir = r.size() >= 2 ? std::string(r.front()) : std::string();
  f.agent_id.clear();
  f.parent_session_id.clear();
  if (stem.starts_with("agent-")) f.agent_id = stem.substr(6);
  if (r.size() >= 4 && r[r.size() - 2] == "subagents") {
    f.parent_session_id = r[r.size() - 3];
  } else if (f.agent_id.empty()) {
    f.parent_session_id = stem;  // the session file itself
  }

  // ccusage: the first "projects" component of the whole path, then its own rules.
  const std::vector<std::string_view> parts = components(f.path);
  std::vector<std::string_view> rr;
  const auto at = std::find(parts.begin(), parts.end(), std::string_view("projects"));
  rr.assign(at == parts.end() ? parts.begin() : at + 1, parts.end());
  std::string_view file_sid = rr.empty() ? std::string_view() : rr.back();
  if (file_sid.ends_with(".jsonl"))
    file_sid.remove_suffix(6);
  else
    file_sid = {};
  if (rr.size() == 2 && !file_sid.empty()) {
    f.ccusage_session_id = file_sid;
    f.ccusage_project = rr[0];
  } else if (rr.size() >= 4 && rr[rr.size() - 2] == "subagents") {
    f.ccusage_session_id = rr[rr.size() - 3];
    f.ccusage_project = rr.size() == 3 ? std::string("Unknown Project") : join(rr, rr.size() - 3);
    if (f.ccusage_project.empty()) f.ccusage_project = "Unknown Project";
  } else {
    f.ccusage_session_id =
        rr.size() >= 2 ? rr[rr.size() - 2] : (rr.size() == 1 ? rr[0] : std::string_view("unknown"));
    f.ccusage_project = rr.size() > 2 ? join(rr, rr.size() - 2) : std::string("Unknown Project");
  }
}

Discovery discover_session_files(const DiscoveryOptions& opts) {
  Discovery d;
  const bool env = opts.use_process_env;
  const std::string home = env_or(opts.home, "HOME", env);
  if (opts.claude) {
    if (!opts.claude_dirs.empty()) {
      for (const auto& dir : opts.claude_dirs) add_root(d, Runtime::Claude, dir, home, "--claude-dir");
    } else if (const std::string ccd = env_or(opts.claude_config_dir, "CLAUDE_CONFIG_DIR", env);
               !trim(ccd).empty()) {
      for (const auto& dir : split_commas(ccd)) add_root(d, Runtime::Claude, dir, home, "CLAUDE_CONFIG_DIR");
    } else {
      std::string xdg = env_or(opts.xdg_config_home, "XDG_CONFIG_HOME", env);
      if (xdg.empty() && !home.empty()) xdg = home + "/.config";
      if (!xdg.empty()) add_root(d, Runtime::Claude, xdg + "/claude", home, "default");
      if (!home.empty()) add_root(d, Runtime::Claude, home + "/.claude", home, "default");
    }
  }
  if (opts.codex) {
    if (!opts.codex_dirs.empty()) {
      for (const auto& dir : opts.codex_dirs) add_root(d, Runtime::Codex, dir, home, "--codex-dir");
    } else if (const std::string ch = env_or(opts.codex_home, "CODEX_HOME", env); !trim(ch).empty()) {
      add_root(d, Runtime::Codex, trim(ch), home, "CODEX_HOME");
    } else if (!home.empty()) {
      add_root(d, Runtime::Codex, home + "/.codex", home, "default");
    }
  }

  // The same folder reached twice (a symlink, a repeated flag) is listed once.
  std::set<std::string> seen_dirs, seen_files;
  for (auto& root : d.roots) {
    if (!root.exists) continue;
    std::error_code ec;
    const std::string canon = fs::weakly_canonical(root.data_dir, ec).string();
    if (!seen_dirs.insert(ec ? root.data_dir : canon).second) continue;
    std::vector<Listed> listed;
    if (opts.two_threads)
      list_jsonl_two_threads(root.data_dir, listed, d.warnings);
    else
      list_jsonl(root.data_dir, listed, d.warnings);
    for (auto& [p, st] : listed) {
      if (!seen_files.insert(p).second) continue;
      DiscoveredFile f;
      f.kind = root.runtime == Runtime::Claude ? FileKind::ClaudeTranscript : FileKind::CodexRollout;
      f.path = std::move(p);
      f.data_dir = root.data_dir;
      f.size = st.st_size;
      f.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
      f.inode = st.st_ino;
      f.device = st.st_dev;
      if (root.runtime == Runtime::Claude) describe_claude_path(f);
      ++root.files;
      d.files.push_back(std::move(f));
    }
  }
  // Sorted through an index: a DiscoveredFile is large, and each swap moved all its strings.
  std::vector<std::uint32_t> idx(d.files.size());
  for (std::uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) { return d.files[a].path < d.files[b].path; });
  std::vector<DiscoveredFile> sorted;
  sorted.reserve(d.files.size());
  for (std::uint32_t i : idx) sorted.push_back(std::move(d.files[i]));
  d.files = std::move(sorted);
  return d;
}

}  // namespace costdeck::sources
