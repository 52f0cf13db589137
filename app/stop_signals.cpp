#include "app/stop_signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace costdeck::app {

namespace {

// What the handler touches: lock-free atomics only.
std::atomic<bool> g_requested{false};
std::atomic<int> g_write_fd{-1};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

constexpr int kSignals[] = {SIGINT, SIGTERM};
struct sigaction g_previous[2];

void on_stop_signal(int sig) {
  if (g_requested.exchange(true)) {
    // Asked twice: the close did not finish, so stop being polite.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  const int saved = errno;  // the interrupted code may be about to read errno
  const int fd = g_write_fd.load();
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved;
}

}  // namespace

StopSignals::StopSignals(std::function<void()> on_signal) : on_signal_(std::move(on_signal)) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) return;
  g_requested = false;
  g_write_fd = pipe_[1];
  thread_ = std::thread([this] {
    char byte = 0;
    for (;;) {
      ssize_t n = ::read(pipe_[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      // A byte of 0 (or a closed pipe) is the destructor asking the thread to end.
      if (n <= 0 || byte == 0) return;
      if (on_signal_) on_signal_();
    }
  });
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // other threads' reads and writes carry on undisturbed
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
  installed_ = true;
}

StopSignals::~StopSignals() {
  if (!installed_) return;
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  g_write_fd = -1;
  const char stop = 0;
  [[maybe_unused]] ssize_t n = ::write(pipe_[1], &stop, 1);
  thread_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

bool StopSignals::requested() {
  return g_requested.load();
}

}  // namespace costdeck::app
