#include "app/headless.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>
#include <GL/glext.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cstring>

namespace costdeck::app {

namespace {

bool has_extension(const char* list, const char* name) {
  if (!list) return false;
  const std::size_t n = std::strlen(name);
  for (const char* p = list; (p = std::strstr(p, name)) != nullptr; p += n) {
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<HeadlessGl> HeadlessGl::create(std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<HeadlessGl> {
    if (error) *error = "headless OpenGL unavailable: " + why + " (needs Mesa's EGL with libgl1-mesa-dri)";
    return nullptr;
  };
  const char* client_ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_extension(client_ext, "EGL_MESA_platform_surfaceless"))
    return fail("EGL has no surfaceless platform (EGL_MESA_platform_surfaceless)");
  auto get_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (!get_display) return fail("eglGetPlatformDisplayEXT missing");
  EGLDisplay dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (dpy == EGL_NO_DISPLAY) return fail("no surfaceless display");
  EGLint major = 0, minor = 0;
  if (!eglInitialize(dpy, &major, &minor)) return fail("eglInitialize failed");
  if (!eglBindAPI(EGL_OPENGL_API)) {
    eglTerminate(dpy);
    return fail("desktop OpenGL API not supported by EGL");
  }
  const EGLint cfg_attrs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                              EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                              EGL_NONE};
  EGLConfig config = nullptr;
  EGLint count = 0;
  // Surfaceless contexts need no config, but some drivers want one; try both.
  if (!eglChooseConfig(dpy, cfg_attrs, &config, 1, &count) || count == 0) config = nullptr;
  const EGLint ctx_attrs[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                              EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
  EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctx_attrs);
  if (ctx == EGL_NO_CONTEXT) {
    eglTerminate(dpy);
    return fail("could not create an OpenGL 3.3 core context");
  }
  if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
    eglDestroyContext(dpy, ctx);
    eglTerminate(dpy);
    return fail("could not make the context current without a surface");
  }
  std::unique_ptr<HeadlessGl> gl(new HeadlessGl());
  gl->display_ = dpy;
  gl->context_ = ctx;
  return gl;
}

HeadlessGl::~HeadlessGl() {
  auto dpy = static_cast<EGLDisplay>(display_);
  eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(dpy, static_cast<EGLContext>(context_));
  eglTerminate(dpy);
}

OffscreenRenderer::OffscreenRenderer(int width, int height, float scale, ui::Theme theme)
    : width_(width), height_(height), scale_(scale) {
  ImGuiContext* prev = ImGui::GetCurrentContext();
  ctx_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(ctx_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // screenshots must not depend on, or change, saved layouts
  io.LogFilename = nullptr;
  io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
  io.DeltaTime = 1.0f / 60.0f;
  ui::load_fonts(scale);
  ui::apply_theme(theme, scale);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  GLint prev_fbo = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo);
  glGenFramebuffers(1, &fbo_);
  glGenRenderbuffers(1, &color_);
  glBindRenderbuffer(GL_RENDERBUFFER, color_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    glDeleteFramebuffers(1, &fbo_);
    glDeleteRenderbuffers(1, &color_);
    fbo_ = color_ = 0;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo));
  ImGui::SetCurrentContext(prev);
}

OffscreenRenderer::~OffscreenRenderer() {
  ImGuiContext* prev = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(ctx_);
  ImGui_ImplOpenGL3_Shutdown();
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (color_) glDeleteRenderbuffers(1, &color_);
  ui::forget_context(ctx_);
  ImGui::DestroyContext(ctx_);
  ImGui::SetCurrentContext(prev == ctx_ ? nullptr : prev);
}

Image OffscreenRenderer::render(const std::function<void()>& draw_frame, int frames) {
  Image img;
  if (!fbo_) return img;
  ImGuiContext* prev = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(ctx_);
  GLint prev_fbo = 0;
  GLint prev_viewport[4] = {0, 0, 0, 0};
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo);
  glGetIntegerv(GL_VIEWPORT, prev_viewport);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, width_, height_);
  for (int i = 0; i < frames; ++i) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = 1.0f / 60.0f;
    // Keep the mouse off-screen: no hover effects in screenshots.
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    draw_frame();
    ImGui::Render();
    if (i + 1 < frames) continue;
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  glFinish();
  img.width = width_;
  img.height = height_;
  img.rgba.resize(static_cast<std::size_t>(width_) * height_ * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  // OpenGL's rows run bottom-up; flip once here so every consumer sees top-first rows.
  const std::size_t row = static_cast<std::size_t>(width_) * 4;
  std::vector<std::uint8_t> tmp(row);
  for (int y = 0; y < height_ / 2; ++y) {
    std::uint8_t* a = &img.rgba[y * row];
    std::uint8_t* b = &img.rgba[(height_ - 1 - y) * row];
    std::memcpy(tmp.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, tmp.data(), row);
  }
  // The framebuffer's alpha is whatever blending left; a screenshot is opaque.
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo));
  glViewport(prev_viewport[0], prev_viewport[1], prev_viewport[2], prev_viewport[3]);
  ImGui::SetCurrentContext(prev);
  return img;
}

}  // namespace costdeck::app
