// `costdeck report ... --compat ccusage` against ccusage 20.0.24 on the hand-made corpus in
// tests/fixtures/compat: (a) the JSON ccusage printed for it, committed beside it, and (b) the
// live binary when COSTDECK_CCUSAGE points to it. Tokens must be equal, costs within 1e-6.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_util.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kCompat = std::string(COSTDECK_FIXTURES_DIR) + "/compat";

std::string run(const std::string& cmd) {
  return costdeck::test::run_shell(cmd).out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/costdeck-compat-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

json costdeck_report(const std::string& runtime, const std::string& report, const fs::path& db) {
  std::string cmd = std::string(COSTDECK_BINARY) + " report " + report +
                    " --json --compat ccusage --timezone UTC --runtime " + runtime + " --db " + db.string() +
                    " --claude-dir " + kCompat + "/claude --codex-dir " + kCompat + "/codex 2>/dev/null";
  return json::parse(run(cmd));
}

const char* list_key(const std::string& r) {
  return r == "session" ? "sessions" : r.c_str();
}
const char* row_key(const std::string& r) {
  return r == "daily" ? "date" : r == "monthly" ? "month" : "sessionId";
}

bool is_cost(const std::string& k) {
  return k == "totalCost" || k == "costUSD" || k == "cost";
}

// Every number and every identifying string ccusage prints must be ours too.
void compare_object(const json& want, const json& got, const std::string& where) {
  for (auto it = want.begin(); it != want.end(); ++it) {
    const std::string k = it.key();
    const std::string at = where + "." + k;
    ASSERT_TRUE(got.contains(k)) << at << " missing";
    const json& g = got[k];
    if (it->is_number()) {
      if (is_cost(k))
        EXPECT_NEAR(g.get<double>(), it->get<double>(), 1e-6) << at;
      else
        EXPECT_EQ(g, *it) << at;
    } else if (it->is_string()) {
      EXPECT_EQ(g, *it) << at;
    } else if (k == "modelsUsed") {
      EXPECT_EQ(g, *it) << at;
    } else if (k == "modelBreakdowns") {
      ASSERT_EQ(g.size(), it->size()) << at;
      for (std::size_t i = 0; i < it->size(); ++i) {
        EXPECT_EQ(g[i]["modelName"], (*it)[i]["modelName"]) << at << " order";
        compare_object((*it)[i], g[i], at + "[" + (*it)[i]["modelName"].get<std::string>() + "]");
      }
    } else if (it->is_object()) {
      compare_object(*it, g, at);
    }
  }
}

void compare_report(const json& want, const json& got, const std::string& report, const std::string& label) {
  const char* lk = list_key(report);
  const char* rk = row_key(report);
  ASSERT_TRUE(got.contains(lk)) << label;
  ASSERT_EQ(got[lk].size(), want[lk].size()) << label << " row count";
  for (std::size_t i = 0; i < want[lk].size(); ++i) {
    EXPECT_EQ(got[lk][i][rk], want[lk][i][rk]) << label << " row order";
    compare_object(want[lk][i], got[lk][i], label + "[" + want[lk][i][rk].get<std::string>() + "]");
  }
  compare_object(want["totals"], got["totals"], label + ".totals");
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// claude monthly/session need the store's DedupeRules::Ccusage to count /btw sidechain
// replays again, as ccusage's non-daily loader does (docs/accuracy.md, section 4).
class CcusageCompat : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

// (a) the committed output of ccusage 20.0.24 for this corpus.
TEST_P(CcusageCompat, MatchesCommittedCcusageOutput) {
  const std::string runtime = GetParam().first, report = GetParam().second;
  TempDir tmp;
  json got = costdeck_report(runtime, report, tmp.path / "c.db");
  json want = read_json(kCompat + "/expected/" + runtime + "-" + report + ".json");
  compare_report(want, got, report, runtime + " " + report);
}

// (b) the live binary, when the test script installed it.
TEST_P(CcusageCompat, MatchesLiveCcusage) {
  const char* bin = std::getenv("COSTDECK_CCUSAGE");
  if (!bin || !*bin) GTEST_SKIP() << "COSTDECK_CCUSAGE not set";
  const std::string runtime = GetParam().first, report = GetParam().second;
  TempDir tmp;
  fs::create_directories(tmp.path / "home");
  std::string env = "HOME=" + (tmp.path / "home").string() +
                    (runtime == "claude" ? " CLAUDE_CONFIG_DIR=" + kCompat + "/claude"
                                         : " CODEX_HOME=" + kCompat + "/codex");
  json want = json::parse(
      run(env + " " + bin + " " + runtime + " " + report + " --json --offline -z UTC 2>/dev/null"));
  json got = costdeck_report(runtime, report, tmp.path / "c.db");
  compare_report(want, got, report, "live " + runtime + " " + report);
}

INSTANTIATE_TEST_SUITE_P(
    Reports, CcusageCompat,
    ::testing::Values(std::make_pair("claude", "daily"), std::make_pair("claude", "monthly"),
                      std::make_pair("claude", "session"), std::make_pair("codex", "daily"),
                      std::make_pair("codex", "monthly"), std::make_pair("codex", "session")),
    [](const auto& info) { return std::string(info.param.first) + "_" + info.param.second; });

}  // namespace

namespace {

// Rule: `report blocks --compat ccusage` equals `ccusage claude blocks --json` block by block
// on the whole compat corpus (sidechains, resumed copies, progress copies, gaps of days):
// the same boundaries, gap blocks, entries, tokens and models, costs within 1e-6.
TEST(CcusageBlocks, MatchesLiveCcusageOnTheCompatCorpus) {
  const char* bin = std::getenv("COSTDECK_CCUSAGE");
  if (!bin || !*bin) GTEST_SKIP() << "COSTDECK_CCUSAGE not set";
  TempDir tmp;
  fs::create_directories(tmp.path / "home");
  const std::string env =
      "HOME=" + (tmp.path / "home").string() + " CLAUDE_CONFIG_DIR=" + kCompat + "/claude";
  json want = json::parse(run(env + " " + bin + " claude blocks --json --offline -z UTC 2>/dev/null"));
  json got =
      json::parse(run(std::string(COSTDECK_BINARY) + " report blocks --json --compat ccusage -z UTC --db " +
                      (tmp.path / "c.db").string() + " --claude-dir " + kCompat + "/claude 2>/dev/null"));
  ASSERT_TRUE(want.contains("blocks"));
  ASSERT_TRUE(got.contains("blocks"));
  const json &w = want["blocks"], &g = got["blocks"];
  ASSERT_EQ(w.size(), g.size());
  ASSERT_GT(w.size(), 2u);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::string at = "block " + w[i]["id"].get<std::string>();
    for (const char* k : {"id", "startTime", "endTime", "actualEndTime", "isGap", "isActive", "entries",
                          "tokenCounts", "totalTokens", "models"})
      EXPECT_EQ(w[i][k], g[i][k]) << at << " " << k;
    EXPECT_NEAR(w[i]["costUSD"].get<double>(), g[i]["costUSD"].get<double>(), 1e-6) << at;
  }
}

}  // namespace
