#pragma once
// Each subcommand family lives in its own file and registers itself here. A handler
// returns the process exit status.

#include <functional>

namespace CLI {
class App;
}

namespace costdeck::app {

struct CommonOptions;
using Handler = std::function<int()>;

// Each add_* attaches its subcommands to `parent` and sets `*run` to the handler when the
// subcommand is chosen.
void add_report_commands(CLI::App* report, CommonOptions& o, Handler* run);      // cmd_report.cpp
void add_run_report_commands(CLI::App* report, CommonOptions& o, Handler* run);  // cmd_report_runs.cpp
void add_ingest_command(CLI::App* root, CommonOptions& o, Handler* run);         // cmd_ingest.cpp
// For commands that scan once and exit: freed memory stays with the process for the rest of
// the run instead of going back to the system and coming back zeroed (cmd_ingest.cpp).
void keep_freed_memory();
void add_record_commands(CLI::App* root, CommonOptions& o, Handler* run);        // cmd_record.cpp
void add_gui_commands(CLI::App* root, CommonOptions& o, Handler* run);           // cmd_gui.cpp
// report blocks, report budgets, statusline
void add_live_commands(CLI::App* root, CLI::App* report, CommonOptions& o, Handler* run);  // cmd_live.cpp

}  // namespace costdeck::app
