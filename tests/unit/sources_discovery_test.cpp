#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/sources/discovery.hpp"

namespace fs = std::filesystem;
using namespace costdeck::sources;

namespace {

struct Tree {
  fs::path dir;
  Tree() {
    dir = fs::temp_directory_path() / ("costdeck-discovery-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Tree() { fs::remove_all(dir); }
  void file(const std::string& rel, const std::string& text = "{}\n") {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  std::string p(const std::string& rel) const { return (dir / rel).string(); }
};

DiscoveryOptions isolated(const Tree& t) {
  DiscoveryOptions o;
  o.use_process_env = false;
  o.home = t.p("home");
  return o;
}

const DiscoveredFile* find(const Discovery& d, const std::string& suffix) {
  for (const auto& f : d.files)
    if (f.path.ends_with(suffix)) return &f;
  return nullptr;
}

}  // namespace

TEST(SourcesDiscovery, AllThreeClaudeLayouts) {
  // 1.0.x session files, 2.0.x agent-<id>.jsonl siblings and 2.1.x <session>/subagents/;
  // sessions-index.json and tool-results/*.txt are not transcripts.
  Tree t;
  t.file("home/.claude/projects/-home-u-p/sess-a.jsonl");
  t.file("home/.claude/projects/-home-u-p/agent-a1b2.jsonl");
  t.file("home/.claude/projects/-home-u-p/sess-b/subagents/agent-c3d4.jsonl");
  t.file("home/.claude/projects/-home-u-p/sess-b/subagents/agent-c3d4.meta.json");
  t.file("home/.claude/projects/-home-u-p/sess-b.jsonl");
  t.file("home/.claude/projects/-home-u-p/sessions-index.json");
  t.file("home/.claude/projects/-home-u-p/sess-b/tool-results/x.txt");
  const Discovery d = discover_session_files(isolated(t));
  ASSERT_EQ(d.files.size(), 4u);
  EXPECT_TRUE(std::is_sorted(d.files.begin(), d.files.end(),
                             [](const auto& a, const auto& b) { return a.path < b.path; }));
  const auto* a = find(d, "/sess-a.jsonl");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->project_dir, "-home-u-p");
  EXPECT_EQ(a->parent_session_id, "sess-a");
  EXPECT_EQ(a->agent_id, "");
  EXPECT_EQ(a->size, 3);
  EXPECT_EQ(a->kind, FileKind::ClaudeTranscript);
  const auto* sib = find(d, "/agent-a1b2.jsonl");
  ASSERT_NE(sib, nullptr);
  EXPECT_EQ(sib->agent_id, "a1b2");
  EXPECT_EQ(sib->parent_session_id, "");
  EXPECT_EQ(sib->ccusage_session_id, "agent-a1b2");  // ccusage treats it as its own session
  const auto* sub = find(d, "/subagents/agent-c3d4.jsonl");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->agent_id, "c3d4");
  EXPECT_EQ(sub->parent_session_id, "sess-b");
  EXPECT_EQ(sub->ccusage_session_id, "sess-b");
  EXPECT_EQ(sub->ccusage_project, "-home-u-p");
  EXPECT_EQ(sub->project_dir, "-home-u-p");
}

TEST(SourcesDiscovery, DefaultRootsAreXdgThenDotClaude) {
  // Without CLAUDE_CONFIG_DIR: $XDG_CONFIG_HOME/claude (default ~/.config/claude) and ~/.claude;
  // both are reported as looked at, only existing ones contribute.
  Tree t;
  t.file("home/.config/claude/projects/p/s1.jsonl");
  const Discovery d = discover_session_files(isolated(t));
  ASSERT_GE(d.roots.size(), 3u);
  EXPECT_EQ(d.roots[0].data_dir, t.p("home/.config/claude/projects"));
  EXPECT_TRUE(d.roots[0].exists);
  EXPECT_EQ(d.roots[0].files, 1);
  EXPECT_EQ(d.roots[1].data_dir, t.p("home/.claude/projects"));
  EXPECT_FALSE(d.roots[1].exists);
  EXPECT_EQ(d.roots[2].runtime, costdeck::Runtime::Codex);
  EXPECT_EQ(d.roots[2].data_dir, t.p("home/.codex/sessions"));
  EXPECT_EQ(d.files.size(), 1u);
}

TEST(SourcesDiscovery, ClaudeConfigDirCommaListReplacesDefaults) {
  // CLAUDE_CONFIG_DIR is a comma list with ~ expanded; a projects/ folder may be named directly.
  Tree t;
  t.file("home/.claude/projects/p/ignored.jsonl");
  t.file("home/work/projects/p/w.jsonl");
  t.file("other/projects/q/o.jsonl");
  DiscoveryOptions o = isolated(t);
  o.claude_config_dir = " ~/work , " + t.p("other/projects") + ",," + t.p("missing");
  o.codex = false;
  const Discovery d = discover_session_files(o);
  ASSERT_EQ(d.roots.size(), 3u);
  EXPECT_EQ(d.roots[0].root, t.p("home/work"));
  EXPECT_EQ(d.roots[0].origin, "CLAUDE_CONFIG_DIR");
  EXPECT_EQ(d.roots[1].data_dir, t.p("other/projects"));
  EXPECT_FALSE(d.roots[2].exists);
  ASSERT_EQ(d.files.size(), 2u);
  EXPECT_EQ(find(d, "ignored.jsonl"), nullptr);
  // Explicit directories win over the environment.
  o.claude_dirs = {t.p("other")};
  const Discovery e = discover_session_files(o);
  ASSERT_EQ(e.files.size(), 1u);
  EXPECT_EQ(e.roots[0].origin, "--claude-dir");
}

TEST(SourcesDiscovery, CodexHomeSessions) {
  // Codex: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl (default ~/.codex).
  Tree t;
  t.file("codex/sessions/2025/10/01/rollout-2025-10-01T10-00-00-abc.jsonl");
  t.file("home/.codex/sessions/2025/10/02/rollout-x.jsonl");
  DiscoveryOptions o = isolated(t);
  o.claude = false;
  o.codex_home = t.p("codex");
  const Discovery d = discover_session_files(o);
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].kind, FileKind::CodexRollout);
  EXPECT_EQ(d.files[0].data_dir, t.p("codex/sessions"));
  o.codex_home.clear();
  EXPECT_EQ(discover_session_files(o).files.size(), 1u);
  EXPECT_TRUE(discover_session_files(o).files[0].path.ends_with("rollout-x.jsonl"));
}

// The store keys files by path: a folder given relative to the working directory is
// listed with absolute paths, so running from elsewhere finds the same files, not new ones.
TEST(SourcesDiscovery, RelativeRootsGiveAbsolutePaths) {
  Tree t;
  t.file("cfg/projects/-w-app/s1.jsonl");
  const fs::path before = fs::current_path();
  fs::current_path(t.dir);
  DiscoveryOptions o = isolated(t);
  o.claude_dirs = {"./cfg/"};
  const Discovery d = discover_session_files(o);
  fs::current_path(before);
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].path, t.p("cfg/projects/-w-app/s1.jsonl"));
  EXPECT_EQ(d.files[0].project_dir, "-w-app");
}

// A first scan walks the project folders on two threads: the same files, in the same order,
// described the same, with the same warnings.
TEST(SourcesDiscovery, TwoThreadWalkFindsWhatOneThreadFinds) {
  Tree t;
  for (int p = 0; p < 40; ++p) {
    const std::string proj = "home/.claude/projects/-home-u-p" + std::to_string(p) + "/";
    t.file(proj + "s" + std::to_string(p) + ".jsonl");
    if (p % 3 == 0) t.file(proj + "agent-a" + std::to_string(p) + ".jsonl");
    if (p % 4 == 0)
      t.file(proj + "s" + std::to_string(p) + "/subagents/agent-x" + std::to_string(p) + ".jsonl");
    if (p % 5 == 0) t.file(proj + "notes.txt");
  }
  fs::create_symlink(t.p("home/.claude/projects/-home-u-p1/s1.jsonl"),
                     t.p("home/.claude/projects/-home-u-p2/linked.jsonl"));
  fs::create_directories(t.p("home/.claude/projects/-home-u-locked"));
  fs::permissions(t.p("home/.claude/projects/-home-u-locked"), fs::perms::none);
  DiscoveryOptions one = isolated(t), two = isolated(t);
  two.two_threads = true;
  const Discovery a = discover_session_files(one), b = discover_session_files(two);
  fs::permissions(t.p("home/.claude/projects/-home-u-locked"), fs::perms::owner_all);
  ASSERT_EQ(a.files.size(), 40u + 14u + 10u + 1u);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].size, b.files[i].size);
    EXPECT_EQ(a.files[i].inode, b.files[i].inode);
    EXPECT_EQ(a.files[i].project_dir, b.files[i].project_dir);
    EXPECT_EQ(a.files[i].parent_session_id, b.files[i].parent_session_id);
  }
  EXPECT_EQ(a.warnings, b.warnings);
}
