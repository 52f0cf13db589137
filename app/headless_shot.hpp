#pragma once
// `costdeck screenshot` and "Save PNG": draw the app (or one panel) off-screen from a
// snapshot and write a PNG. Deterministic for the same snapshot, size and theme.

#include <string>

#include "app/headless.hpp"
#include "core/snapshot.hpp"
#include "panels/panel.hpp"

namespace costdeck::app {

struct ShotOptions {
  int width = 1440, height = 900;  // pixels at 1x
  float scale = 1.0f;              // 2: twice the pixels, same layout
  ui::Theme theme = ui::Theme::Dark;
  ui::View view = ui::View::Dashboard;
  std::string panel;  // non-empty: only this panel, filling the image
};

// Renders in the GL context current on this thread. `registry` (optional) receives what
// the last frame drew.
Image render_app(const Snapshot& snap, const ui::AppState& base, const ShotOptions& o,
                 ui::FrameRegistry* registry = nullptr);

// "1440x900" -> width, height; false on anything else (or sizes outside 200..8192).
bool parse_size(const std::string& s, int* w, int* h);

}  // namespace costdeck::app
