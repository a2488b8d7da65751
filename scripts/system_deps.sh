#!/usr/bin/env bash
# The system packages eco12geo's build, demo and tests need, installed when missing (Debian, as root).
# Used by `make demo`, `make test` and .ci/run, so the three cannot drift apart.
#   scripts/system_deps.sh build   npm (the build fetches the map assets with npm pack)
#   scripts/system_deps.sh test    npm, Debian's chromium (browser tests), CJK fonts (Chinese labels in screenshots),
#                                  PostgreSQL + PostGIS (the benchmark's correctness check compares with it)
# Not root, or not Debian: one line naming what to install, exit 1.
set -euo pipefail
profile=${1:-test}
need=()
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [[ $profile == test ]]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  compgen -G "${ECO12GEO_POSTGIS_GLOB:-/usr/lib/postgresql/*/lib/postgis-3.so}" >/dev/null || need+=(postgresql-15-postgis-3)
  if command -v fc-list >/dev/null 2>&1; then
    [[ -n $(fc-list :lang=zh family 2>/dev/null) ]] || need+=(fonts-noto-cjk)
  else
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
  fi
elif [[ $profile != build ]]; then
  echo "system_deps.sh: unknown profile '$profile' (build or test)" >&2
  exit 2
fi
((${#need[@]})) || exit 0
if ((EUID != 0)) || ! command -v apt-get >/dev/null 2>&1; then
  echo "eco12geo: missing system packages: ${need[*]}; install them (Debian: sudo apt-get install ${need[*]}) and run make again" >&2
  exit 1
fi
echo "eco12geo: installing system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
