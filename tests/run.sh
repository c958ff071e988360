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

# Every Catch test case must be one ctest entry: a name that ctest splits (at ';') or
# drops would otherwise run nothing and still count as a pass.
for program in unit_tests integration_tests; do
  prefix="${program%_tests}:"
  # (Catch's list commands exit with the number of tests listed, not 0.)
  listed=$({ ./bin/$program --list-test-names-only || true; } | grep -c .)
  registered=$(ctest -N | grep -c "Test *#[0-9]*: $prefix")
  if [ "$listed" != "$registered" ]; then
    echo "tests/run.sh: $program has $listed test cases but ctest registered $registered" >&2
    exit 1
  fi
done

ctest --output-on-failure --timeout 300 -j "$(nproc)" "$@"
