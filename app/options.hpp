#pragma once
// Options shared by several subcommands, so every command spells them the same way.

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace costdeck::app {

struct CommonOptions {
  // Where data comes from.
  std::string db;                        // --db PATH (else COSTDECK_DB, else XDG default)
  std::vector<std::string> claude_dirs;  // --claude-dir DIR (repeatable)
  std::vector<std::string> codex_dirs;   // --codex-dir DIR (repeatable)
  bool no_scan = false;                  // --no-scan: report from the store only
  // How numbers are computed and shown.
  std::string timezone;           // --timezone TZ (empty: local)
  std::string mode = "auto";      // --mode auto|calculate|display
  std::string compat;             // --compat ccusage
  std::string since, until;       // --since/--until YYYY-MM-DD (inclusive, in the time zone)
  std::string runtime = "all";    // --runtime claude|codex|all
  std::string project, model, tier;  // filters
  bool json = false;              // --json
  std::string now;                // --now ISO-8601: pins the clock (tests, screenshots)
  std::string config;             // --config PATH (else XDG default)
};

// --db, --claude-dir, --codex-dir, --no-scan, --config
void add_source_options(CLI::App* cmd, CommonOptions& o);
// --timezone, --mode, --compat, --since, --until, --runtime, --project, --model, --tier, --json, --now
void add_filter_options(CLI::App* cmd, CommonOptions& o);

}  // namespace costdeck::app
