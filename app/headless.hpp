#pragma once
// Drawing ImGui without a screen: an OpenGL context on Mesa's surfaceless EGL platform (no X
// server, no Wayland), and an off-screen renderer that draws frames into a framebuffer
// object and reads the pixels back. The renderer also works inside the window's context, so
// "Save PNG" and `costdeck screenshot` draw with the same code.

#include <functional>
#include <memory>
#include <string>

#include "app/png.hpp"
#include "panels/style.hpp"

struct ImGuiContext;

namespace costdeck::app {

class HeadlessGl {
 public:
  // nullptr with a readable reason in *error when EGL or desktop GL 3.3 is unavailable.
  static std::unique_ptr<HeadlessGl> create(std::string* error);
  ~HeadlessGl();
  HeadlessGl(const HeadlessGl&) = delete;
  HeadlessGl& operator=(const HeadlessGl&) = delete;

 private:
  HeadlessGl() = default;
  void* display_ = nullptr;
  void* context_ = nullptr;
};

// Owns an ImGui context (fonts at `scale`, the theme) and an FBO of width×height pixels
// in the GL context current at construction. Restores the previous ImGui context after
// each call.
class OffscreenRenderer {
 public:
  OffscreenRenderer(int width, int height, float scale, ui::Theme theme);
  ~OffscreenRenderer();
  OffscreenRenderer(const OffscreenRenderer&) = delete;
  OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

  bool ok() const { return fbo_ != 0; }
  // Runs `frames` ImGui frames (layouts such as tables and auto-sized windows settle over
  // two or three), rendering the last one, and returns its pixels.
  Image render(const std::function<void()>& draw_frame, int frames = 3);
  ImGuiContext* imgui() const { return ctx_; }
  float scale() const { return scale_; }

 private:
  int width_, height_;
  float scale_;
  ImGuiContext* ctx_ = nullptr;
  unsigned fbo_ = 0, color_ = 0;
};

}  // namespace costdeck::app
