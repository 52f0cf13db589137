#pragma once
// Deterministic corpus of agent session files for benchmarks and large compatibility checks:
// a Claude Code tree under OUT/claude/projects/ and a Codex tree under OUT/codex/sessions/,
// shaped like formats.md describes and sized like the corpus (about 4.5 transcripts
// and 460 lines per MiB). The same options give the same bytes.

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bench/corpus_claude.hpp"
#include "tests/bench/corpus_codex.hpp"

namespace costdeck::bench {

class CorpusGenerator {
 public:
  explicit CorpusGenerator(CorpusOptions opts) : o_(std::move(opts)), rng_(o_.seed), pool_(o_.seed) {}

  CorpusStats run() {
    if (o_.out.empty()) throw std::invalid_argument("corpus: no output directory");
    start_ms_ = parse_date(o_.start_date);
    total_ = static_cast<std::int64_t>(o_.size_mb * 1048576.0);
    const std::int64_t files =
        o_.files > 0 ? o_.files : std::max<std::int64_t>(4, std::llround(o_.size_mb * 4.5));
    const double share = std::clamp(o_.codex_share, 0.0, 1.0);
    std::int64_t codex_files = std::llround(static_cast<double>(files) * share);
    if (share > 0 && codex_files == 0) codex_files = 1;
    const std::int64_t claude_files = files - codex_files;
    const auto codex_bytes = static_cast<std::int64_t>(static_cast<double>(total_) * share);
    EmitFile emit = [this](const std::string& rel, const std::string& content, Kind k) {
      write(rel, content, k);
    };
    make_projects(files);
    if (claude_files > 0) claude(claude_files, total_ - codex_bytes, emit);
    if (codex_files > 0) codex(codex_files, codex_bytes, emit);
    return stats_;
  }

 private:
  struct Project {
    std::string cwd, dir;
    std::vector<std::string> last_lines;  // of its latest session, for a resumed one to copy
    std::vector<std::string> sessions;
  };

  static std::int64_t parse_date(const std::string& s) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
      throw std::invalid_argument("corpus: --start-date must be YYYY-MM-DD, got '" + s + "'");
    return days_from_civil(y, m, d) * 86400000;
  }

  void make_projects(std::int64_t files) {
    static constexpr const char* kNames[] = {"costdeck",     "web_app",       "api.server", "infra",
                                             "mobile-app",   "data pipeline", "docs",       "billing",
                                             "auth_service", "ml-models"};
    const int n = static_cast<int>(std::clamp<std::int64_t>(files / 150, 3, 40));
    for (int i = 0; i < n; ++i) {
      Project p;
      p.cwd = std::string("/home/dev/work/") + kNames[i % 10] + (i >= 10 ? "-" + std::to_string(i / 10) : "");
      p.dir = "claude/projects/";
      for (char c : p.cwd) p.dir += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
      projects_.push_back(std::move(p));
    }
  }

  std::int64_t time_at(double frac) {
    const auto day = static_cast<std::int64_t>(frac * o_.days);
    std::int64_t ms = start_ms_ + day * 86400000 + rng_.range(6 * 3600000, 23 * 3600000 + 1800000);
    if (rng_.chance(0.04)) ms += 3600000;  // some start after midnight UTC
    return ms;
  }

  std::string branch() {
    const double r = rng_.unit();
    if (r < 0.4) return "main";
    if (r < 0.95) {
      static constexpr const char* kWords[] = {"login", "cron-jobs", "report", "cache", "onboarding"};
      return std::string(r < 0.8 ? "feature/MIN-" : "fix/MIN-") + std::to_string(rng_.range(1, 400)) + "-" +
             rng_.pick(kWords);
    }
    return "HEAD";
  }

  void claude(std::int64_t files, std::int64_t bytes, const EmitFile& emit) {
    ClaudeSessionWriter writer(pool_, rng_, stats_, emit);
    const double mib = o_.size_mb;
    int bigs_left = static_cast<int>(std::max<long long>(1, std::llround(mib / 48)));
    std::int64_t done_files = 0;
    while (done_files < files) {
      const double frac = static_cast<double>(done_files) / static_cast<double>(files);
      const std::int64_t remaining_files = files - done_files;
      const std::int64_t remaining = std::max<std::int64_t>(bytes - claude_written_, remaining_files * 8192);
      const double mean = static_cast<double>(remaining) / static_cast<double>(remaining_files);
      ClaudeSessionPlan p;
      Project& proj = projects_[rng_.below(projects_.size())];
      p.project_dir = proj.dir;
      p.cwd = proj.cwd;
      p.session_id = make_uuid(rng_);
      p.git_branch = branch();
      p.era = frac < 0.2 ? 0 : frac < 0.5 ? 1 : 2;
      static constexpr const char* kVersions[] = {"1.0.128", "2.0.37", "2.1.14"};
      p.version = kVersions[p.era];
      if (rng_.chance(0.01) || (p.era == 2 && need(forced_odd_))) p.version = "2.1.15-beta.1";
      p.main_model = model_for(p.era);
      // Rare shapes appear at least once however small the corpus.
      if (p.era >= 1 && done_files > 0 && need(forced_unknown_)) p.main_model = kUnknownModel;
      if (p.era >= 1 && p.main_model.find("sonnet-4-5") == std::string::npos &&
          p.main_model != kUnknownModel && done_files > 1 && need(forced_long_))
        p.main_model = "claude-sonnet-4-5-20250929", p.long_context = true;
      p.long_context =
          p.long_context || (p.main_model.find("sonnet-4-5") != std::string::npos && rng_.chance(0.15));
      p.one_hour_cache = p.era == 2 && rng_.chance(0.3);
      p.tool_result_file = p.era == 2 && need(forced_txt_);
      p.start_ms = time_at(frac);
      if (p.era > 0) {
        const double r = rng_.unit();
        p.subagents = r < 0.55 ? 0 : r < 0.8 ? 1 : r < 0.92 ? 2 : static_cast<int>(rng_.range(3, 5));
        p.subagents = static_cast<int>(std::min<std::int64_t>(p.subagents, remaining_files - 1));
      }
      const double session = mean * (1 + p.subagents) * std::clamp(rng_.lognormal(1.0, 0.6), 0.15, 5.0);
      p.main_target = static_cast<std::size_t>(p.subagents ? session * 0.6 : session);
      if (remaining_files == 1)
        p.main_target = static_cast<std::size_t>(std::max<std::int64_t>(remaining, 4096));
      p.agent_target = p.subagents ? static_cast<std::size_t>(session * 0.4 / p.subagents) : 0;
      const double p_big = bigs_left * session / static_cast<double>(remaining);
      if (bigs_left > 0 && (rng_.chance(p_big) || remaining_files <= 1 + p.subagents)) {
        p.big_lines = 1;
        --bigs_left;
        p.big_line_bytes = o_.big_line_mb > 0 ? static_cast<std::size_t>(o_.big_line_mb * 1048576)
                                              : static_cast<std::size_t>(rng_.range(1536, 5120)) * 1024;
        p.big_line_bytes = std::min<std::size_t>(p.big_line_bytes, static_cast<std::size_t>(total_ / 10));
      }
      if (!proj.last_lines.empty() && (rng_.chance(0.08) || need(forced_resume_)))
        p.resume_from = &proj.last_lines;
      p.unterminated_last = remaining_files == 1 + p.subagents;
      p.malformed_each = done_files == 0;
      auto result = writer.write(p);
      proj.last_lines = std::move(result.first_lines);
      proj.sessions.push_back(p.session_id);
      done_files += 1 + p.subagents;
    }
    // Empty transcripts (a session opened and closed at once) and the index files 2.x keeps.
    for (std::int64_t i = 0, n = std::max<std::int64_t>(1, files / 300); i < n; ++i)
      write(projects_[rng_.below(projects_.size())].dir + "/" + make_uuid(rng_) + ".jsonl", "",
            Kind::FileEmpty);
    for (auto& p : projects_) {
      std::string idx = "{\"version\":1,\"entries\":[";
      for (std::size_t i = 0; i < p.sessions.size() && i < 50; ++i) {
        if (i) idx += ',';
        idx += "{\"sessionId\":\"" + p.sessions[i] + "\",\"fullPath\":\"" + p.sessions[i] +
               ".jsonl\",\"messageCount\":" + std::to_string(rng_.range(4, 400)) + ",\"projectPath\":\"" +
               p.cwd + "\"}";
      }
      idx += "]}\n";
      write(p.dir + "/sessions-index.json", idx, Kind::FileSessionsIndex);
    }
  }

  std::string model_for(int era) {
    const double r = rng_.unit();
    if (era == 0) return r < 0.6 ? "claude-sonnet-4-20250514" : "claude-opus-4-1-20250805";
    if (r < 0.5) return "claude-opus-4-5-20251101";
    if (r < 0.86) return "claude-sonnet-4-5-20250929";
    if (r < 0.985) return "claude-haiku-4-5-20251001";
    return kUnknownModel;
  }

  void codex(std::int64_t files, std::int64_t bytes, const EmitFile& emit) {
    CodexWriter writer(pool_, rng_, stats_, emit);
    for (std::int64_t i = 0; i < files; ++i) {
      const std::int64_t remaining = std::max<std::int64_t>(bytes - codex_written_, (files - i) * 4096);
      const double mean = static_cast<double>(remaining) / static_cast<double>(files - i);
      CodexPlan p;
      p.session_id = make_uuid(rng_);
      p.start_ms = time_at(static_cast<double>(i) / static_cast<double>(files));
      const Civil c = civil_from_ms(p.start_ms);
      char name[96];
      std::snprintf(name, sizeof name, "codex/sessions/%04d/%02u/%02u/rollout-%04d-%02u-%02uT%02u-%02u-%02u-",
                    c.y, c.m, c.d, c.y, c.m, c.d, c.hh, c.mm, c.ss);
      p.rel_path = name + p.session_id + ".jsonl";
      const Project& proj = projects_[rng_.below(projects_.size())];
      p.cwd = proj.cwd;
      p.git_branch = branch();
      const double r = rng_.unit();
      p.model = r < 0.6 ? "gpt-5-codex" : r < 0.95 ? "gpt-5" : "gpt-5-mini";
      p.no_turn_context = rng_.chance(0.03) || i == 0;
      if (rng_.chance(0.08) || i == 1) p.second_model = p.model == "gpt-5" ? "gpt-5-codex" : "gpt-5";
      p.target = i + 1 == files
                     ? static_cast<std::size_t>(remaining)
                     : static_cast<std::size_t>(mean * std::clamp(rng_.lognormal(1.0, 0.7), 0.1, 5.0));
      writer.write(p);
    }
  }

  void write(const std::string& rel, const std::string& content, Kind kind) {
    const std::filesystem::path path = std::filesystem::path(o_.out) / rel;
    const auto dir = path.parent_path().string();
    if (dirs_.insert(dir).second) std::filesystem::create_directories(dir);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("corpus: cannot write " + path.string());
    const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("corpus: short write to " + path.string());
    ++stats_.files;
    stats_.add(kind);
    if (rel.size() < 6 || rel.compare(rel.size() - 6, 6, ".jsonl") != 0) return;
    ++stats_.jsonl_files;
    const auto size = static_cast<std::int64_t>(content.size());
    stats_.bytes += size;
    (kind == Kind::FileCodex ? codex_written_ : claude_written_) += size;
    (kind == Kind::FileCodex ? stats_.codex_bytes : stats_.claude_bytes) += size;
    std::size_t pos = 0;
    while (pos < content.size()) {
      const auto nl = content.find('\n', pos);
      if (nl == std::string::npos) break;
      ++stats_.lines;
      stats_.largest_line = std::max<std::int64_t>(stats_.largest_line, static_cast<std::int64_t>(nl - pos));
      pos = nl + 1;
    }
  }

  static constexpr const char* kUnknownModel = "claude-mystery-9-20260101";  // in no price table

  // True the first time it is asked for a given flag: forces one instance of a rare shape.
  static bool need(bool& done) { return done ? false : (done = true); }

  CorpusOptions o_;
  bool forced_odd_ = false, forced_unknown_ = false, forced_long_ = false, forced_txt_ = false,
       forced_resume_ = false;
  Rng rng_;
  TextPool pool_;
  CorpusStats stats_;
  std::vector<Project> projects_;
  std::set<std::string> dirs_;
  std::int64_t start_ms_ = 0, total_ = 0;
  std::int64_t claude_written_ = 0, codex_written_ = 0;
};

inline CorpusStats generate_corpus(const CorpusOptions& opts) {
  return CorpusGenerator(opts).run();
}

// About `mb` MiB of new, complete lines of one Claude Code session (fresh message ids), for
// the benchmark that appends to a file of an already ingested corpus.
inline std::string generate_append_chunk(std::uint64_t seed, double mb, const std::string& session_id,
                                         std::int64_t start_ms) {
  Rng rng(seed ^ 0xa99e4dull);
  TextPool pool(seed ^ 0xa99e4dull, 1u << 20);
  CorpusStats stats;
  std::string chunk;
  EmitFile keep = [&chunk](const std::string&, const std::string& content, Kind kind) {
    if (kind == Kind::FileClaudeSession) chunk = content;
  };
  ClaudeSessionWriter writer(pool, rng, stats, keep);
  ClaudeSessionPlan p;
  p.project_dir = "claude/projects/-home-dev-work-appended";
  p.cwd = "/home/dev/work/appended";
  p.session_id = session_id;
  p.git_branch = "main";
  p.era = 1;
  p.version = "2.0.37";
  p.main_model = "claude-sonnet-4-5-20250929";
  p.start_ms = start_ms;
  p.main_target = static_cast<std::size_t>(mb * 1048576.0);
  writer.write(p);
  chunk.resize(chunk.rfind('\n') + 1);  // complete lines only: all of it must be read
  return chunk;
}

}  // namespace costdeck::bench
