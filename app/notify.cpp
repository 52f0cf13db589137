#include "app/notify.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace costdeck::app {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::vector<std::string> budget_command_env(const live::BudgetNotice& n) {
  const bool usd = n.unit == live::BudgetUnit::Usd;
  auto amount = [&](double v) { return usd ? fixed(v, 2) : fixed(v, 0); };
  return {"COSTDECK_BUDGET_NAME=" + n.budget_name,
          std::string("COSTDECK_BUDGET_UNIT=") + live::budget_unit_name(n.unit),
          std::string("COSTDECK_BUDGET_PERIOD=") + live::budget_period_name(n.period),
          "COSTDECK_BUDGET_USED=" + amount(n.used),
          "COSTDECK_BUDGET_LIMIT=" + amount(n.limit),
          "COSTDECK_BUDGET_PERCENT=" + fixed(n.fraction * 100.0, 1),
          "COSTDECK_BUDGET_PROJECTED=" + amount(n.projected),
          "COSTDECK_BUDGET_THRESHOLD=" + number(n.threshold * 100.0),
          std::string("COSTDECK_BUDGET_STATUS=") + live::limit_status_name(n.status)};
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::string p = path;
  for (std::size_t a = 0; a <= p.size();) {
    std::size_t b = p.find(':', a);
    if (b == std::string::npos) b = p.size();
    std::string dir = b > a ? p.substr(a, b - a) : ".";
    std::string full = dir + "/" + name;
    struct stat sb {};
    if (::stat(full.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && ::access(full.c_str(), X_OK) == 0)
      return full;
    a = b + 1;
  }
  return {};
}

bool spawn_detached(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  if (argv.empty()) return false;
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    // Variables we set replace inherited ones of the same name.
    const char* eq = std::strchr(*e, '=');
    std::size_t len = eq ? static_cast<std::size_t>(eq - *e) : std::strlen(*e);
    bool replaced = false;
    for (const auto& x : extra_env)
      if (x.size() > len && x.compare(0, len, *e, len) == 0 && x[len] == '=') replaced = true;
    if (!replaced) env.emplace_back(*e);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // The child must not write into our terminal's stdin, nor keep it.
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a Ctrl-C meant for costdeck does not reach the user's command.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  std::thread([pid] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
  return true;
}

int notify_crossing(const live::BudgetNotice& n, const NotifyOptions& o) {
  int started = 0;
  if (o.desktop) {
    static const std::string notify_send = find_in_path("notify-send");
    if (!notify_send.empty()) {
      const char* urgency = n.threshold >= 1.0 ? "critical" : "normal";
      if (spawn_detached(
              {notify_send, "--app-name=costdeck", std::string("--urgency=") + urgency, n.title, n.body}))
        ++started;
    }
  }
  if (o.commands && !n.command.empty()) {
    if (spawn_detached({"/bin/sh", "-c", n.command}, budget_command_env(n)))
      ++started;
    else
      std::fprintf(stderr, "costdeck: could not start the budget command for %s\n", n.budget_name.c_str());
  }
  return started;
}

}  // namespace costdeck::app
