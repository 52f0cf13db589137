#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/commands.hpp"
#include "app/gui_entry.hpp"
#include "app/options.hpp"

int main(int argc, char** argv) {
  using namespace costdeck::app;
  remember_args(argc, argv);
#ifdef COSTDECK_GUI_BINARY
  set_gui_entry(in_process_gui_entry());
#endif
  CLI::App root{"costdeck: cost and performance of AI coding agents"};
  root.set_version_flag("--version", "costdeck 0.1.0");
  CommonOptions opts;
  Handler run;

  auto* report = root.add_subcommand("report", "Print a report (table, or JSON with --json)");
  report->require_subcommand(1);
  add_report_commands(report, opts, &run);
  add_run_report_commands(report, opts, &run);
  add_live_commands(&root, report, opts, &run);
  add_ingest_command(&root, opts, &run);
  add_record_commands(&root, opts, &run);
  add_gui_commands(&root, opts, &run);  // also claims the no-subcommand case: the window

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 uses exit code 0 for --help; bad arguments are usage errors: 2.
    int rc = root.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    return run ? run() : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "costdeck: %s\n", e.what());
    return 1;
  }
}
