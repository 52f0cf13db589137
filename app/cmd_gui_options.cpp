// The options of the window (no subcommand), `costdeck --demo`, and `costdeck screenshot`;
// what runs them is in gui_entry.hpp.
#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.hpp"
#include "app/gui_entry.hpp"
#include "app/options.hpp"

namespace costdeck::app {

namespace {
char** g_args = nullptr;
GuiEntry g_entry = exec_gui_entry();
}  // namespace

void set_gui_entry(GuiEntry e) {
  g_entry = e;
}

void remember_args(int /*argc*/, char** argv) {
  g_args = argv;
}

char** remembered_args() {
  return g_args;
}

void add_gui_commands(CLI::App* root, CommonOptions& o, Handler* run) {
  auto g = std::make_shared<GuiFlags>();
  // No subcommand: the window. Subcommands chosen on the command line replace this handler.
  add_source_options(root, o);
  root->add_flag("--demo", g->demo, "Open the app on generated demo data (a temporary store)");
  root->add_flag("--compact", g->compact, "Open the narrow always-on-top window (to sit beside a terminal)");
  *run = [&o, g] { return g_entry.window(o, *g); };

  auto* shot = root->add_subcommand("screenshot", "Draw a view headless (no display needed) and write a PNG");
  add_source_options(shot, o);
  add_filter_options(shot, o);
  shot->add_option("--out", g->out, "PNG file to write")->required();
  shot->add_option(
      "--view", g->view,
      "dashboard|live|costs|tiers|performance|runtimes|issues|sessions|activity|sources|settings|compact");
  shot->add_option("--size", g->size, "Image size at 1x, WIDTHxHEIGHT (default 1440x900; compact: 360x560)");
  shot->add_flag("--notices", g->show_notices, "Draw pending budget notices (toasts) too");
  shot->add_option("--theme", g->theme, "dark or light");
  shot->add_option("--range", g->range, "today|7d|30d|month|all|FROM..TO (default 30d)");
  shot->add_option("--panel", g->panel, "Only this panel (e.g. costs.daily), filling the image");
  shot->add_option("--scale", g->scale, "Pixel scale: 1 or 2")->check(CLI::Range(1.0f, 3.0f));
  shot->add_flag("--demo", g->demo, "Use generated demo data instead of the store");
  shot->callback([&o, g, run] { *run = [&o, g] { return g_entry.screenshot(o, *g); }; });
}

}  // namespace costdeck::app
