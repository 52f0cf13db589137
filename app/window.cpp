#include "app/window.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "app/headless_shot.hpp"
#include "app/notify.hpp"
#include "app/settings.hpp"
#include "app/stop_signals.hpp"
#include "panels/export.hpp"
#include "panels/panel.hpp"

namespace costdeck::app {

namespace {

std::int64_t clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void glfw_error(int code, const char* msg) { std::fprintf(stderr, "costdeck: GLFW error %d: %s\n", code, msg); }

// The full window and the compact one share the GLFW window: switching remembers where
// the one being left was and restores the other's place; the compact one floats on top.
void remember_place(GLFWwindow* win, bool compact, Settings& s) {
  // A minimised window reports no useful place; keep the last one.
  if (glfwGetWindowAttrib(win, GLFW_ICONIFIED)) return;
  if (compact) {
    glfwGetWindowPos(win, &s.compact_x, &s.compact_y);
    glfwGetWindowSize(win, &s.compact_width, &s.compact_height);
    return;
  }
  s.maximized = glfwGetWindowAttrib(win, GLFW_MAXIMIZED) != 0;
  if (!s.maximized) {
    glfwGetWindowPos(win, &s.x, &s.y);
    glfwGetWindowSize(win, &s.width, &s.height);
  }
}

void enter_place(GLFWwindow* win, bool compact, const Settings& s) {
  if (compact) {
    if (glfwGetWindowAttrib(win, GLFW_MAXIMIZED)) glfwRestoreWindow(win);
    glfwSetWindowAttrib(win, GLFW_FLOATING, GLFW_TRUE);
    glfwSetWindowSize(win, s.compact_width, s.compact_height);
    if (s.compact_x >= 0 && s.compact_y >= 0) glfwSetWindowPos(win, s.compact_x, s.compact_y);
    return;
  }
  glfwSetWindowAttrib(win, GLFW_FLOATING, GLFW_FALSE);
  glfwSetWindowSize(win, s.width, s.height);
  if (s.x >= 0 && s.y >= 0) glfwSetWindowPos(win, s.x, s.y);
  if (s.maximized) glfwMaximizeWindow(win);
}

// Everything the settings file keeps, taken from the window and the state as they are now.
void capture_settings(GLFWwindow* win, const ui::AppState& st, Settings& s) {
  remember_place(win, st.compact, s);
  s.view = ui::view_name(st.view);
  s.theme = ui::theme_name(st.theme);
  s.range = range_name(st.filter.range);
  s.from = st.filter.from;
  s.to = st.filter.to;
  s.timezone = st.filter.timezone;
}

// Moves and resizes arrive in glfwPollEvents / glfwWaitEvents on this thread; the loop
// writes the place once the timer says so.
void on_place_changed(GLFWwindow* win) {
  if (auto* timer = static_cast<PlaceSaveTimer*>(glfwGetWindowUserPointer(win)))
    timer->changed(glfwGetTime());
}

}  // namespace

int run_window(WindowOptions opts) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "costdeck: no display available for the window (is DISPLAY or WAYLAND_DISPLAY set?).\n"
                 "Use `costdeck report ...` on the command line, or `costdeck screenshot --out FILE.png` "
                 "to draw the views without a display.\n");
    return 1;
  }
  const std::string settings_path = default_settings_path();
  std::string warning;
  Settings settings = load_settings(settings_path, &warning);
  if (!warning.empty()) std::fprintf(stderr, "costdeck: %s\n", warning.c_str());

  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  bool compact = opts.compact;
  if (settings.maximized && !compact) glfwWindowHint(GLFW_MAXIMIZED, GLFW_TRUE);
  if (compact) glfwWindowHint(GLFW_FLOATING, GLFW_TRUE);
  GLFWwindow* win = glfwCreateWindow(compact ? settings.compact_width : settings.width,
                                     compact ? settings.compact_height : settings.height,
                                     opts.demo ? "costdeck — demo" : "costdeck", nullptr, nullptr);
  if (!win) {
    std::fprintf(stderr, "costdeck: could not create an OpenGL 3.3 window.\n");
    glfwTerminate();
    return 1;
  }
  if (compact) {
    if (settings.compact_x >= 0 && settings.compact_y >= 0) glfwSetWindowPos(win, settings.compact_x, settings.compact_y);
  } else if (settings.x >= 0 && settings.y >= 0 && !settings.maximized) {
    glfwSetWindowPos(win, settings.x, settings.y);
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);

  float xs = 1, ys = 1;
  glfwGetWindowContentScale(win, &xs, &ys);
  const float scale = std::max(1.0f, std::max(xs, ys));

  IMGUI_CHECKVERSION();
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // our own settings file remembers what matters
  ui::AppState st;
  st.scale = scale;
  st.compact = compact;
  st.filter = opts.filter;
  if (!opts.filter_from_cli) {
    parse_range(settings.range == "custom" ? settings.from + ".." + settings.to : settings.range, &st.filter);
    st.filter.timezone = settings.timezone;
  }
  if (auto v = ui::view_from_name(settings.view)) st.view = *v;
  ui::theme_from_name(settings.theme, &st.theme);
  ui::load_fonts(scale);
  ui::apply_theme(st.theme, scale);
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  // A finished export leaves its message for the status line; the idle loop must wake to show it.
  ui::set_export_wake([] { glfwPostEmptyEvent(); });
  // The export buttons' tooltip names the folder; it is looked up once, off this thread.
  ui::resolve_export_dir();

  // The place is written while the window runs too, not only on a normal close, so a
  // crash or a killed session does not lose where the window was.
  SettingsWriter writer(settings_path);
  PlaceSaveTimer place_timer;
  glfwSetWindowUserPointer(win, &place_timer);
  glfwSetWindowPosCallback(win, [](GLFWwindow* w, int, int) { on_place_changed(w); });
  glfwSetWindowSizeCallback(win, [](GLFWwindow* w, int, int) { on_place_changed(w); });
  auto stop_signals = std::make_unique<StopSignals>([] { glfwPostEmptyEvent(); });

  // Budget crossings leave the window too (desktop notification, the budget's command);
  // never for demo data, whose budgets are made up.
  if (!opts.demo && !opts.worker.on_notice)
    opts.worker.on_notice = [](const live::BudgetNotice& n) { notify_crossing(n); };
  auto worker = std::make_unique<Worker>(opts.worker);
  worker->set_wake([] { glfwPostEmptyEvent(); });
  worker->start(st.filter);
  // The first-run screen's "Open the demo data", written on a thread of its own.
  std::future<WorkerOptions> demo_ready;
  std::thread demo_thread;
  ViewFilter requested = st.filter;
  ui::Theme applied_theme = st.theme;
  std::uint64_t drawn_version = 0;
  int frames_left = 3;  // ImGui settles hover/layout over a couple of frames after an event

  while (!glfwWindowShouldClose(win) && !StopSignals::requested()) {
    if (frames_left > 0) {
      glfwPollEvents();
    } else {
      // Sleep until input, a wake from the worker, a place to write, or a minute
      // (relative times move on).
      glfwWaitEventsTimeout(std::max(0.01, place_timer.wait_seconds(glfwGetTime(), 60.0)));
      frames_left = 2;
    }
    if (StopSignals::requested()) break;
    SnapshotPtr snap = worker->latest();
    if (snap && snap->version != drawn_version) {
      drawn_version = snap->version;
      frames_left = std::max(frames_left, 2);
    }
    st.now_ms = opts.worker.pinned_now_ms ? opts.worker.pinned_now_ms : clock_ms();

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    ui::draw_app(snap.get(), st);
    ImGui::Render();
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(win, &fw, &fh);
    glViewport(0, 0, fw, fh);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(win);
    --frames_left;
    // Keep drawing while the user is interacting (held buttons, open popups, text input).
    if (ImGui::IsAnyItemActive() || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) frames_left = std::max(frames_left, 1);

    if (!(st.filter == requested)) {
      requested = st.filter;
      worker->request(requested);
    }
    if (st.theme != applied_theme) {
      applied_theme = st.theme;
      ui::apply_theme(st.theme, scale);
      frames_left = 2;
    }
    if (st.want_refresh) {
      st.want_refresh = false;
      worker->refresh_now();
    }
    if (st.want_save_budgets) {
      worker->save_budgets(std::move(*st.want_save_budgets));
      st.want_save_budgets.reset();
    }
    if (st.want_compact) {
      st.want_compact = false;
      remember_place(win, st.compact, settings);
      st.compact = !st.compact;
      enter_place(win, st.compact, settings);
      frames_left = 3;
    }
    if (st.want_demo) {
      st.want_demo = false;
      // Writing the demo's files and store takes a while and touches the disk: a job does
      // it while the window keeps drawing, and wakes the loop when it is done.
      if (opts.make_demo && !demo_thread.joinable()) {
        std::promise<WorkerOptions> done;
        demo_ready = done.get_future();
        demo_thread = std::thread([make = opts.make_demo, done = std::move(done)]() mutable {
          try {
            done.set_value(make());
          } catch (...) {
            done.set_exception(std::current_exception());
          }
          glfwPostEmptyEvent();  // only now: the loop it wakes must find the result ready
        });
        st.status = "Writing the demo data…";
      }
    }
    if (demo_ready.valid() && demo_ready.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      demo_thread.join();  // it has at most the wake left to post
      std::optional<WorkerOptions> demo;
      try {
        demo = demo_ready.get();
      } catch (const std::exception& e) {
        st.status = std::string("Could not write the demo data: ") + e.what();
      }
      if (demo) {
        worker.reset();  // joins the old thread before the new one starts
        opts.worker = std::move(*demo);
        opts.worker.on_notice = nullptr;
        worker = std::make_unique<Worker>(opts.worker);
        worker->set_wake([] { glfwPostEmptyEvent(); });
        worker->start(st.filter);
        glfwSetWindowTitle(win, "costdeck — demo");
        st.status.clear();
      }
      frames_left = 2;
    }
    if (place_timer.due(glfwGetTime())) {
      capture_settings(win, st, settings);
      writer.save(settings);
      place_timer.saved(glfwGetTime());
    }
    if (st.capture && snap) {
      ui::CaptureRequest c = *st.capture;
      st.capture.reset();
      ShotOptions so;
      so.width = static_cast<int>(c.size.x);
      so.height = static_cast<int>(c.size.y);
      so.scale = c.scale;
      so.theme = st.theme;
      so.view = st.view;
      so.panel = c.panel_id;
      // The panel is drawn alone off-screen, in this GL context, then the window's
      // ImGui context is current again.
      Image img = render_app(*snap, st, so);
      ImGui::SetCurrentContext(ctx);
      // The pixels are ours now; encoding and writing them is the job's.
      if (img.width > 0) {
        save_png_async(std::move(img), png_file_name(c.panel_id, c.scale, std::time(nullptr)));
        st.status = "Saving PNG…";
      } else {
        st.status = "Could not save the PNG: off-screen rendering failed";
      }
      frames_left = 2;
    }
  }

  // Remember where the window was and what it showed (written by the time `writer` is gone).
  capture_settings(win, st, settings);
  writer.save(settings);

  if (demo_thread.joinable()) demo_thread.join();  // it posts to GLFW when done
  worker.reset();
  stop_signals.reset();  // its thread calls into GLFW: gone before GLFW is
  // A job may have taken the old wake just before it was cleared: let it finish while GLFW
  // is still there to post to.
  ui::set_export_wake(nullptr);
  ui::wait_exports();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ui::forget_context(ctx);
  ImGui::DestroyContext(ctx);
  glfwDestroyWindow(win);
  glfwTerminate();
  return 0;
}

}  // namespace costdeck::app
