#pragma once
// The desktop window: GLFW + OpenGL 3 + ImGui, drawing the newest snapshot. It sleeps in
// glfwWaitEvents until input or the worker's wake-up arrives, so an idle window costs ~0 CPU.

#include <functional>
#include <memory>

#include "core/worker.hpp"

namespace costdeck::app {

struct WindowOptions {
  WorkerOptions worker;
  ViewFilter filter;           // initial filter (from settings, overridden by the command line)
  bool filter_from_cli = false;
  bool demo = false;           // the worker already points at demo data
  bool compact = false;        // start as the narrow always-on-top window (--compact)
  // Builds worker options for the demo when the first-run screen asks for it.
  std::function<WorkerOptions()> make_demo;
};

// Returns the process exit status; prints a clear message when no display is available.
int run_window(WindowOptions opts);

}  // namespace costdeck::app
