#!/usr/bin/env bash
# One command from a fresh Debian 12 to a running bounceback: installs what is missing,
# builds Release (in build/) and runs the daemon with config/bounceback.yaml.
# Web chat at http://127.0.0.1:8080, data in var/. Extra arguments go to `bounceback run`.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target bounceback
exec ./build/bin/bounceback run --config config/bounceback.yaml "$@"
