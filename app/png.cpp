#include "app/png.hpp"

#include <stb_image_write.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace costdeck::app {

std::uint32_t Image::pixel(int x, int y) const {
  const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

namespace {
void append_bytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(ctx);
  auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}
}  // namespace

std::vector<std::uint8_t> encode_png(const Image& img) {
  std::vector<std::uint8_t> out;
  if (img.width <= 0 || img.height <= 0) return out;
  // Rows arrive top-first already (the renderer flips them), so no vertical flip here.
  stbi_flip_vertically_on_write(0);
  stbi_write_png_to_func(append_bytes, &out, img.width, img.height, 4, img.rgba.data(), img.width * 4);
  return out;
}

bool write_png(const std::string& path, const Image& img, std::string* error) {
  std::vector<std::uint8_t> bytes = encode_png(img);
  if (bytes.empty()) {
    if (error) *error = "could not encode a " + std::to_string(img.width) + "x" + std::to_string(img.height) + " image";
    return false;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    if (error) *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok && error) *error = "short write to " + path;
  return ok;
}

}  // namespace costdeck::app
