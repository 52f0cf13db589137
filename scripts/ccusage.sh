#!/usr/bin/env bash
# Installs the reference CLI ccusage 20.0.24 (its Linux binary from npm) into DIR/ccusage.
set -euo pipefail
dir=${1:-build/tools}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ ! -x "$dir/ccusage" ]]; then
  (cd "$dir" && npm i --silent --no-audit --no-fund --save-exact ccusage@20.0.24 @ccusage/ccusage-linux-x64@20.0.24)
  chmod +x "$dir/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
  ln -sf "$dir/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage" "$dir/ccusage"
fi
echo "$dir/ccusage"
