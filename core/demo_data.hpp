#pragma once
// Demo data for `costdeck --demo` and the README screenshots: a month of believable
// Claude Code transcripts, Codex rollouts and orchestrator runs, generated (deterministic
// for a seed and a clock) into a temporary folder and store, so every view has something
// to show and the normal ingest path is what reads it.

#include <cstdint>
#include <string>

#include "core/config.hpp"

namespace costdeck::demo {

struct DemoOptions {
  std::int64_t now_ms = 0;  // the data ends here; 0: the clock
  int days = 75;  // two full months: "this month vs last month" means something
  std::uint32_t seed = 42;
};

struct DemoData {
  std::string root;        // the temporary folder (the caller may delete it)
  std::string claude_dir;  // holds projects/
  std::string codex_dir;   // holds sessions/
  std::string db_path;     // the store, with recorded runs already in it
  Config config;           // tier rules and budgets that suit the data
};

// Creates a fresh folder under $TMPDIR (or /tmp). Throws std::runtime_error on I/O errors.
DemoData write_demo(const DemoOptions& opts);
// The tier rules and budgets the demo uses (also usable in tests).
Config demo_config();

}  // namespace costdeck::demo
