#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the demo data with `costdeck screenshot`:
# headless (Mesa's surfaceless EGL, as the render tests draw; no X server or display), on a
# pinned clock and time zone, with no user config or prices, so the same build gives the
# same files and a change in them is a change in the drawing.
#
#   scripts/screenshots.sh [--build DIR] [--out DIR] [NAME ...]
#
# DIR defaults to build/release (configured as Release when new; an existing build keeps
# its type). NAMEs (e.g. costs sources) limit it to those files; the list is below.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build/release OUT=$ROOT/docs/screenshots
ONLY=()
while (($#)); do
  case $1 in
    --build) BUILD=$(realpath -m "$2"); shift 2 ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n "2,10p" "$0"; exit 0 ;;
    -*) echo "screenshots: unknown option $1" >&2; exit 2 ;;
    *) ONLY+=("$1"); shift ;;
  esac
done

# name | arguments after the shared ones
SHOTS=(
  "dashboard|--view dashboard"
  "live|--view live"
  "costs|--view costs"
  "costs-light|--view costs --theme light"
  "tiers|--view tiers"
  "performance|--view performance"
  "runtimes|--view runtimes"
  "issues|--view issues"
  "sessions|--view sessions"
  "activity|--view activity"
  "sources|--view sources"
  "settings|--view settings"
  "compact|--view compact"
  "panel-daily-cost@2x|--view costs --panel costs.daily --size 900x360 --scale 2"
)
SHARED=(screenshot --demo --now 2026-01-15T15:00:00Z --timezone UTC)

scripts/deps.sh
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" --target costdeck
COSTDECK=$BUILD/costdeck

mkdir -p "$OUT"
HOME_TMP=$(mktemp -d)
trap 'rm -rf "$HOME_TMP"' EXIT
# No display (the EGL path, never a window), a throwaway home (no user config or prices).
clean_env=(env -i PATH=/usr/bin:/bin HOME="$HOME_TMP" LANG=C.UTF-8 TZ=UTC TMPDIR="$HOME_TMP"
           COSTDECK_NO_USER_PRICES=1)

made=0
for shot in "${SHOTS[@]}"; do
  name=${shot%%|*}
  args=${shot#*|}
  if ((${#ONLY[@]})) && [[ " ${ONLY[*]} " != *" $name "* ]]; then continue; fi
  # Written beside the target, then moved: a failed run never leaves half a PNG in docs/.
  tmp=$OUT/.$name.png.part
  # shellcheck disable=SC2086  # $args is a list of words on purpose
  "${clean_env[@]}" "$COSTDECK" "${SHARED[@]}" $args --out "$tmp"
  mv "$tmp" "$OUT/$name.png"
  made=$((made + 1))
done
if ((made == 0)); then
  echo "screenshots: no screenshot named ${ONLY[*]}" >&2
  exit 2
fi
echo "screenshots: $made written to $OUT" >&2
