#!/usr/bin/env bash
# Installs the Debian 12 packages costdeck builds, tests and renders with.
# Skips apt entirely when everything is already there, so repeated runs cost nothing.
set -euo pipefail
PKGS=(cmake g++ make pkg-config ninja-build
      libimgui-dev libglfw3-dev libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libstb-dev
      libfreetype-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
      libhowardhinnant-date-dev tzdata libsimdjson-dev libxxhash-dev
      libgl1-mesa-dri libegl-dev libegl-mesa0 libgl-dev xvfb xauth fonts-dejavu-core)
if [[ "${COSTDECK_WITH_FUZZ:-0}" == 1 ]]; then PKGS+=(clang libclang-rt-14-dev); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "costdeck: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
