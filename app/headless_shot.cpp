#include "app/headless_shot.hpp"

#include <cstdio>

namespace costdeck::app {

Image render_app(const Snapshot& snap, const ui::AppState& base, const ShotOptions& o, ui::FrameRegistry* registry) {
  const int w = static_cast<int>(o.width * o.scale);
  const int h = static_cast<int>(o.height * o.scale);
  OffscreenRenderer r(w, h, o.scale, o.theme);
  if (!r.ok()) return {};
  ui::AppState st = base;
  st.view = o.view;
  st.theme = o.theme;
  st.scale = o.scale;
  st.headless = true;
  st.solo_panel = o.panel;
  st.capture.reset();
  st.status.clear();
  if (!st.now_ms) st.now_ms = snap.now_ms;
  Image img = r.render([&] { ui::draw_app(&snap, st); }, 3);
  if (registry) *registry = ui::registry();
  return img;
}

bool parse_size(const std::string& s, int* w, int* h) {
  int a = 0, b = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &a, &x, &b, &extra) != 3 || (x != 'x' && x != 'X')) return false;
  if (a < 200 || b < 200 || a > 8192 || b > 8192) return false;
  *w = a;
  *h = b;
  return true;
}

}  // namespace costdeck::app
