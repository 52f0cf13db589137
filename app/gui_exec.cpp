// In `costdeck` (the command-line binary): the window and screenshots run in costdeck-gui,
// found next to this binary, with the same arguments.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "app/gui_entry.hpp"

namespace costdeck::app {

namespace {

int exec_gui() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string gui = (ec ? std::filesystem::path(".") : self.parent_path()) / "costdeck-gui";
  char** args = remembered_args();
  if (!args || !args[0]) {
    std::fprintf(stderr, "costdeck: internal error: arguments not kept for costdeck-gui\n");
    return 1;
  }
  args[0] = const_cast<char*>(gui.c_str());
  ::execv(gui.c_str(), args);
  std::fprintf(stderr, "costdeck: cannot start the window program %s: %s (it is built beside costdeck)\n",
               gui.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace

GuiEntry exec_gui_entry() {
  GuiEntry e;
  e.window = [](const CommonOptions&, const GuiFlags&) { return exec_gui(); };
  e.screenshot = [](const CommonOptions&, const GuiFlags&) { return exec_gui(); };
  return e;
}

}  // namespace costdeck::app
