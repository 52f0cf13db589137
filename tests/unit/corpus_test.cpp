// The benchmark corpus generator: deterministic by seed, every shape of formats.md present,
// sized as asked, and every line either valid JSON or one of the malformed lines it meant.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/corpus_gen.hpp"
#include "tests/unit/temp_dir.hpp"

namespace fs = std::filesystem;
using costdeck::bench::CorpusOptions;
using costdeck::bench::CorpusStats;
using costdeck::bench::Kind;

using costdeck::test::read_all;
using costdeck::test::TempDir;

namespace {

std::vector<fs::path> sorted_files(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// FNV-1a over every file's relative path and bytes, in sorted order.
std::uint64_t tree_hash(const fs::path& root) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;
  };
  for (const auto& f : sorted_files(root)) {
    mix(fs::relative(f, root).string());
    mix(read_all(f));
  }
  return h;
}

CorpusStats generate(const std::string& out, std::uint64_t seed, double mb) {
  CorpusOptions o;
  o.out = out;
  o.seed = seed;
  o.size_mb = mb;
  return costdeck::bench::generate_corpus(o);
}

}  // namespace

// Same seed and options → the same bytes; another seed → another corpus.
TEST(Corpus, SameSeedGivesIdenticalBytes) {
  TempDir a("corpus_a"), b("corpus_b"), c("corpus_c");
  generate(a.str(), 42, 4);
  generate(b.str(), 42, 4);
  generate(c.str(), 43, 4);
  const auto ha = tree_hash(a.path());
  EXPECT_EQ(ha, tree_hash(b.path()));
  EXPECT_NE(ha, tree_hash(c.path()));
}

class CorpusShapes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("corpus_shapes");
    stats_ = new CorpusStats(generate(dir_->str(), 1, 16));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete stats_;
  }
  static TempDir* dir_;
  static CorpusStats* stats_;
};
TempDir* CorpusShapes::dir_ = nullptr;
CorpusStats* CorpusShapes::stats_ = nullptr;

// Every shape the generator knows appears at least once, even in a 16 MiB corpus.
TEST_F(CorpusShapes, EveryKindIsPresent) {
  for (int k = 0; k < static_cast<int>(Kind::kCount); ++k)
    EXPECT_GT(stats_->kinds[k], 0) << costdeck::bench::kKindNames[k];
  // Responses are split over several lines, and copies are a real share of them.
  EXPECT_GT(stats_->count(Kind::AssistantMore), stats_->count(Kind::AssistantFirst) / 3);
  EXPECT_GT(stats_->largest_line, 1 << 20);
}

// Sizes near the request: bytes within 10 %, about 4.5 transcripts and 460 lines per MiB.
TEST_F(CorpusShapes, SizesAreNearTheRequest) {
  const double mib = static_cast<double>(stats_->bytes) / 1048576.0;
  EXPECT_NEAR(mib, 16.0, 1.6);
  EXPECT_NEAR(static_cast<double>(stats_->jsonl_files), 16 * 4.5, 3);
  EXPECT_GT(stats_->lines, 16 * 330);
  EXPECT_LT(stats_->lines, 16 * 620);
  EXPECT_NEAR(static_cast<double>(stats_->codex_bytes) / static_cast<double>(stats_->bytes), 0.1, 0.04);
}

// The statistics describe what is on disk, in the layouts formats.md lists.
TEST_F(CorpusShapes, TreeMatchesTheStatistics) {
  std::int64_t jsonl = 0, bytes = 0, files = 0, subagent_dirs = 0, agent_beside = 0, codex = 0, meta = 0;
  for (const auto& f : sorted_files(dir_->path())) {
    const auto rel = fs::relative(f, dir_->path()).string();
    if (rel == "corpus.json") continue;
    ++files;
    if (f.extension() == ".jsonl") {
      ++jsonl;
      bytes += static_cast<std::int64_t>(fs::file_size(f));
    }
    if (rel.find("/subagents/agent-") != std::string::npos && f.extension() == ".jsonl") ++subagent_dirs;
    if (rel.find("/subagents/") != std::string::npos && rel.ends_with(".meta.json")) ++meta;
    if (rel.starts_with("claude/projects/-home-dev-work-") && f.filename().string().starts_with("agent-") &&
        f.parent_path().parent_path().filename() == "projects")
      ++agent_beside;
    if (rel.starts_with("codex/sessions/")) {
      ++codex;
      // codex/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl
      EXPECT_EQ(rel.size(),
                std::string("codex/sessions/2025/10/01/rollout-2025-10-01T12-00-00-").size() + 36 + 6)
          << rel;
      EXPECT_EQ(rel.substr(15, 10), rel.substr(34, 4) + "/" + rel.substr(39, 2) + "/" + rel.substr(42, 2))
          << rel;
    }
  }
  EXPECT_EQ(files, stats_->files);
  EXPECT_EQ(jsonl, stats_->jsonl_files);
  EXPECT_EQ(bytes, stats_->bytes);
  EXPECT_EQ(subagent_dirs, stats_->count(Kind::FileSubagent21));
  EXPECT_EQ(meta, stats_->count(Kind::FileMetaJson));
  EXPECT_EQ(agent_beside, stats_->count(Kind::FileAgent20));
  EXPECT_EQ(codex, stats_->count(Kind::FileCodex));
}

// Every complete line is a JSON object except the malformed ones it wrote on purpose; the
// copies of one response repeat input and cache counts while output_tokens grows; Codex
// cumulative totals never go down.
TEST_F(CorpusShapes, LinesParseAndResponsesAreConsistent) {
  simdjson::dom::parser parser;
  std::int64_t lines = 0, malformed = 0, unterminated = 0, copies_checked = 0;
  struct Seen {
    std::int64_t in, read, out;
  };
  for (const auto& f : sorted_files(dir_->path())) {
    if (f.extension() != ".jsonl") continue;
    const bool codex = f.string().find("/codex/") != std::string::npos;
    const std::string data = read_all(f);
    std::map<std::string, Seen> responses;
    std::int64_t last_total = 0;
    std::size_t pos = 0;
    while (pos < data.size()) {
      const auto nl = data.find('\n', pos);
      if (nl == std::string::npos) {
        ++unterminated;
        break;
      }
      ++lines;
      simdjson::dom::element doc;
      const bool ok = !parser.parse(data.data() + pos, nl - pos).get(doc) && doc.is_object();
      pos = nl + 1;
      if (!ok) {
        ++malformed;
        continue;
      }
      if (codex) {
        int64_t total = 0;
        if (!doc.at_pointer("/payload/info/total_token_usage/total_tokens").get(total)) {
          EXPECT_GE(total, last_total) << f;
          last_total = total;
        }
        continue;
      }
      std::string_view type, id, req;
      if (doc["type"].get(type) || type != "assistant") continue;
      if (doc.at_pointer("/message/id").get(id) || doc["requestId"].get(req)) continue;
      std::int64_t in = 0, read = 0, out = 0;
      if (doc.at_pointer("/message/usage/input_tokens").get(in) ||
          doc.at_pointer("/message/usage/cache_read_input_tokens").get(read) ||
          doc.at_pointer("/message/usage/output_tokens").get(out))
        continue;
      const std::string key = std::string(id) + "|" + std::string(req);
      auto [it, fresh] = responses.try_emplace(key, Seen{in, read, out});
      if (!fresh) {
        EXPECT_EQ(it->second.in, in) << key;
        EXPECT_EQ(it->second.read, read) << key;
        EXPECT_GE(out, it->second.out) << key;
        it->second.out = out;
        ++copies_checked;
      }
    }
  }
  EXPECT_EQ(lines, stats_->lines);
  EXPECT_EQ(malformed,
            stats_->count(Kind::Truncated) + stats_->count(Kind::NulRun) + stats_->count(Kind::Garbage));
  EXPECT_EQ(unterminated, stats_->count(Kind::UnterminatedLast));
  EXPECT_GT(copies_checked, 100);
}
