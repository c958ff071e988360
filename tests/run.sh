#!/usr/bin/env bash
# Installs what is missing, builds (Release, in build/), runs every test through ctest and
# exits with its result. The same build folder as deploy/run.sh, so only changes rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh --tests

# A clone in another folder still hits the compiler cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build build
cd build
ctest --output-on-failure --timeout 300 -j "$(nproc)" "$@"
