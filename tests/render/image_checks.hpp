#pragma once
// Pixel checks and PNG output shared by the render tests.

#include <imgui.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "app/png.hpp"

namespace costdeck::test {

// Distinct colours on a 2-pixel grid: a blank or single-colour image has very few.
inline std::size_t distinct_colours(const app::Image& img) {
  std::set<std::uint32_t> c;
  for (int y = 0; y < img.height; y += 2)
    for (int x = 0; x < img.width; x += 2) c.insert(img.pixel(x, y));
  return c.size();
}

// Pixels close to `colour` (anti-aliasing and blending shift exact values a little).
inline std::size_t count_colour(const app::Image& img, ImU32 colour, int tolerance = 6) {
  auto ch = [](std::uint32_t v, int s) { return static_cast<int>((v >> s) & 0xFF); };
  std::size_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      std::uint32_t p = img.pixel(x, y);
      if (std::abs(ch(p, 0) - ch(colour, 0)) <= tolerance && std::abs(ch(p, 8) - ch(colour, 8)) <= tolerance &&
          std::abs(ch(p, 16) - ch(colour, 16)) <= tolerance)
        ++n;
    }
  return n;
}

// Writes the image under the build's render-out folder, for a person to look at.
inline void save(const app::Image& img, const std::string& name) {
  std::filesystem::create_directories(COSTDECK_RENDER_OUT);
  std::string err;
  app::write_png(std::string(COSTDECK_RENDER_OUT) + "/" + name + ".png", img, &err);
}

}  // namespace costdeck::test
