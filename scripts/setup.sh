#!/usr/bin/env bash
# Installs whatever the lab needs that is missing, and nothing that is already there.
#
#   scripts/setup.sh build    the wasm target, Trunk, wasm-bindgen-cli, wasm-opt (for make build/serve)
#   scripts/setup.sh test     all of the above, plus Node packages, Chromium and chromedriver
#
# Versions are pinned here, in Trunk.toml and in Cargo.lock; they must agree. Trunk runs offline and
# never downloads a tool itself.
set -euo pipefail

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0

cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-build}

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
fail() {
  printf '\033[1;31msetup:\033[0m %s\n' "$*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed. $2"
}

# The wasm-bindgen version is whatever Cargo.lock pins; the CLI must be the same version exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

installed_version() {
  # Prints the version a tool reports, or nothing when it is missing.
  "$@" 2>/dev/null | head -n 1 | grep -oE '[0-9]+(\.[0-9]+)*' | head -n 1 || true
}

setup_rust() {
  need cargo "Install Rust with rustup (https://rustup.rs), then run this again."
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(installed_version trunk --version)" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (a few minutes, once)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
  local wb
  wb=$(wasm_bindgen_version)
  [ -n "$wb" ] || fail "Cargo.lock does not pin wasm-bindgen"
  if [ "$(installed_version wasm-bindgen --version)" != "$wb" ]; then
    say "installing wasm-bindgen-cli $wb (a minute or two, once)"
    # Not --locked: its lockfile names a yanked dependency version.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
}

setup_node() {
  need node "Install Node.js 18 or newer (Debian: apt-get install nodejs npm)."
  need npm "Install npm (Debian: apt-get install npm)."
  # package-lock.json pins every package, binaryen (wasm-opt) among them.
  if [ ! -x node_modules/.bin/wasm-opt ] || ! cmp -s package-lock.json node_modules/.package-lock.json.stamp 2>/dev/null; then
    say "installing Node packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.package-lock.json.stamp
  fi
  local v
  v=$(installed_version node_modules/.bin/wasm-opt --version)
  [ "${v%%.*}" = "${BINARYEN_VERSION%%.*}" ] || fail "wasm-opt is version '$v', expected ${BINARYEN_VERSION%%.*} (npm binaryen)"
}

setup_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Chromium and chromedriver from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver
  else
    fail "The browser tests need Chromium and a matching chromedriver on PATH.
  Debian/Ubuntu: sudo apt-get install chromium chromium-driver
  Fedora:        sudo dnf install chromium chromedriver
  macOS:         brew install --cask chromium && brew install chromedriver"
  fi
}

case "$what" in
  build)
    setup_rust
    setup_node
    ;;
  test)
    setup_rust
    setup_node
    setup_chromium
    ;;
  *)
    fail "usage: scripts/setup.sh build|test"
    ;;
esac
