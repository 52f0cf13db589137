#pragma once
// RGBA images read back from OpenGL, their PNG encoding (stb_image_write from libstb), and
// the background job that saves them.

#include <cstdint>
#include <ctime>
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

// Where "Save PNG" writes: $XDG_PICTURES_DIR, else ~/Pictures if it exists, else the home
// folder. It asks the filesystem, so only the save job calls it.
std::string default_pictures_dir();
// costdeck-<panel id, dots as dashes>-<local time of `t`>[@2x].png
std::string png_file_name(const std::string& panel, float scale, std::time_t t);
// "Save PNG": encodes `img` and writes <dir>/<file_name> (a temporary name, then a rename) on
// a background job, so neither the encoding nor a slow disk holds up a frame; an empty `dir`
// is default_pictures_dir(), resolved on the job. "Saved /path" or "Could not save the PNG:
// ..." comes back through ui::take_export_status, with the export wake hook.
void save_png_async(Image img, std::string file_name, std::string dir = "");

}  // namespace costdeck::app
