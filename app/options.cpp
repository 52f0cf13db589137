#include "app/options.hpp"

#include <CLI/CLI.hpp>

namespace costdeck::app {

void add_source_options(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--db", o.db, "SQLite store (default: $COSTDECK_DB or $XDG_DATA_HOME/costdeck/costdeck.db)");
  cmd->add_option("--claude-dir", o.claude_dirs,
                  "Claude Code config folder holding projects/ (repeatable; default: $CLAUDE_CONFIG_DIR, "
                  "~/.config/claude, ~/.claude)");
  cmd->add_option("--codex-dir", o.codex_dirs,
                  "Codex home holding sessions/ (repeatable; default: $CODEX_HOME or ~/.codex)");
  cmd->add_flag("--no-scan", o.no_scan, "Do not read session files; use what the store already has");
  cmd->add_option("--config", o.config, "Config file (default: $XDG_CONFIG_HOME/costdeck/config.json)");
}

void add_filter_options(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--timezone,-z", o.timezone, "IANA time zone for days and months (default: local)");
  cmd->add_option("--mode", o.mode, "Cost mode")->check(CLI::IsMember({"auto", "calculate", "display"}));
  cmd->add_option("--compat", o.compat, "Reproduce another tool's rules")->check(CLI::IsMember({"ccusage"}));
  cmd->add_option("--since", o.since, "First day (YYYY-MM-DD or YYYYMMDD), inclusive");
  cmd->add_option("--until", o.until, "Last day (YYYY-MM-DD or YYYYMMDD), inclusive");
  cmd->add_option("--runtime", o.runtime, "Which agents")->check(CLI::IsMember({"claude", "codex", "all"}));
  cmd->add_option("--project", o.project, "Only this project (path substring)");
  cmd->add_option("--model", o.model, "Only models containing this text");
  cmd->add_option("--tier", o.tier, "Only this tier");
  cmd->add_flag("--json", o.json, "Machine-readable JSON");
  cmd->add_option("--now", o.now, "Pin the clock (ISO 8601), for reproducible output");
}

}  // namespace costdeck::app
