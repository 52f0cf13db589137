// Writes the benchmark corpus: `costdeck_gen_corpus --out DIR [--seed N] [--size-mb N] ...`.
// Prints what it wrote as JSON on stdout and keeps the same JSON in DIR/corpus.json.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/bench/corpus_gen.hpp"

int main(int argc, char** argv) {
  costdeck::bench::CorpusOptions o;
  bool force = false;
  std::string chunk_out, chunk_session = "00000000-0000-4000-8000-000000000000";
  double chunk_mb = 1;
  CLI::App app{"Generate a deterministic corpus of Claude Code and Codex session files"};
  app.add_option("--out", o.out, "Output directory (gets claude/ and codex/)");
  app.add_option("--seed", o.seed, "Seed: the same seed and options give the same bytes");
  app.add_option("--size-mb", o.size_mb, "Total size of the transcripts in MiB")->check(CLI::PositiveNumber);
  app.add_option("--files", o.files, "Number of .jsonl transcripts (default: about 4.5 per MiB)");
  app.add_option("--codex-share", o.codex_share, "Share of files and bytes that are Codex rollouts")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--days", o.days, "Days the sessions spread over")->check(CLI::PositiveNumber);
  app.add_option("--start-date", o.start_date, "First day, YYYY-MM-DD (UTC)");
  app.add_option("--big-line-mb", o.big_line_mb, "Size of the multi-MB lines (default 1.5-5 MiB)");
  app.add_flag("--force", force, "Replace an existing corpus in --out");
  app.add_option("--chunk-out", chunk_out,
                 "Instead of a corpus, write new session lines to append to a file");
  app.add_option("--chunk-mb", chunk_mb, "Size of the --chunk-out lines in MiB");
  app.add_option("--chunk-session", chunk_session, "sessionId of the --chunk-out lines");
  CLI11_PARSE(app, argc, argv);
  if (!chunk_out.empty()) {
    const std::int64_t start = costdeck::bench::days_from_civil(2030, 1, 1) * 86400000;
    std::ofstream(chunk_out, std::ios::binary)
        << costdeck::bench::generate_append_chunk(o.seed, chunk_mb, chunk_session, start);
    return 0;
  }
  if (o.out.empty()) {
    std::cerr << "costdeck_gen_corpus: --out is required\n";
    return 2;
  }

  namespace fs = std::filesystem;
  const fs::path out(o.out);
  for (const char* sub : {"claude", "codex"}) {
    if (!fs::exists(out / sub)) continue;
    if (!force) {
      std::cerr << "costdeck_gen_corpus: " << (out / sub).string() << " exists; use --force to replace it\n";
      return 2;
    }
    fs::remove_all(out / sub);
  }
  const auto t0 = std::chrono::steady_clock::now();
  costdeck::bench::CorpusStats stats;
  try {
    stats = costdeck::bench::generate_corpus(o);
  } catch (const std::exception& e) {
    std::cerr << "costdeck_gen_corpus: " << e.what() << "\n";
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string json = stats.to_json();
  std::ofstream(out / "corpus.json") << json << "\n";
  std::cout << json << "\n";
  std::fprintf(stderr, "costdeck_gen_corpus: %lld transcripts, %.1f MiB, %lld lines in %.1f s\n",
               static_cast<long long>(stats.jsonl_files), static_cast<double>(stats.bytes) / 1048576.0,
               static_cast<long long>(stats.lines), secs);
  return 0;
}
