#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "app/options.hpp"

namespace costdeck::app {

// Placeholder until this command family is written.
void add_ingest_command(CLI::App*, CommonOptions&, Handler*) {}

}  // namespace costdeck::app
