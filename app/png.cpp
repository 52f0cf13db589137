#include "app/png.hpp"

#include <stb_image_write.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "panels/export.hpp"

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

std::string default_pictures_dir() {
  if (const char* p = std::getenv("XDG_PICTURES_DIR"); p && *p) return p;
  if (const char* h = std::getenv("HOME"); h && *h) {
    std::error_code ec;
    const std::string pictures = std::string(h) + "/Pictures";
    return std::filesystem::is_directory(pictures, ec) ? pictures : h;
  }
  return ".";
}

std::string png_file_name(const std::string& panel, float scale, std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string name = panel;
  for (char& c : name)
    if (c == '.') c = '-';
  return "costdeck-" + name + "-" + stamp + (scale > 1 ? "@2x" : "") + ".png";
}

void save_png_async(Image img, std::string file_name, std::string dir) {
  ui::run_export_job([img = std::move(img), file_name = std::move(file_name), dir = std::move(dir)] {
    const std::string path = (dir.empty() ? default_pictures_dir() : dir) + "/" + file_name;
    const std::string tmp = path + ".part";
    std::string err;
    std::error_code ec;
    if (!write_png(tmp, img, &err)) {
      std::filesystem::remove(tmp, ec);
      return "Could not save the PNG: " + err;
    }
    std::filesystem::rename(tmp, path, ec);
    if (!ec) return "Saved " + path;
    std::string msg = "Could not save the PNG: cannot rename " + tmp + ": " + ec.message();
    std::filesystem::remove(tmp, ec);
    return msg;
  });
}

}  // namespace costdeck::app
