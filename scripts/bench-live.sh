#!/usr/bin/env bash
# Live-path benchmark on the 1 GiB generated corpus (the one scripts/bench.sh caches):
#   1. `costdeck statusline` latency with the whole history already ingested (target < 50 ms),
#   2. CPU of the worker following the files and the store while nothing is written
#      (target < 1% of a core), and append / record -> snapshot latency (target 1 s),
#      measured by tests/bench/costdeck_live_bench,
#   3. CPU of the running app (window under Xvfb, when Xvfb exists), from /proc/PID/stat
#      over an idle span.
#
#   scripts/bench-live.sh [--build DIR] [--size-mb 1024] [--seed 1] [--reps 10] [--idle 30]
#                         [--sections statusline,worker,app]
#
# Builds costdeck and costdeck_live_bench in DIR (default build/live), ingests the corpus
# into build/live-bench/history.db once, works on a hard-linked copy of the corpus (only
# the file appended to is a real copy), and prints "name value unit" lines.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build/live SIZE_MB=1024 SEED=1 REPS=10 IDLE=30 SECTIONS=statusline,worker,app
while (($#)); do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --sections) SECTIONS=$2; shift 2 ;;
    -h|--help) sed -n "2,15p" "$0"; exit 0 ;;
    *) echo "bench-live: unknown option $1" >&2; exit 2 ;;
  esac
done
log() { echo "bench-live: $*" >&2; }
has_section() { [[ ",$SECTIONS," == *",$1,"* ]]; }

cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
cmake --build "$BUILD" -j2 --target costdeck costdeck_live_bench costdeck_gen_corpus >/dev/null
COSTDECK=$BUILD/costdeck LIVE_BENCH=$BUILD/tests/costdeck_live_bench GEN=$BUILD/tests/costdeck_gen_corpus

GEN_TAG=$(cat "$ROOT"/tests/bench/corpus_*.hpp | cksum | cut -d' ' -f1)
CORPUS=$ROOT/build/bench-corpus/seed$SEED-${SIZE_MB}mb-$GEN_TAG
if [[ ! -f $CORPUS/corpus.json ]]; then
  log "generating the corpus in $CORPUS"
  "$GEN" --out "$CORPUS" --seed "$SEED" --size-mb "$SIZE_MB" --force >/dev/null
fi
WORK=$ROOT/build/live-bench
mkdir -p "$WORK"
HOME_TMP=$(mktemp -d)
trap 'rm -rf "$HOME_TMP"' EXIT
clean_env=(env -i PATH=/usr/bin:/bin HOME="$HOME_TMP" LANG=C.UTF-8 TZ=UTC)

# A hard-linked copy of the corpus; the file the bench appends to is copied for real.
rm -rf "$WORK/corpus" && mkdir -p "$WORK/corpus"
cp -al "$CORPUS/claude" "$WORK/corpus/claude"
cp -al "$CORPUS/codex" "$WORK/corpus/codex"
target=$(find "$WORK/corpus/claude" -name '*.jsonl' -size +200k -not -name 'agent-*' | sort | awk 'NR == 1')
cp "$target" "$target.copy" && mv "$target.copy" "$target"

DB=$WORK/history.db
if [[ ! -f $DB.done-$GEN_TAG ]]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  log "ingesting the corpus into $DB"
  "${clean_env[@]}" "$COSTDECK" ingest --claude-dir "$WORK/corpus/claude" --codex-dir "$WORK/corpus/codex" \
    --db "$DB" >/dev/null 2>&1
  touch "$DB.done-$GEN_TAG"
fi
# Catch up with the appends of earlier runs, so every timed run sees an ingested history.
"${clean_env[@]}" "$COSTDECK" ingest --claude-dir "$WORK/corpus/claude" --codex-dir "$WORK/corpus/codex" \
  --db "$DB" >/dev/null 2>&1
find "$WORK/corpus" -type f -name '*.jsonl' -exec cat {} + >/dev/null  # page cache
echo "load_average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. statusline ----------------------------------------------------------------------------
# Input lines "wall_ms cpu_ms"; prints the medians (the machine may be shared: CPU is the
# steadier figure, the target is stated in wall time).
median_of() {
  local rows; rows=$(cat)
  local w c
  w=$(cut -d' ' -f1 <<<"$rows" | sort -n | awk '{a[NR] = $1} END {printf "%d ms wall (min %d, max %d)", a[int(NR / 2) + 1], a[1], a[NR]}')
  c=$(cut -d' ' -f2 <<<"$rows" | sort -n | awk '{a[NR] = $1} END {printf "%d ms CPU, n=%d", a[int(NR / 2) + 1], NR}')
  echo "$w, $c"
}
if has_section statusline; then
  session=$(basename "$target" .jsonl)
  hook=$(printf '{"session_id":"%s","transcript_path":"%s","cwd":"/bench","model":{"id":"claude-sonnet-4-5","display_name":"Sonnet 4.5"}}' \
    "$session" "$target")
  statusline() {
    "${clean_env[@]}" /usr/bin/time -o "$WORK/time.txt" -f '%U %S' "$COSTDECK" statusline --db "$DB" --claude-dir "$WORK/corpus/claude" \
      --codex-dir "$WORK/corpus/codex" "$@" <<<"$hook" >"$WORK/statusline.out"
  }
  timed() {
    local t0 t1
    t0=$(date +%s%N)
    "$@"
    t1=$(date +%s%N)
    awk -v w=$(((t1 - t0) / 1000000)) '{printf "%d %d\n", w, ($1 + $2) * 1000}' "$WORK/time.txt"
  }
  # Nothing new in the transcript (a prompt with no new response yet).
  for ((i = 0; i < REPS; i++)); do timed statusline; done | median_of | sed 's/^/statusline_median /'
  # One response appended to the transcript before each call: the usual case.
  for ((i = 0; i < REPS; i++)); do
    ts=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
    printf '{"type":"assistant","sessionId":"%s","cwd":"/bench","timestamp":"%s","requestId":"req_sl%s_%d","message":{"id":"msg_sl%s_%d","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":12,"output_tokens":345,"cache_read_input_tokens":20000}}}\n' \
      "$session" "$ts" "$$" "$i" "$$" "$i" >>"$target"
    timed statusline
  done | median_of | sed 's/^/statusline_after_append_median /'
  echo "statusline_output $(cat "$WORK/statusline.out")"
  # The full scan (no transcript_path, or --all-files): a stat pass over every file.
  for ((i = 0; i < REPS; i++)); do timed statusline --all-files; done | median_of | sed 's/^/statusline_all_files_median /'
fi

# ---- 2. the worker: idle CPU, append and record latency -----------------------------------------
has_section worker && "${clean_env[@]}" "$LIVE_BENCH" --claude-dir "$WORK/corpus/claude" --codex-dir "$WORK/corpus/codex" --db "$DB" \
  --append-file "$target" --idle-seconds "$IDLE" --costdeck "$COSTDECK"

# ---- 3. the whole app under Xvfb ----------------------------------------------------------------
if ! has_section app; then
  :
elif command -v Xvfb >/dev/null; then
  display=:$((90 + RANDOM % 100))
  Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 1
  for mode in full compact; do
    flag=""; [[ $mode == compact ]] && flag=--compact
    "${clean_env[@]}" DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 XDG_CONFIG_HOME="$HOME_TMP/cfg" \
      "$COSTDECK" $flag --db "$DB" --claude-dir "$WORK/corpus/claude" --codex-dir "$WORK/corpus/codex" \
      >/dev/null 2>"$WORK/app-$mode.err" &
    app=$!
    sleep 15  # first pass (stat pass over the corpus, load, first frames)
    ticks() { awk '{print $14 + $15}' "/proc/$app/stat"; }
    hz=$(getconf CLK_TCK)
    a=$(ticks); t0=$(date +%s%N)
    sleep "$IDLE"
    b=$(ticks); t1=$(date +%s%N)
    awk -v a="$a" -v b="$b" -v hz="$hz" -v w="$(((t1 - t0) / 1000000))" -v m="$mode" \
      'BEGIN { printf "app_idle_cpu_percent_%s %.3f %% of one core over %.0f s\n", m, (b - a) / hz / (w / 1000) * 100, w / 1000 }'
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$app/status")
    echo "app_rss_$mode $((rss / 1024)) MB"
    kill "$app"; wait "$app" 2>/dev/null || true
  done
  kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true
else
  log "no Xvfb: the app's idle CPU is not measured (the worker's is, above)"
fi
