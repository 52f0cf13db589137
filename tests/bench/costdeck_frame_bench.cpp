// Frame benchmark: a store at the issues' scale (1,000,000 usage events, 100,000 runs, filled
// by costdeck_store_bench), one snapshot built as the worker builds it, then N frames of every
// view drawn headless. A frame's cost is the CPU time of ImGui::NewFrame -> draw_app ->
// ImGui::Render on this thread (no GL submission, no glReadPixels). Also: the snapshot build,
// the time from an append (a session-file line, a recorded run) to the new snapshot, and the
// peak RSS.
//
//   costdeck_frame_bench [--db STORE] [--events N] [--runs N] [--frames N] [--size WxH]
//
// Without --db the store is filled once into $TMPDIR and reused by later runs.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/headless.hpp"
#include "app/headless_shot.hpp"
#include "core/runs/run_store.hpp"
#include "core/store/store.hpp"
#include "core/timeutil.hpp"
#include "core/worker.hpp"
#include "panels/panel.hpp"

namespace fs = std::filesystem;
using namespace costdeck;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kNow = 1'767'268'800'000;  // 2026-01-01T12:00:00Z: the fill ends that day

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Resident memory now, split into heap and the like (anon) and mapped files (the GL
// driver's libraries, for one): where the peak comes from.
std::string memory_now() {
  std::ifstream in("/proc/self/status");
  std::string line, out;
  for (const char* k : {"VmRSS:", "RssAnon:", "RssFile:", "VmHWM:"}) {
    in.clear();
    in.seekg(0);
    while (std::getline(in, line))
      if (line.rfind(k, 0) == 0) {
        const long kb = std::strtol(line.c_str() + std::strlen(k), nullptr, 10);
        out += (out.empty() ? "" : ", ") + std::string(k, std::strlen(k) - 1) + " " +
               std::to_string(kb / 1024) + " MB";
      }
  }
  return out;
}
std::vector<std::pair<std::string, std::string>> g_memory;
void note_memory(const char* when) {
  const struct mallinfo2 mi = mallinfo2();
  g_memory.emplace_back(when, memory_now() + "; malloc: in use " +
                                  std::to_string((mi.uordblks + mi.hblkhd) >> 20) + " MB (" +
                                  std::to_string(mi.hblkhd >> 20) + " MB mmapped), free in the heap " +
                                  std::to_string(mi.fordblks >> 20) + " MB");
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

// A Claude Code assistant line the readers count (unique ids per call).
std::string claude_line(int n, std::int64_t ts_ms) {
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      R"({"type":"assistant","sessionId":"frame-bench-session","cwd":"/home/dev/bench","timestamp":"%s",)"
      R"("uuid":"fb-%d","requestId":"req_fb_%d","message":{"id":"msg_fb_%d","type":"message","role":"assistant",)"
      R"("model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"ok"}],)"
      R"("usage":{"input_tokens":12,"output_tokens":345,"cache_creation_input_tokens":1000,)"
      R"("cache_read_input_tokens":20000}}})",
      timeutil::format_iso8601_ms(ts_ms).c_str(), n, n, n);
  return std::string(buf) + "\n";
}

struct ViewTiming {
  std::string view, range;
  double median = 0, p95 = 0, max = 0;
  int vertices = 0;  // what the frame drew: proof the view did real work
};

// N frames of one view: CPU time of NewFrame -> draw_app -> Render each.
ViewTiming time_view(app::OffscreenRenderer& r, const Snapshot& snap, ui::View v, int frames,
                     const char* range) {
  ui::AppState st;
  st.view = v;
  st.filter = snap.filter;
  st.now_ms = snap.now_ms;
  // Interactive state, not the screenshot path: buttons and hover logic run as in the window.
  st.headless = false;
  if (!snap.sessions_by_cost.empty())
    st.selected_session = snap.sessions[snap.sessions_by_cost.front()].row.key;
  // Warm-up: fonts uploaded, tables and caches settled (the first frame of a new snapshot
  // version sorts and aligns once; that cost is in "first frame" below).
  ImGuiContext* prev = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(r.imgui());
  std::vector<double> t;
  t.reserve(static_cast<std::size_t>(frames));
  for (int i = 0; i < frames + 3; ++i) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui_ImplOpenGL3_NewFrame();
    const double c0 = thread_cpu_ms();
    ImGui::NewFrame();
    ui::draw_app(&snap, st);
    ImGui::Render();
    const double c1 = thread_cpu_ms();
    if (i >= 3) t.push_back(c1 - c0);
  }
  const int vertices = ImGui::GetIO().MetricsRenderVertices;
  ImGui::SetCurrentContext(prev);
  ViewTiming vt;
  vt.view = ui::view_name(v);
  vt.range = range;
  vt.median = percentile(t, 50);
  vt.p95 = percentile(t, 95);
  vt.max = t.empty() ? 0 : *std::max_element(t.begin(), t.end());
  vt.vertices = vertices;
  return vt;
}

// Appends a session-file line, then records a run from another connection, `appends` times
// each, timing append -> new snapshot on the worker thread. The line touches no issue and no
// error (the common case); the run has both (every run report is rebuilt).
void run_appends(Worker& w, std::uint64_t& v, const fs::path& session_file, const fs::path& work_db,
                 int appends, std::vector<double>& usage_append, std::vector<double>& run_append,
                 std::vector<SourcesInfo::PassTimes>& usage_passes,
                 std::vector<SourcesInfo::PassTimes>& run_passes, int base = 0) {
  SnapshotPtr s;
  for (int i = 1; i <= appends; ++i) {
    {
      std::ofstream out(session_file, std::ios::app);
      out << claude_line(base + i, kNow - 30'000 + base + i);
    }
    auto t0 = Clock::now();
    w.refresh_now();  // what the file watcher does on a change
    s = w.wait_newer(v, std::chrono::seconds(60));
    usage_append.push_back(ms_since(t0));
    usage_passes.push_back(s->sources.pass);
    v = s->version;
  }
  for (int i = 1; i <= appends; ++i) {
    auto t0 = Clock::now();
    {
      // Another process records a run (costdeck record, a hook).
      SQLite::Database other(work_db.string(), SQLite::OPEN_READWRITE);
      other.setBusyTimeout(5000);
      runs::Run run;
      run.key = "frame-bench-append-" + std::to_string(base + i);
      run.started_ms = kNow - 10'000 + i;
      run.duration_ms = 1200;
      run.runtime = "claude-code";
      run.model = "claude-sonnet-4-5-20250929";
      run.tokens.input = 1000;
      run.tokens.output = 200;
      // An issue's run that failed: the issues and errors reports must be rebuilt (a line
      // append leaves them as they were).
      run.issue = "BENCH-" + std::to_string(1 + i % 3);
      run.status = runs::RunStatus::Error;
      run.error = "Exit code 1: bench check " + std::to_string(i) + " failed";
      runs::fill_computed_cost(run);
      SQLite::Transaction tx(other);
      runs::upsert_runs(other, {run});
      tx.commit();
    }
    w.refresh_now();
    s = w.wait_newer(v, std::chrono::seconds(60));
    run_append.push_back(ms_since(t0));
    run_passes.push_back(s->sources.pass);
    v = s->version;
  }
}

}  // namespace

// Inside the worker's pass, medians per stage: what to look at when an append grows slow.
void print_stages(const char* what, const std::vector<SourcesInfo::PassTimes>& v) {
  auto med = [&](double SourcesInfo::PassTimes::*m) {
    std::vector<double> x;
    for (const auto& p : v) x.push_back(p.*m);
    return percentile(x, 50);
  };
  using P = SourcesInfo::PassTimes;
  std::printf(
      "  %s pass (ms): scan %.1f, usage %.1f, files %.1f, runs %.1f, build %.1f, live %.1f, total %.1f\n",
      what, med(&P::scan), med(&P::usage), med(&P::files), med(&P::runs), med(&P::build), med(&P::live),
      med(&P::total));
}

int main(int argc, char** argv) {
  CLI::App cli{"costdeck frame benchmark"};
  std::string db, size = "1440x900";
  std::int64_t events = 1'000'000, runs = 100'000;
  int frames = 200, appends = 5;
  bool memory_only = false;
  cli.add_option("--db", db, "A filled store (default: fill one in $TMPDIR with costdeck_store_bench)");
  cli.add_option("--events", events, "Usage events when filling");
  cli.add_option("--runs", runs, "Runs when filling");
  cli.add_option("--frames", frames, "Frames per view");
  cli.add_option("--appends", appends, "Append -> snapshot measurements");
  cli.add_option("--size", size, "Window size WxH");
  cli.add_flag("--memory-only", memory_only,
               "Only the window's life (worker thread, every view drawn, appends, a range change) in this "
               "process, for its peak RSS; the full run starts itself again with this flag");
  CLI11_PARSE(cli, argc, argv);
  int width = 1440, height = 900;
  if (!app::parse_size(size, &width, &height)) {
    std::fprintf(stderr, "costdeck_frame_bench: --size must be WxH\n");
    return 2;
  }
  const char* tmp = std::getenv("TMPDIR");
  const fs::path tmpdir = tmp && *tmp ? tmp : "/tmp";
  if (db.empty()) {
    db = (tmpdir / ("costdeck-frame-bench-" + std::to_string(events) + "e-" + std::to_string(runs) + "r.db"))
             .string();
    if (!fs::exists(db)) {
      // The store-scale fill tool of the store benchmark, next to this executable.
      fs::path tool = fs::canonical("/proc/self/exe").parent_path() / "costdeck_store_bench";
      std::string cmd = tool.string() + " fill --db " + db + ".tmp --events " + std::to_string(events) +
                        " --runs " + std::to_string(runs);
      std::fprintf(stderr, "filling %s (once): %s\n", db.c_str(), cmd.c_str());
      if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "costdeck_frame_bench: the fill failed\n");
        return 1;
      }
      fs::rename(db + ".tmp", db);
    }
  }
  // Work on a copy: the append measurements write to it.
  const fs::path work = tmpdir / ("costdeck-frame-bench-work-" + std::to_string(::getpid()));
  fs::create_directories(work / "claude" / "projects" / "-home-dev-bench");
  fs::create_directories(work / "codex");
  const fs::path work_db = work / "store.db";
  fs::copy_file(db, work_db);
  const fs::path session_file =
      work / "claude" / "projects" / "-home-dev-bench" / "frame-bench-session.jsonl";
  {
    std::ofstream out(session_file);
    out << claude_line(0, kNow - 60'000);
  }

  WorkerOptions wo;
  wo.db_path = work_db.string();
  wo.claude_dirs = {(work / "claude").string()};
  wo.codex_dirs = {(work / "codex").string()};
  wo.pinned_now_ms = kNow;
  wo.config = default_config();
  wo.refresh = std::chrono::milliseconds(3'600'000);  // passes only on request: the append timing is ours

  std::printf("costdeck frame benchmark: store %s\n", db.c_str());
  std::printf("window %dx%d, %d frames per view, clock pinned at 2026-01-01T12:00:00Z\n\n", width, height,
              frames);

  std::string gl_err;
  auto gl = app::HeadlessGl::create(&gl_err);
  if (!gl) {
    std::fprintf(stderr, "costdeck_frame_bench: %s\n", gl_err.c_str());
    return 1;
  }
  note_memory("GL context made");
  if (memory_only) {
    // The window's life in a process of its own, so nothing the timings above allocated is
    // in its peak: the worker thread loads, every view is drawn, appends arrive, the range
    // changes to all time.
    app::OffscreenRenderer r(width, height, 1.0f, ui::Theme::Dark);
    auto draw_all = [&](const Snapshot& snap) {
      for (int k = 0; k < ui::kViewCount; ++k) time_view(r, snap, static_cast<ui::View>(k), 1, "");
    };
    Worker w(wo);
    ViewFilter f;
    f.timezone = "UTC";
    w.start(f);
    SnapshotPtr s = w.wait_newer(0, std::chrono::minutes(5));
    note_memory("first snapshot (30 days)");
    draw_all(*s);
    note_memory("every view drawn");
    std::uint64_t v = s->version;
    std::vector<double> ua, ra;
    std::vector<SourcesInfo::PassTimes> up, rp;
    run_appends(w, v, session_file, work_db, appends, ua, ra, up, rp);
    note_memory("appends done");
    f.range = RangeKind::All;
    w.request(f);
    s = w.wait_newer(v, std::chrono::seconds(60));
    draw_all(*s);
    note_memory("all time, every view drawn");
    v = s->version;
    std::vector<double> all_ua, all_ra;
    std::vector<SourcesInfo::PassTimes> all_up, all_rp;
    run_appends(w, v, session_file, work_db, appends, all_ua, all_ra, all_up, all_rp, appends);
    s = w.latest();
    draw_all(*s);
    note_memory("all time, appends done, every view drawn");
    s.reset();
    w.stop();
    for (const auto& [when, what] : g_memory)
      std::printf("window memory, %s: %s\n", when.c_str(), what.c_str());
    std::printf("window peak RSS: %.0f MB\n", peak_rss_mb());
    // Not the target's figure (that is the default 30-day view, timed in the main run):
    // what an append costs while the all-time view is shown.
    std::printf("append -> new snapshot on the all-time view (median of %d): line %.0f ms, run %.0f ms\n",
                appends, percentile(all_ua, 50), percentile(all_ra, 50));
    print_stages("line", all_up);
    print_stages("run ", all_rp);
    std::error_code ec;
    fs::remove_all(work, ec);
    return 0;
  }
  std::vector<ViewTiming> timings;
  double build_30d = 0, build_all = 0, runs_part_30d = 0, runs_part_all = 0;
  std::size_t runs_30d = 0, patterns_30d = 0, events_30d = 0, issues_30d = 0;
  {
    Worker w(wo);
    ViewFilter f;
    f.timezone = "UTC";
    auto t0 = Clock::now();
    SnapshotPtr s30 = w.build_once(f);  // first pass: opens the store, ingests the one small file, loads
    build_30d = ms_since(t0);
    if (!s30->fatal_error.empty()) {
      std::fprintf(stderr, "costdeck_frame_bench: %s\n", s30->fatal_error.c_str());
      return 1;
    }
    runs_30d = static_cast<std::size_t>(s30->runs_in_range);
    patterns_30d = s30->errors->patterns.size();
    events_30d = s30->events.size();
    issues_30d = s30->issues->size();
    f.range = RangeKind::All;
    t0 = Clock::now();
    SnapshotPtr sall = w.build_once(f);  // the data is loaded: this is the rebuild for a new filter
    build_all = ms_since(t0);
    note_memory("worker loaded, 30d and all-time snapshots held");
    // The run views' share: build_snapshot on the runs alone (the worker's filter, loaded once).
    {
      SQLite::Database rdb(work_db.string(), SQLite::OPEN_READONLY);
      Config cfg = default_config();
      for (RangeKind rk : {RangeKind::Days30, RangeKind::All}) {
        ViewFilter rf;
        rf.timezone = "UTC";
        rf.range = rk;
        const RangeBounds b = range_bounds(rf, zone_of(rf), kNow);
        runs::RunFilter filt;
        filt.since_ms = b.since_ms;
        filt.until_ms = b.until_ms;
        runs::RunTable t = runs::load_runs(rdb, cfg, filt), prev;
        if (b.since_ms && b.until_ms) {
          runs::RunFilter pf = filt;
          pf.until_ms = *b.since_ms;
          pf.since_ms = *b.since_ms - (*b.until_ms - *b.since_ms);
          prev = runs::load_runs(rdb, cfg, pf);
        }
        SnapshotInputs in;
        in.runs = &t;
        in.previous_runs = b.since_ms ? &prev : nullptr;
        in.config = &cfg;
        Snapshot out;
        const auto t0 = Clock::now();
        build_snapshot(in, rf, kNow, out);
        (rk == RangeKind::All ? runs_part_all : runs_part_30d) = ms_since(t0);
      }
    }
    app::OffscreenRenderer r(width, height, 1.0f, ui::Theme::Dark);
    // One rendered frame so the font atlas and GL objects exist.
    r.render(
        [&] {
          ui::AppState st;
          ui::draw_app(s30.get(), st);
        },
        1);
    for (int k = 0; k < ui::kViewCount; ++k) {
      auto v = static_cast<ui::View>(k);
      timings.push_back(time_view(r, *s30, v, frames, "30d"));
      timings.push_back(time_view(r, *sall, v, frames, "all"));
    }
    note_memory("every view drawn");
  }

  // Append -> new snapshot, with the worker thread running as in the window.
  std::vector<double> usage_append, run_append;
  std::vector<SourcesInfo::PassTimes> usage_passes, run_passes;
  note_memory("before the window's worker");
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  note_memory("peak reset");
  {
    Worker w(wo);
    ViewFilter f;
    f.timezone = "UTC";
    w.start(f);
    SnapshotPtr s = w.wait_newer(0, std::chrono::minutes(5));
    std::uint64_t v = s ? s->version : 0;
    run_appends(w, v, session_file, work_db, appends, usage_append, run_append, usage_passes, run_passes);
    note_memory("appends done (window's worker)");
    w.stop();
  }

  std::printf("snapshot (30 days): %zu runs, %zu error patterns, %zu issues, %zu activity events\n", runs_30d,
              patterns_30d, issues_30d, events_30d);
  std::printf("first snapshot (open, load 1M usage rows and the runs, build 30d): %.0f ms\n", build_30d);
  std::printf("rebuild for a new filter (all time, data loaded):              %.0f ms\n\n", build_all);
  std::printf(
      "runs part of a snapshot build (every run report: tiers, operations, top, performance x2, errors, "
      "slowest, runtimes, issues, events):\n");
  std::printf("  30 days: %.0f ms, all time: %.0f ms\n\n", runs_part_30d, runs_part_all);
  std::printf("| view        | range | median CPU ms/frame | p95 ms | max ms | vertices |\n");
  std::printf("|-------------|-------|--------------------:|-------:|-------:|---------:|\n");
  for (const auto& t : timings)
    std::printf("| %-11s | %-5s | %19.3f | %6.3f | %6.3f | %8d |\n", t.view.c_str(), t.range.c_str(),
                t.median, t.p95, t.max, t.vertices);
  std::printf("\nappend -> new snapshot (median of %d, worker thread, refresh requested at once):\n",
              appends);
  std::printf("  session-file line: %.0f ms (min %.0f, max %.0f)\n", percentile(usage_append, 50),
              percentile(usage_append, 0), percentile(usage_append, 100));
  std::printf("  recorded run:      %.0f ms (min %.0f, max %.0f)\n", percentile(run_append, 50),
              percentile(run_append, 0), percentile(run_append, 100));
  print_stages("line", usage_passes);
  print_stages("run ", run_passes);
  for (const auto& [when, what] : g_memory) std::printf("memory, %s: %s\n", when.c_str(), what.c_str());
  std::printf("peak RSS of this process (every stage above): %.0f MB\n\n", peak_rss_mb());
  std::error_code ec;
  fs::remove_all(work, ec);
  std::fflush(stdout);
  // The window's own peak, in a fresh process.
  const std::string self = fs::canonical("/proc/self/exe").string();
  const std::string cmd =
      self + " --memory-only --db '" + db + "' --appends " + std::to_string(appends) + " --size " + size;
  return std::system(cmd.c_str()) == 0 ? 0 : 1;
}
