#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/ingest.hpp"
#include "core/store/store.hpp"

namespace costdeck::app {

void keep_freed_memory() {
#ifdef __GLIBC__
  // A scan frees a file's events and buffers right after reading it; glibc's defaults hand
  // blocks over 128 KiB back at once, so the next file faults in and zeroes fresh pages (a
  // cold report over 1 GiB: ~6 % of its CPU in clear_page). The trim after a large scan
  // (ingest) still returns what is left over.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

namespace {

int run_ingest(const CommonOptions& o) {
  std::string path = store::resolve_db_path(o.db);
  store::Store st = [&] {
    try {
      return store::Store::open(path);
    } catch (const store::StoreError& e) {
      std::fprintf(stderr, "costdeck: %s\n", e.what());
      std::exit(1);
    }
  }();

  keep_freed_memory();
  IngestOptions opts;
  opts.claude_dirs = o.claude_dirs;
  opts.codex_dirs = o.codex_dirs;
  opts.count_totals = true;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  bool printed = false;
  opts.progress = [&](const IngestProgress& p) {
    // A line only when it helps: on a terminal, or once a scan has taken a while.
    if (!tty && p.elapsed_seconds < 1.0) return;
    std::fprintf(stderr, "\rcostdeck: reading %lld/%lld files, %.1f/%.1f MB, %.0f MB/s   ",
                 static_cast<long long>(p.files_done), static_cast<long long>(p.files_total),
                 static_cast<double>(p.bytes_done) / 1e6, static_cast<double>(p.bytes_total) / 1e6,
                 p.bytes_per_second / 1e6);
    if (!tty) std::fputc('\n', stderr);
    printed = true;
  };

  IngestStats s;
  try {
    s = ingest(st, opts);
  } catch (const store::StoreError& e) {
    if (printed && tty) std::fputc('\n', stderr);
    std::fprintf(stderr, "costdeck: %s\n", e.what());
    return 1;
  }
  if (printed && tty) std::fputc('\n', stderr);

  if (o.json) {
    nlohmann::json j;
    j["store"] = path;
    j["filesSeen"] = s.files_seen;
    j["filesChanged"] = s.files_changed;
    j["filesRead"] = s.files_read;
    j["filesReset"] = s.files_reset;
    j["filesCaughtUp"] = s.files_caught_up;
    j["filesMissing"] = s.files_missing;
    j["bytesRead"] = s.bytes_read;
    j["lines"] = s.lines;
    j["usageLines"] = s.usage_lines;
    j["malformedLines"] = s.malformed;
    j["malformedExamples"] = nlohmann::json::array();
    for (const auto& m : s.malformed_examples)
      j["malformedExamples"].push_back({{"file", m.path}, {"line", m.line_no}, {"reason", m.reason}});
    j["errors"] = nlohmann::json::array();
    for (const auto& e : s.errors) j["errors"].push_back({{"file", e.path}, {"message", e.message}});
    j["storeUsageLines"] = s.store_usage_rows;
    j["responsesCounted"] = s.responses_counted;
    j["duplicatesDropped"] = s.duplicates_dropped;
    j["responsesCountedCcusage"] = s.responses_counted_ccusage;
    j["seconds"] = s.seconds;
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("Store: %s\n", path.c_str());
    std::printf("Files: %lld found, %lld changed, %lld read", static_cast<long long>(s.files_seen),
                static_cast<long long>(s.files_changed), static_cast<long long>(s.files_read));
    if (s.files_reset) std::printf(", %lld re-read from the start", static_cast<long long>(s.files_reset));
    if (s.files_caught_up)
      std::printf(", %lld read again for their turns (a usage report had read their usage)",
                  static_cast<long long>(s.files_caught_up));
    if (s.files_missing) std::printf(", %lld gone from disk (kept)", static_cast<long long>(s.files_missing));
    std::printf("\nRead: %lld lines, %.1f MB, %lld usage lines\n", static_cast<long long>(s.lines),
                static_cast<double>(s.bytes_read) / 1e6, static_cast<long long>(s.usage_lines));
    std::printf("In the store: %lld usage lines, %lld responses counted, %lld duplicates dropped\n",
                static_cast<long long>(s.store_usage_rows), static_cast<long long>(s.responses_counted),
                static_cast<long long>(s.duplicates_dropped));
    if (s.malformed) {
      std::printf("Malformed lines: %lld (skipped)\n", static_cast<long long>(s.malformed));
      for (const auto& m : s.malformed_examples)
        std::printf("  %s:%lld: %s\n", m.path.c_str(), static_cast<long long>(m.line_no), m.reason.c_str());
    }
    if (!s.errors.empty()) {
      std::printf("Unreadable files: %zu\n", s.errors.size());
      for (const auto& e : s.errors) std::printf("  %s: %s\n", e.path.c_str(), e.message.c_str());
    }
    std::printf("Took %.2f s\n", s.seconds);
  }
  return 0;
}

}  // namespace

void add_ingest_command(CLI::App* root, CommonOptions& o, Handler* run) {
  auto* cmd = root->add_subcommand("ingest", "Scan the session files once and update the store");
  add_source_options(cmd, o);
  cmd->add_flag("--json", o.json, "Machine-readable JSON");
  cmd->callback([&o, run] { *run = [&o] { return run_ingest(o); }; });
}

}  // namespace costdeck::app
