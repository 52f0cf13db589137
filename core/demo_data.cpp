#include "core/demo_data.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "core/runs/run_store.hpp"
#include "core/store/store.hpp"
#include "core/timeutil.hpp"

namespace costdeck::demo {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// xorshift32: tiny, deterministic on every platform (std distributions are not).
struct Rng {
  std::uint32_t s;
  std::uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint32_t>(hi - lo + 1)); }
  double unit() { return (next() & 0xFFFFFF) / static_cast<double>(0x1000000); }
  template <class T, std::size_t N>
  const T& pick(const T (&a)[N]) {
    return a[next() % N];
  }
};

constexpr const char* kProjects[] = {"/home/dev/costdeck", "/home/dev/webshop", "/home/dev/infra-scripts",
                                     "/home/dev/ml-pipeline"};
constexpr const char* kPrompts[] = {
    "Fixed cron jobs not firing after the DST change",
    "Add pagination to the orders API",
    "Refactor the auth middleware into smaller pieces",
    "Write tests for the price table loader",
    "Investigate the flaky checkout integration test",
    "Migrate the settings page to the new form library",
    "Speed up the nightly report query",
    "Add retry with backoff to the webhook sender",
    "Document the deployment runbook",
    "Fix memory leak in the image resizer",
    "Review the pull request for the billing export",
    "Upgrade the build to the new compiler",
    "Add a dark theme to the admin dashboard",
    "Clean up unused feature flags",
    "Profile the ingest worker under load",
    "Port the CSV importer to streaming parsing",
};
constexpr const char* kToolErrors[] = {
    "Error: command timed out after 120000ms",
    "File has not been read yet. Read it first before writing to it.",
    "Exit code 1\nnpm ERR! Test failed. See above for more details.",
    "String to replace not found in file.",
};
constexpr const char* kRunErrors[] = {
    "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}",
    "Timeout after 300s waiting for the test suite",
    "Verification failed: 3 tests still failing",
    "Rate limit reached for requests",
};

struct ModelMix {
  const char* model;
  int weight;
};
constexpr ModelMix kClaudeModels[] = {
    {"claude-sonnet-4-5-20250929", 50}, {"claude-opus-4-5-20251101", 30}, {"claude-haiku-4-5-20251001", 20}};

const char* pick_model(Rng& r) {
  int x = r.range(1, 100);
  for (const auto& m : kClaudeModels) {
    if (x <= m.weight) return m.model;
    x -= m.weight;
  }
  return kClaudeModels[0].model;
}

std::string iso(std::int64_t ms) { return timeutil::format_iso8601_ms(ms); }

std::string uuid_of(Rng& r) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%08x%04x", r.next(), r.next() & 0xFFFF, r.next() & 0xFFF,
                r.next() & 0xFFF, r.next(), r.next() & 0xFFFF);
  return buf;
}

std::string project_folder(const std::string& cwd) {
  std::string s = cwd;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  return s;
}

void write_lines(const fs::path& p, const std::vector<json>& lines) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + p.string());
  for (const auto& l : lines) out << l.dump() << '\n';
}

// One Claude Code session: turns of prompt -> responses (with a tool call or two) ->
// turn_duration; a few tool errors and an interrupted turn now and then. Returns the time
// of its last line.
std::int64_t claude_session(Rng& r, const fs::path& claude_dir, std::int64_t start_ms, int turns) {
  const std::string cwd = kProjects[r.next() % 4];
  const std::string session = uuid_of(r);
  const std::string branch = r.range(0, 2) == 0 ? "main" : "feature/MIN-" + std::to_string(r.range(101, 112));
  std::vector<json> lines;
  std::int64_t t = start_ms;
  std::string parent;
  auto base = [&](const char* type) {
    json j = {{"type", type}, {"sessionId", session}, {"cwd", cwd}, {"gitBranch", branch}, {"version", "2.0.14"},
              {"timestamp", iso(t)}, {"isSidechain", false}, {"userType", "external"}};
    std::string u = uuid_of(r);
    j["uuid"] = u;
    j["parentUuid"] = parent.empty() ? json(nullptr) : json(parent);
    parent = u;
    return j;
  };
  const char* model = pick_model(r);
  std::int64_t end = t;
  for (int k = 0; k < turns; ++k) {
    const std::int64_t turn_start = t;
    json u = base("user");
    u["message"] = {{"role", "user"}, {"content", r.pick(kPrompts)}};
    lines.push_back(u);
    if (r.range(0, 5) == 0) model = pick_model(r);
    const int responses = r.range(1, 4);
    for (int i = 0; i < responses; ++i) {
      t += r.range(4, 40) * 1000;
      json a = base("assistant");
      a["requestId"] = "req_" + uuid_of(r);
      const bool last = i + 1 == responses;
      json usage = {{"input_tokens", r.range(3, 60)},
                    {"output_tokens", r.range(150, last ? 3500 : 900)},
                    {"cache_creation_input_tokens", r.range(500, 12000)},
                    {"cache_read_input_tokens", r.range(15000, 110000)},
                    {"service_tier", "standard"}};
      json content = last ? json::array({{{"type", "text"}, {"text", "Done."}}})
                          : json::array({{{"type", "tool_use"}, {"id", "toolu_" + std::to_string(r.next())},
                                          {"name", r.range(0, 1) ? "Bash" : "Edit"}, {"input", json::object()}}});
      a["message"] = {{"id", "msg_" + uuid_of(r)}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                      {"content", content}, {"usage", usage}};
      lines.push_back(a);
      if (!last) {
        t += r.range(1, 20) * 1000;
        json tr = base("user");
        bool err = r.range(0, 9) == 0;
        tr["message"] = {{"role", "user"},
                         {"content", json::array({{{"type", "tool_result"},
                                                   {"tool_use_id", content[0]["id"]},
                                                   {"is_error", err},
                                                   {"content", err ? r.pick(kToolErrors) : "ok"}}})}};
        lines.push_back(tr);
      }
    }
    t += 2000;
    json d = base("system");
    d["subtype"] = "turn_duration";
    d["durationMs"] = t - turn_start;
    d["messageCount"] = responses * 2;
    lines.push_back(d);
    end = t;
    t += r.range(2, 25) * 60'000;
  }
  write_lines(claude_dir / "projects" / project_folder(cwd) / (session + ".jsonl"), lines);
  return end;
}

// A Codex rollout: cumulative token totals, model from turn_context. Returns the time of its
// last line.
std::int64_t codex_session(Rng& r, const fs::path& codex_dir, std::int64_t start_ms, int turns) {
  const std::string id = uuid_of(r);
  const std::string day = iso(start_ms).substr(0, 10);
  std::vector<json> lines;
  std::int64_t t = start_ms;
  lines.push_back({{"timestamp", iso(t)}, {"type", "session_meta"},
                   {"payload", {{"id", id}, {"cwd", kProjects[r.next() % 4]}, {"originator", "codex_cli_rs"}}}});
  std::int64_t in = 0, cached = 0, out = 0, reasoning = 0;
  for (int k = 0; k < turns; ++k) {
    t += r.range(1, 10) * 60'000;
    lines.push_back({{"timestamp", iso(t)}, {"type", "turn_context"}, {"payload", {{"model", "gpt-5-codex"}}}});
    std::int64_t di = r.range(8000, 60000), dc = di * r.range(50, 90) / 100, dout = r.range(300, 4000);
    std::int64_t dr = dout / 3;
    in += di, cached += dc, out += dout, reasoning += dr;
    json total = {{"input_tokens", in}, {"cached_input_tokens", cached}, {"output_tokens", out},
                  {"reasoning_output_tokens", reasoning}, {"total_tokens", in + out}};
    json last = {{"input_tokens", di}, {"cached_input_tokens", dc}, {"output_tokens", dout},
                 {"reasoning_output_tokens", dr}, {"total_tokens", di + dout}};
    t += r.range(20, 200) * 1000;
    lines.push_back({{"timestamp", iso(t)}, {"type", "event_msg"},
                     {"payload", {{"type", "token_count"}, {"info", {{"total_token_usage", total}, {"last_token_usage", last}}}}}});
  }
  write_lines(codex_dir / "sessions" / day.substr(0, 4) / day.substr(5, 2) / day.substr(8, 2) /
                  ("rollout-" + day + "T10-00-00-" + id + ".jsonl"),
              lines);
  return t;
}

// The newest sessions, drawn forward from their start, could run past the demo's clock and
// show "in the future". Such a session is drawn again from the same draws (the same file),
// started early enough to end at the clock; every other session stays as it was.
template <class Draw>
void session_ending_by(Rng& r, std::int64_t now_ms, std::int64_t start_ms, const Draw& draw) {
  const Rng before = r;
  const std::int64_t end = draw(start_ms);
  if (end <= now_ms) return;
  r = before;
  draw(start_ms - (end - now_ms));
}

std::vector<runs::Run> recorded_runs(Rng& r, std::int64_t now_ms, int days) {
  static const char* kTiers[] = {"premium", "standard", "economy"};
  static const char* kOps[] = {"iteration", "verification", "agent execution", "task", "tool call"};
  static const char* kTriggers[] = {"cron", "autonomous", "manual", "webhook"};
  static const char* kAgents[] = {"planner", "implementer", "reviewer", "tester"};
  std::vector<runs::Run> out;
  for (int d = days - 1; d >= 0; --d) {
    int n = r.range(6, 16);
    for (int i = 0; i < n; ++i) {
      runs::Run run;
      run.key = "demo-run-" + std::to_string(out.size());
      run.started_ms = now_ms - d * 86'400'000LL - r.range(0, 86'000) * 1000LL;
      if (run.started_ms > now_ms - 60'000) run.started_ms = now_ms - r.range(2, 300) * 60'000LL;
      run.duration_ms = r.range(5, 900) * 1000LL;
      // Finished by the clock, like everything else in the demo (no "in the future").
      if (run.started_ms + *run.duration_ms > now_ms) run.started_ms = now_ms - *run.duration_ms;
      run.runtime = r.range(0, 3) == 0 ? "codex" : "claude-code";
      run.agent = kAgents[r.next() % 4];
      int tier = r.range(0, 9) < 2 ? 0 : r.range(0, 9) < 7 ? 1 : 2;
      run.tier = kTiers[tier];
      run.model = run.runtime == "codex" ? "gpt-5-codex"
                  : tier == 0             ? "claude-opus-4-5-20251101"
                  : tier == 1             ? "claude-sonnet-4-5-20250929"
                                          : "claude-haiku-4-5-20251001";
      run.issue = "MIN-" + std::to_string(r.range(101, 112));
      run.project = kProjects[r.next() % 4];
      run.session_id = "orch-" + std::to_string(d) + "-" + std::to_string(i / 4);
      run.operation = kOps[r.next() % 5];
      run.trigger = kTriggers[r.next() % 4];
      run.title = kPrompts[r.next() % (sizeof(kPrompts) / sizeof(kPrompts[0]))];
      int roll = r.range(0, 99);
      run.status = roll < 84 ? runs::RunStatus::Success : roll < 95 ? runs::RunStatus::Error : runs::RunStatus::Aborted;
      if (run.status == runs::RunStatus::Error) run.error = kRunErrors[r.next() % 4];
      run.tokens.input = r.range(2000, 40000);
      run.tokens.output = r.range(500, 9000);
      run.tokens.cache_read = r.range(10000, 200000);
      run.tokens.cache_write_5m = r.range(1000, 20000);
      runs::fill_computed_cost(run);
      out.push_back(std::move(run));
    }
  }
  return out;
}

// A few fixed runs on top of the random ones (no random draws, so everything else stays as
// it was): two costly issues so the Issues view shows every badge colour, a failed task
// retried in the same session, and a task still running.
std::vector<runs::Run> showcase_runs(std::int64_t now_ms) {
  std::vector<runs::Run> out;
  auto add = [&](const std::string& key, std::int64_t ago_min, const char* issue, const char* session,
                 const char* title, double cost, runs::RunStatus status, const char* error = "") {
    runs::Run run;
    run.key = key;
    run.started_ms = now_ms - ago_min * 60'000;
    if (status != runs::RunStatus::Running) run.duration_ms = 9 * 60'000 + ago_min % 7 * 41'000;
    run.runtime = "claude-code";
    run.agent = "implementer";
    run.tier = "premium";
    run.model = "claude-opus-4-5-20251101";
    run.issue = issue;
    run.project = kProjects[1];
    run.session_id = session;
    run.operation = "task";
    run.trigger = "autonomous";
    run.title = title;
    run.status = status;
    run.error = error;
    run.tokens.input = 60000;
    run.tokens.output = 12000;
    run.tokens.cache_read = 900000;
    run.cost_usd = cost;
    out.push_back(std::move(run));
  };
  const char* kBilling = "Rewrite the billing export as a streaming job";
  for (int i = 0; i < 12; ++i)
    add("demo-showcase-billing-" + std::to_string(i), 60 * 24 * (9 - i * 3 / 4) + 40 * i, "MIN-120",
        i < 4 ? "orch-billing-1" : i < 8 ? "orch-billing-2" : "orch-billing-3", kBilling, 4.1 + 0.35 * i,
        runs::RunStatus::Success);
  for (int i = 0; i < 6; ++i)
    add("demo-showcase-search-" + std::to_string(i), 60 * 24 * (6 - i) + 95, "MIN-121",
        i < 3 ? "orch-search-1" : "orch-search-2", "Add full-text search to the orders list", 4.6 + 0.3 * i,
        runs::RunStatus::Success);
  add("demo-showcase-migrate-0", 190, "MIN-121", "orch-search-3", "Run the orders migration on staging", 1.2,
      runs::RunStatus::Error, "Timeout after 300s waiting for the test suite");
  add("demo-showcase-migrate-1", 150, "MIN-121", "orch-search-3", "Run the orders migration on staging", 1.4,
      runs::RunStatus::Success);
  add("demo-showcase-running", 4, "MIN-121", "orch-search-3", "Backfill search index for archived orders", 0.3,
      runs::RunStatus::Running);
  return out;
}

// Orchestrator sessions name their phase (plan / implement / review / verify) through links.
std::vector<runs::SessionLink> phase_links(const std::vector<runs::Run>& runs) {
  static const char* kPhases[] = {"plan", "implement", "review", "verify"};
  std::vector<runs::SessionLink> out;
  std::set<std::string> seen;
  for (const auto& r : runs) {
    if (r.session_id.empty() || !seen.insert(r.session_id).second) continue;
    runs::SessionLink l;
    l.session_id = r.session_id;
    l.issue = r.issue;
    unsigned h = 0;
    for (char c : r.session_id) h = h * 31 + static_cast<unsigned char>(c);
    l.phase = kPhases[h % 4];
    out.push_back(std::move(l));
  }
  return out;
}

std::int64_t clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Config demo_config() {
  Config c = default_config();
  c.tier_rules = {
      {"premium", "", std::nullopt, "opus", "", "", std::nullopt},
      {"standard", "", std::nullopt, "sonnet", "", "", std::nullopt},
      {"economy", "", std::nullopt, "haiku", "", "", std::nullopt},
      {"standard", "", std::nullopt, "gpt-5", "", "", std::nullopt},
  };
  c.default_tier = "standard";
  auto budget = [](const char* tier, double limit) {
    live::Budget b;
    b.tier = tier;
    b.unit = live::BudgetUnit::Usd;
    b.period = live::BudgetPeriod::Day;
    b.limit = limit;
    return b;
  };
  c.budgets = {budget("premium", 12), budget("standard", 8), budget("economy", 1.5)};
  return c;
}

DemoData write_demo(const DemoOptions& opts) {
  const std::int64_t now = opts.now_ms ? opts.now_ms : clock_ms();
  // A folder of its own every time, so demos running at once (tests, two windows) never
  // write into each other. Its name is random; the views show it under a fixed name instead
  // (ui::shown_path), and find it as the store's folder: the store stays at the root.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/costdeck-demo-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("cannot create a temporary folder for the demo");
  DemoData d;
  d.root = buf.data();
  d.claude_dir = d.root + "/claude";
  d.codex_dir = d.root + "/codex";
  d.db_path = d.root + "/demo.db";
  d.config = demo_config();
  // On a throw the caller never learns the folder's name, so nobody else would remove it.
  struct RemoveUnlessKept {
    const std::string& root;
    bool keep = false;
    ~RemoveUnlessKept() {
      std::error_code ec;
      if (!keep) fs::remove_all(root, ec);
    }
  } cleanup{d.root};
  Rng r{opts.seed ? opts.seed : 1};
  for (int day = opts.days - 1; day >= 0; --day) {
    const std::int64_t day_start = (now / 86'400'000 - day) * 86'400'000LL;
    // Quieter weekends and a busier recent week, so the charts have a shape.
    const int dow = static_cast<int>((now / 86'400'000 - day + 4) % 7);  // 0 = Sunday
    int sessions = (dow == 0 || dow == 6) ? r.range(0, 2) : r.range(2, 5) + (day < 7 ? 1 : 0);
    for (int s = 0; s < sessions; ++s) {
      std::int64_t start = day_start + (8 + r.range(0, 9)) * 3'600'000LL + r.range(0, 59) * 60'000LL;
      if (start > now - 30 * 60'000) start = now - r.range(30, 120) * 60'000LL;
      const int turns = r.range(2, 7);
      session_ending_by(r, now, start,
                        [&](std::int64_t at) { return claude_session(r, d.claude_dir, at, turns); });
    }
    if (r.range(0, 2) == 0) {
      const int turns = r.range(2, 6);
      session_ending_by(r, now, day_start + 14 * 3'600'000LL,
                        [&](std::int64_t at) { return codex_session(r, d.codex_dir, at, turns); });
    }
  }
  store::Store st = store::Store::open(d.db_path);
  SQLite::Transaction tx(st.db());
  std::vector<runs::Run> recorded = recorded_runs(r, now, opts.days);
  std::vector<runs::Run> showcase = showcase_runs(now);
  runs::upsert_runs(st.db(), recorded);
  runs::upsert_runs(st.db(), showcase);
  recorded.insert(recorded.end(), showcase.begin(), showcase.end());
  runs::upsert_links(st.db(), phase_links(recorded));
  tx.commit();
  cleanup.keep = true;
  return d;
}

}  // namespace costdeck::demo
