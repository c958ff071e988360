#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer, ASan, UBSan) in build-fuzz/ and runs the
# dialog loader's for SECONDS (default 60), seeded with the real dialogs and the broken
# fixtures. Exits non-zero on a crash; the crashing input is left in build-fuzz/.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed (apt-get install clang libclang-rt-14-dev)"; exit 1; }
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DBOUNCEBACK_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz --target fuzz_dialog_loader
corpus=build-fuzz/corpus/dialog_loader
mkdir -p "$corpus"
cp dialogs/*.yaml tests/fixtures/dialogs/broken/*.yaml "$corpus"/
cd build-fuzz
./bin/fuzz_dialog_loader -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
  corpus/dialog_loader 2>&1 | tail -15
