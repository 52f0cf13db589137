#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli_util.hpp"

using costdeck::test::run_costdeck;
using costdeck::test::temp_dir;
using nlohmann::json;

namespace {
const std::string kFixtures = COSTDECK_FIXTURES_DIR;

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string assistant(const std::string& ts, const std::string& id, const std::string& session, int in,
                      int out) {
  return R"({"type":"assistant","sessionId":")" + session + R"(","timestamp":")" + ts +
         R"(","requestId":"r)" + id + R"(","cwd":"/w/app","version":"2.0.1","message":{"id":"m)" + id +
         R"(","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":)" + std::to_string(in) +
         R"(,"output_tokens":)" + std::to_string(out) + "}}}\n";
}
}  // namespace

// Rule: blocks (boundaries, gap blocks, tokens, cost, models) equal ccusage 20.0.24's
// `claude blocks --json` on the same files (fixture tests/fixtures/blocks, reference output
// committed beside it).
TEST(LiveCli, BlocksJsonEqualsCcusage) {
  auto db = temp_dir("blocks") / "s.db";
  auto r = run_costdeck("report blocks --json --compat ccusage -z UTC --claude-dir '" + kFixtures +
                        "/blocks/claude' --db '" + db.string() + "' --now 2026-11-23T00:00:00Z");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(json::parse(r.out), read_json(kFixtures + "/blocks/ccusage-blocks.json"));
}

// Rule: the active block carries burn rate, projection and, with --token-limit, a status.
TEST(LiveCli, ActiveBlockHasProjectionAndLimitStatus) {
  auto dir = temp_dir("active");
  write(dir / "claude/projects/-w-app/s.jsonl", assistant("2026-11-23T10:00:00.000Z", "1", "s", 1000, 0) +
                                                    assistant("2026-11-23T11:00:00.000Z", "2", "s", 1000, 0));
  auto r = run_costdeck("report blocks --json --active --token-limit 5000 -z UTC --claude-dir '" +
                        (dir / "claude").string() + "' --db '" + (dir / "s.db").string() +
                        "' --now 2026-11-23T12:00:00Z");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = json::parse(r.out);
  ASSERT_EQ(j["blocks"].size(), 1u);
  const auto& b = j["blocks"][0];
  EXPECT_TRUE(b["isActive"].get<bool>());
  EXPECT_DOUBLE_EQ(b["burnRate"]["tokensPerMinute"].get<double>(), 2000.0 / 60.0);
  EXPECT_EQ(b["projection"]["remainingMinutes"].get<int>(), 180);
  EXPECT_EQ(b["projection"]["totalTokens"].get<int>(), 2000 + 100 * 60);
  EXPECT_EQ(b["tokenLimitStatus"]["status"], "exceeds");
}

// Rule: `report budgets` exits 3 when a budget is exceeded, 0 otherwise, so an orchestrator
// can stop spending.
TEST(LiveCli, BudgetsExitStatusSaysExceeded) {
  auto dir = temp_dir("budgets");
  write(dir / "claude/projects/-w-app/s.jsonl",
        assistant("2026-11-23T10:00:00.000Z", "1", "s", 1'000'000, 0));
  // 1M sonnet input tokens in one request: long-context billing, $6.
  write(dir / "tight.json", R"({"budgets":[{"unit":"usd","period":"day","limit":2}]})");
  write(dir / "loose.json", R"({"budgets":[{"unit":"usd","period":"day","limit":10}]})");
  std::string common = " -z UTC --claude-dir '" + (dir / "claude").string() + "' --db '" +
                       (dir / "s.db").string() + "' --now 2026-11-23T12:00:00Z --json --config ";
  auto tight = run_costdeck("report budgets" + common + "'" + (dir / "tight.json").string() + "'");
  EXPECT_EQ(tight.status, 3) << tight.out;
  auto j = json::parse(tight.out);
  EXPECT_TRUE(j["exceeded"].get<bool>());
  EXPECT_NEAR(j["budgets"][0]["used"].get<double>(), 6.0, 1e-9);
  EXPECT_EQ(j["budgets"][0]["status"], "exceeds");
  auto loose = run_costdeck("report budgets" + common + "'" + (dir / "loose.json").string() + "'");
  EXPECT_EQ(loose.status, 0) << loose.out;
}

// Rule: the status line reads Claude Code's hook JSON and prints session, today and block
// cost with the burn rate on one line.
TEST(LiveCli, StatuslineFromHookInput) {
  auto dir = temp_dir("status");
  write(dir / "claude/projects/-w-app/s.jsonl",
        assistant("2026-11-22T10:00:00.000Z", "0", "old", 100'000, 0) +        // yesterday: $0.30
            assistant("2026-11-23T10:00:00.000Z", "1", "live", 100'000, 0) +   // $0.30
            assistant("2026-11-23T11:00:00.000Z", "2", "live", 0, 100'000) +   // $1.50
            assistant("2026-11-23T11:30:00.000Z", "3", "other", 100'000, 0));  // $0.30
  std::string hook =
      R"({"session_id":"live","transcript_path":"x","model":{"id":"claude-sonnet-4-5","display_name":"Sonnet 4.5"},"cwd":"/w/app"})";
  auto r = run_costdeck("statusline -z UTC --claude-dir '" + (dir / "claude").string() + "' --db '" +
                            (dir / "s.db").string() + "' --now 2026-11-23T12:00:00Z",
                        hook);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(
      r.out,
      "🤖 Sonnet 4.5 | 💰 $1.80 session / $2.10 today / $2.10 block (3h 0m left) | 🔥 $1.40/hr\n");
}

// Bad hook input is not fatal: the line still shows what does not depend on it.
TEST(LiveCli, StatuslineSurvivesGarbageInput) {
  auto dir = temp_dir("status-bad");
  auto r = run_costdeck("statusline -z UTC --claude-dir '" + (dir / "none").string() + "' --db '" +
                            (dir / "s.db").string() + "' --now 2026-11-23T12:00:00Z",
                        "not json");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "💰 $0.00 today | no active block\n");
}

// Rule: the active block's burn rate and projection equal ccusage 20.0.24's
// (`claude blocks --active --json`) on a timeline ending minutes before the real clock.
TEST(LiveCli, ActiveBlockMatchesLiveCcusage) {
  const char* bin = std::getenv("COSTDECK_CCUSAGE");
  if (!bin || !*bin) GTEST_SKIP() << "COSTDECK_CCUSAGE not set";
  auto dir = temp_dir("active-live");
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto iso = [](long long s) {
    char buf[32];
    std::time_t t = static_cast<std::time_t>(s);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
    return std::string(buf);
  };
  write(dir / "claude/projects/-w-app/s.jsonl", assistant(iso(now_s - 100 * 60), "1", "s", 12000, 800) +
                                                    assistant(iso(now_s - 61 * 60), "2", "s", 30000, 2500) +
                                                    assistant(iso(now_s - 20 * 60), "3", "s", 45000, 4100));
  auto ours = run_costdeck("report blocks --json --active --compat ccusage -z UTC --claude-dir '" +
                           (dir / "claude").string() + "' --db '" + (dir / "s.db").string() + "'");
  ASSERT_EQ(ours.status, 0) << ours.out;
  auto theirs = costdeck::test::run_shell("HOME='" + dir.string() + "' CLAUDE_CONFIG_DIR='" +
                                          (dir / "claude").string() + "' " + bin +
                                          " claude blocks --active --json --offline -z UTC 2>/dev/null")
                    .out;
  auto g = json::parse(ours.out)["blocks"], w = json::parse(theirs)["blocks"];
  ASSERT_EQ(w.size(), 1u);
  ASSERT_EQ(g.size(), 1u);
  for (const char* k :
       {"id", "startTime", "endTime", "isActive", "entries", "tokenCounts", "totalTokens", "models"})
    EXPECT_EQ(w[0][k], g[0][k]) << k;
  EXPECT_NEAR(w[0]["costUSD"].get<double>(), g[0]["costUSD"].get<double>(), 1e-6);
  EXPECT_NEAR(w[0]["burnRate"]["tokensPerMinute"].get<double>(),
              g[0]["burnRate"]["tokensPerMinute"].get<double>(), 1e-6);
  EXPECT_NEAR(w[0]["burnRate"]["costPerHour"].get<double>(), g[0]["burnRate"]["costPerHour"].get<double>(),
              1e-6);
  // The two ran moments apart: a minute boundary between them moves the projection.
  const int wm = w[0]["projection"]["remainingMinutes"].get<int>(),
            gm = g[0]["projection"]["remainingMinutes"].get<int>();
  EXPECT_LE(std::abs(wm - gm), 1);
  if (wm == gm) {
    EXPECT_EQ(w[0]["projection"]["totalTokens"], g[0]["projection"]["totalTokens"]);
    EXPECT_NEAR(w[0]["projection"]["totalCost"].get<double>(), g[0]["projection"]["totalCost"].get<double>(),
                1e-6);
  }
}
