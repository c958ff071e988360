#!/usr/bin/env bash
# Installs what bounceback needs on Debian 12 and nothing that is already there.
#   deploy/install-deps.sh          build + run dependencies
#   deploy/install-deps.sh --tests  also the test peers (chromium; node: ws, playwright-core, telegram-test-api)
# Idempotent: when everything is present it changes nothing and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

packages=(
  g++ cmake pkg-config ninja-build ccache lld
  libboost-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev catch2
  libsqlite3-dev libssl-dev libhowardhinnant-date-dev libutf8proc-dev libfasttext-dev libstemmer-dev
  tzdata ca-certificates
)
if [ "$want_tests" = 1 ]; then
  packages+=(nodejs npm chromium sqlite3 clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # npm/nodejs may come from outside Debian's packages: accept a working binary
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The test peers, again whenever package-lock.json changed since they were installed.
if [ "$want_tests" = 1 ]; then
  wanted=$(sha256sum tests/peers/package-lock.json | cut -d' ' -f1)
  installed=$(cat tests/peers/node_modules/.installed-from-lock 2>/dev/null || true)
  if [ "$wanted" != "$installed" ]; then
    echo "install-deps: installing the node test peers"
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error)
    echo "$wanted" > tests/peers/node_modules/.installed-from-lock
  fi
fi
