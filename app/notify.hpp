#pragma once
// What a budget crossing does outside the window: a desktop notification through
// `notify-send` where it exists, and the budget's own command with the figures in
// COSTDECK_BUDGET_* environment variables. Both are spawned and never waited for (a reaper
// thread collects them), so neither the worker nor the window ever blocks on them.

#include <string>
#include <vector>

#include "core/live/live_snapshot.hpp"

namespace costdeck::app {

// NAME=value pairs the budget's command gets (besides the inherited environment):
// COSTDECK_BUDGET_NAME, _UNIT, _PERIOD, _USED, _LIMIT, _PERCENT, _PROJECTED, _THRESHOLD, _STATUS.
std::vector<std::string> budget_command_env(const live::BudgetNotice& n);

// The executable's full path when it is on PATH; empty otherwise.
std::string find_in_path(const std::string& name);

struct NotifyOptions {
  bool desktop = true;   // notify-send, if found
  bool commands = true;  // the budget's command, if set
};

// Spawns what the notice calls for. Returns how many processes were started.
int notify_crossing(const live::BudgetNotice& n, const NotifyOptions& o = {});

// Starts `argv` with `extra_env` added to the environment, without waiting; false when it
// could not be started. The child is reaped on a detached thread.
bool spawn_detached(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

}  // namespace costdeck::app
