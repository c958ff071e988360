#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer, ASan, UBSan) in build-fuzz/ and runs each
# for SECONDS (default 60), seeded from tests/fuzz/seeds (and, for the dialog loader, the
# real dialogs and the broken fixtures). Exits non-zero on a crash; the crashing input is
# left in build-fuzz/ and named in the output.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# Exit 77 (ctest: skipped) when clang is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(dialog_loader telegram_update matrix_sync websocket_frame config text_parsers http_request)
fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz: SKIPPED, clang++ is not installed (apt-get install clang libclang-rt-14-dev)"
  exit 77
fi
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DBOUNCEBACK_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]/#/fuzz_}" >/dev/null
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  if [ "$t" = dialog_loader ]; then
    cp dialogs/*.yaml tests/fixtures/dialogs/broken/*.yaml "$corpus"/
  else
    cp tests/fuzz/seeds/"$t"/* "$corpus"/
  fi
  echo "fuzz: $t for $seconds s"
  if ! (cd build-fuzz && ./bin/fuzz_"$t" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
          -print_final_stats=1 -artifact_prefix=crash-"$t"- corpus/"$t" > fuzz-"$t".log 2>&1); then
    echo "fuzz: $t FAILED; see build-fuzz/fuzz-$t.log and the crash-$t-* input"
    tail -30 build-fuzz/fuzz-"$t".log
    status=1
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" build-fuzz/fuzz-"$t".log | head -1 | sed "s/^/fuzz: $t: /"
done
[ $status -eq 0 ] && echo "fuzz: all ${#targets[@]} targets ran clean"
exit $status
