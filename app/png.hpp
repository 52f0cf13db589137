#pragma once
// RGBA images read back from OpenGL, and their PNG encoding (stb_image_write from libstb).

#include <cstdint>
#include <string>
#include <vector>

namespace costdeck::app {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // top row first, 4 bytes per pixel
  std::uint32_t pixel(int x, int y) const;  // 0xAABBGGRR, as ImU32
};

// Writes `img` as PNG; false with a message in *error on failure.
bool write_png(const std::string& path, const Image& img, std::string* error);
// Encodes to memory (tests compare bytes for determinism).
std::vector<std::uint8_t> encode_png(const Image& img);

}  // namespace costdeck::app
