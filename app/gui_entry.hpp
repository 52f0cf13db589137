#pragma once
// The window and `costdeck screenshot` live in the costdeck-gui binary, the only one that
// links the GL, GLFW and X libraries: `costdeck record`, `report` and `statusline` start
// without loading them. `costdeck` itself runs these two by exec'ing costdeck-gui.

#include <string>

namespace costdeck::app {

struct CommonOptions;

struct GuiFlags {
  bool demo = false;
  bool compact = false;       // the narrow always-on-top window
  bool show_notices = false;  // screenshot: draw the budget notices too
  // screenshot
  std::string out, view = "dashboard", size = "1440x900", theme = "dark", range, panel;
  float scale = 1.0f;
};

// What runs the window and a screenshot. The default execs costdeck-gui (gui_exec.cpp);
// costdeck-gui's main sets the in-process one (cmd_gui.cpp) first.
struct GuiEntry {
  int (*window)(const CommonOptions& o, const GuiFlags& g) = nullptr;
  int (*screenshot)(const CommonOptions& o, const GuiFlags& g) = nullptr;
};
void set_gui_entry(GuiEntry e);
GuiEntry exec_gui_entry();        // gui_exec.cpp
GuiEntry in_process_gui_entry();  // cmd_gui.cpp, only in costdeck-gui

// main() keeps its arguments here, so `costdeck` can hand them to costdeck-gui unchanged.
void remember_args(int argc, char** argv);
char** remembered_args();

}  // namespace costdeck::app
