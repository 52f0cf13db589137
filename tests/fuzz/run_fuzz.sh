#!/bin/bash
# Builds the sources fuzz target with clang (libFuzzer + ASan + UBSan) and runs it briefly.
# Usage: run_fuzz.sh <clang++ or empty> <source dir> <work dir> <seconds>
set -u
clangxx=$1 src=$2 work=$3 seconds=$4
if [ -z "$clangxx" ] || ! command -v "$clangxx" >/dev/null; then
  if [ -n "${CI:-}" ]; then
    echo "FAIL: clang++ not found; the fuzz target must run in CI (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
  fi
  echo "clang++ not found: fuzz target skipped"
  exit 77
fi
mkdir -p "$work/corpus" || exit 1
# Seeds: every fixture line file, each prefixed with the mode byte the target reads first.
for f in "$src"/tests/fixtures/claude/*.jsonl "$src"/tests/fixtures/claude/*/*.jsonl; do
  [ -f "$f" ] && { printf '\x00'; cat "$f"; } > "$work/corpus/claude-$(basename "$f")"
done
for f in "$src"/tests/fixtures/codex/*.jsonl "$src"/tests/fixtures/runs/codex_*.jsonl; do
  [ -f "$f" ] && { printf '\x01'; cat "$f"; } > "$work/corpus/codex-$(basename "$f")"
done
bin="$work/sources_fuzz"
"$clangxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$src" "$src"/tests/fuzz/sources_fuzz.cpp "$src"/core/sources/*.cpp "$src"/core/model.cpp \
  -lsimdjson -lxxhash -o "$bin" || { echo "FAIL: building the fuzz target" >&2; exit 1; }
# A crash must fail the test: libFuzzer's default error exit code, 77, is what ctest reads
# as "skipped".
cd "$work" && "$bin" -error_exitcode=1 -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 corpus
