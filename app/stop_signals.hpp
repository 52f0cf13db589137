#pragma once
// SIGINT and SIGTERM ask the window to close rather than end the process at once, so the
// normal close path runs (settings saved, worker joined). A signal handler may do almost
// nothing safely: it sets a flag and writes one byte to a pipe; a small thread waiting on
// the pipe then calls `on_signal` (the window passes glfwPostEmptyEvent, which is safe from
// any thread but not from a handler). A second signal while the first is being handled
// ends the process the default way, so a stuck shutdown can still be interrupted.

#include <functional>
#include <thread>

namespace costdeck::app {

class StopSignals {
 public:
  // Installs the handlers; only one instance may exist at a time.
  explicit StopSignals(std::function<void()> on_signal);
  ~StopSignals();  // restores the previous handlers and joins the thread
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool ok() const { return installed_; }  // false: the pipe could not be made (signals stay as they were)
  static bool requested();                // a signal arrived since the handlers were installed

 private:
  std::function<void()> on_signal_;
  int pipe_[2] = {-1, -1};
  bool installed_ = false;
  std::thread thread_;
};

}  // namespace costdeck::app
