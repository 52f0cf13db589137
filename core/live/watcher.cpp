#include "core/live/watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>

namespace costdeck::live {
namespace fs = std::filesystem;

namespace {
bool is_session_file_name(const char* name) {
  std::string_view n(name);
  return n.size() > 6 && n.substr(n.size() - 6) == ".jsonl";
}

constexpr std::uint32_t kMask =
    IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_ONLYDIR;
}

FileWatcher::FileWatcher(std::vector<std::string> roots) : roots_(std::move(roots)) {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  for (const auto& r : roots_) {
    std::error_code ec;
    if (fs::is_directory(r, ec))
      add_tree(r);
    else
      missing_.push_back(r);
  }
}

FileWatcher::~FileWatcher() {
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void FileWatcher::add_tree(const std::string& dir) {
  if (inotify_fd_ < 0 || overflowed_) return;
  auto add_one = [&](const std::string& d) {
    int wd = inotify_add_watch(inotify_fd_, d.c_str(), kMask);
    if (wd < 0) {
      if (errno == ENOSPC || errno == ENOMEM) overflowed_ = true;
      return;
    }
    dirs_[wd] = d;
  };
  add_one(dir);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end && !overflowed_; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) add_one(it->path().string());
  }
}

void FileWatcher::retry_missing_roots() {
  for (auto it = missing_.begin(); it != missing_.end();) {
    std::error_code ec;
    if (fs::is_directory(*it, ec)) {
      add_tree(*it);
      it = missing_.erase(it);
    } else {
      ++it;
    }
  }
}

bool FileWatcher::drain_events() {
  alignas(inotify_event) char buf[16384];
  bool changed = false;
  for (;;) {
    ssize_t n = read(inotify_fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        changed = true;  // events were lost: the caller's stat pass will find them
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        dirs_.erase(ev->wd);
        continue;
      }
      // Only session files and folders matter: agents also keep logs, caches and settings
      // under their roots, and those must not wake the ingest.
      if (ev->len > 0 && ((ev->mask & IN_ISDIR) || is_session_file_name(ev->name))) changed = true;
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len > 0) {
        auto it = dirs_.find(ev->wd);
        if (it != dirs_.end()) add_tree(it->second + "/" + ev->name);
      }
    }
  }
  return changed;
}

FileWatcher::Wake FileWatcher::wait(std::chrono::milliseconds timeout) {
  std::size_t missing_before = missing_.size();
  retry_missing_roots();
  if (missing_.size() != missing_before) return Wake::Changed;
  if (!using_inotify()) {
    pollfd p{wake_fd_, POLLIN, 0};
    int r = poll(&p, wake_fd_ >= 0 ? 1 : 0, static_cast<int>(timeout.count()));
    if (r > 0) {
      std::uint64_t v;
      [[maybe_unused]] auto n = read(wake_fd_, &v, sizeof v);
      return Wake::Woken;
    }
    return Wake::Changed;
  }
  pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  int r = poll(fds, 2, static_cast<int>(timeout.count()));
  if (r <= 0) return Wake::Timeout;
  if (fds[1].revents & POLLIN) {
    std::uint64_t v;
    [[maybe_unused]] auto n = read(wake_fd_, &v, sizeof v);
    drain_events();
    return Wake::Woken;
  }
  return drain_events() ? Wake::Changed : Wake::Timeout;
}

void FileWatcher::wake() {
  std::uint64_t one = 1;
  if (wake_fd_ >= 0) [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

}  // namespace costdeck::live
