#pragma once
// Where session files live: the roots we look at and every transcript/rollout below them.

#include <cstdint>
#include <string>
#include <vector>

#include "core/sources/session_file.hpp"

namespace costdeck::sources {

struct DiscoveryOptions {
  std::vector<std::string> claude_dirs;  // --claude-dir (repeatable); empty: environment/defaults
  std::vector<std::string> codex_dirs;   // --codex-dir (repeatable)
  bool claude = true, codex = true;
  // Environment, overridable for tests. Empty strings mean "unset".
  std::string home;                // default: $HOME
  std::string claude_config_dir;   // default: $CLAUDE_CONFIG_DIR
  std::string xdg_config_home;     // default: $XDG_CONFIG_HOME
  std::string codex_home;          // default: $CODEX_HOME
  bool use_process_env = true;     // read the variables above from the environment when empty
  // Walk the folders below each root on two threads (when there are many): for a first scan,
  // when nothing else wants the second core yet.
  bool two_threads = false;
};

struct LookedAtRoot {
  Runtime runtime = Runtime::Claude;
  std::string root;        // the config dir as given (after ~ expansion)
  std::string data_dir;    // root/projects or root/sessions
  std::string origin;      // "--claude-dir", "CLAUDE_CONFIG_DIR", "default", ...
  bool exists = false;     // data_dir is a directory
  std::int64_t files = 0;  // session files found below it
};

struct DiscoveredFile {
  FileKind kind = FileKind::ClaudeTranscript;
  std::string path;
  std::string data_dir;  // the projects/ or sessions/ folder it was found under
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0, device = 0;  // identity, to notice a replaced file
  // Claude only, from the path below projects/:
  std::string project_dir;        // first folder below projects/ (cwd with non-alphanumerics as '-')
  std::string agent_id;           // X of agent-X.jsonl (2.0.x sibling or 2.1.x subagents/)
  std::string parent_session_id;  // S of S/subagents/agent-X.jsonl, or S of S.jsonl
  // How ccusage 20.0.24 names this file's session and project (--compat ccusage groups by it).
  std::string ccusage_session_id, ccusage_project;
};

struct Discovery {
  std::vector<LookedAtRoot> roots;   // in the order looked at
  std::vector<DiscoveredFile> files;  // sorted by path, no duplicates
  std::vector<std::string> warnings;  // unreadable folders and the like
};

Discovery discover_session_files(const DiscoveryOptions& opts = {});

// ~ and ~/... expanded against `home`.
std::string expand_home(const std::string& path, const std::string& home);

// Fills the Claude path-derived fields of `f` from f.path and f.data_dir.
void describe_claude_path(DiscoveredFile& f);

}  // namespace costdeck::sources
