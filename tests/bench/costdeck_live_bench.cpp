// Live-path measurements on a big history: the worker following the session files and the
// store while nothing is written (CPU time of this process over an idle span: the target is
// under 1% of a core), and the time from a line appended to a session file, or a run
// recorded by another process, to the snapshot that holds it (the target is one second).
//
//   costdeck_live_bench --claude-dir DIR [--codex-dir DIR] --db STORE --append-file FILE
//                       [--idle-seconds 30] [--appends 5] [--costdeck BIN]
//
// The store should already hold the history (costdeck ingest), so the first pass is a stat
// pass. FILE is appended to (use a copy of the corpus). Prints one "name value unit" line
// per figure, for scripts/bench-live.sh.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/worker.hpp"

using namespace costdeck;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string iso_now() {
  auto t = std::chrono::system_clock::now();
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&s));
  return buf;
}

std::string line(int i) {
  std::string id = "bench_" + std::to_string(::getpid()) + "_" + std::to_string(i);
  return R"({"type":"assistant","sessionId":"live-bench","cwd":"/bench/live","timestamp":")" + iso_now() +
         R"(","requestId":"req_)" + id + R"(","message":{"id":"msg_)" + id +
         R"(","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":12,"output_tokens":345,)"
         R"("cache_read_input_tokens":20000}}})" +
         "\n";
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  WorkerOptions o;
  std::string append_file, costdeck_bin;
  int idle_seconds = 30, appends = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--claude-dir")
      o.claude_dirs.push_back(v);
    else if (k == "--codex-dir")
      o.codex_dirs.push_back(v);
    else if (k == "--db")
      o.db_path = v;
    else if (k == "--append-file")
      append_file = v;
    else if (k == "--idle-seconds")
      idle_seconds = std::atoi(v.c_str());
    else if (k == "--appends")
      appends = std::atoi(v.c_str());
    else if (k == "--costdeck")
      costdeck_bin = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.db_path.empty() || o.claude_dirs.empty() || append_file.empty()) {
    std::fprintf(
        stderr,
        "usage: costdeck_live_bench --claude-dir DIR [--codex-dir DIR] --db STORE --append-file FILE\n");
    return 2;
  }
  if (o.codex_dirs.empty()) o.codex_dirs.push_back("/nonexistent-codex");
  o.config_path = "/nonexistent/costdeck-bench-config.json";

  Worker w(o);
  std::uint64_t published = 0;
  w.set_wake([&] { ++published; });
  ViewFilter f;
  f.timezone = "UTC";
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  w.start(f);
  SnapshotPtr s = w.wait_newer(0, std::chrono::minutes(10));
  if (!s || !s->ready) {
    std::fprintf(stderr, "no snapshot\n");
    return 1;
  }
  std::printf("first_snapshot_wall %.0f ms\n", ms_since(t0));
  std::printf("first_snapshot_cpu %.0f ms\n", (cpu_seconds() - c0) * 1000);
  std::printf("usage_rows %zu rows\n", s->sources.counts.counted_costdeck > 0
                                           ? static_cast<std::size_t>(s->sources.counts.counted_costdeck)
                                           : std::size_t{0});
  // Let any follow-up passes settle, then measure an idle span.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::uint64_t pub0 = published;
  const double idle_c0 = cpu_seconds();
  const auto idle_t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  const double idle_cpu = cpu_seconds() - idle_c0;
  const double idle_wall = ms_since(idle_t0) / 1000.0;
  std::printf("idle_cpu_percent %.3f %% of one core over %.0f s\n", idle_cpu / idle_wall * 100.0, idle_wall);
  std::printf("idle_snapshots %llu snapshots\n", static_cast<unsigned long long>(published - pub0));

  // Appends: time to a snapshot that counts the new response.
  std::vector<double> lat, cpu;
  s = w.latest();
  for (int i = 0; i < appends; ++i) {
    const std::int64_t before = s->range_responses;
    const double ci = cpu_seconds();
    auto ta = Clock::now();
    {
      std::ofstream out(append_file, std::ios::app | std::ios::binary);
      out << line(i);
    }
    while (ms_since(ta) < 30000) {
      s = w.wait_newer(s->version, std::chrono::milliseconds(100));
      if (s->range_responses > before) break;
    }
    if (s->range_responses <= before) {
      std::fprintf(stderr, "append %d did not arrive\n", i);
      return 1;
    }
    lat.push_back(ms_since(ta));
    cpu.push_back((cpu_seconds() - ci) * 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    s = w.latest();
  }
  std::printf("append_to_snapshot_median %.0f ms (min %.0f, max %.0f, n=%zu)\n", median(lat),
              *std::min_element(lat.begin(), lat.end()), *std::max_element(lat.begin(), lat.end()),
              lat.size());
  std::printf("append_to_snapshot_cpu_median %.0f ms\n", median(cpu));

  if (!costdeck_bin.empty()) {
    std::vector<double> rl;
    for (int i = 0; i < 3; ++i) {
      const std::int64_t before = s->runs_in_range;
      auto ta = Clock::now();
      std::string cmd =
          costdeck_bin + " record -q --db '" + o.db_path + "' --id live-bench-" + std::to_string(::getpid()) +
          "-" + std::to_string(i) +
          " --title 'live bench' --tier standard --duration-ms 1000 --tokens-in 10 --tokens-out 5";
      if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "record failed\n");
        break;
      }
      const double after_record = ms_since(ta);
      while (ms_since(ta) < 30000) {
        s = w.wait_newer(s->version, std::chrono::milliseconds(100));
        if (s->runs_in_range > before) break;
      }
      rl.push_back(ms_since(ta) - after_record);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      s = w.latest();
    }
    if (!rl.empty())
      std::printf("record_to_snapshot_median %.0f ms (after the record process exited)\n", median(rl));
  }
  w.stop();
  return 0;
}
