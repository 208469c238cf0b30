#!/usr/bin/env bash
# Runs every test layer and the size budget, each even when an earlier one failed, and ends with one
# summary line that counts every test: "all: N passed, N failed".
#   scripts/test-all.sh BUDGET_GZIP_BYTES
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:?usage: scripts/test-all.sh PAGE_BUDGET_GZIP_BYTES [WORKER_BUDGET_GZIP_BYTES]}
worker_budget=${2:-150000}
logs=target/test-logs
mkdir -p "$logs"

passed=0
failed=0
broken=()

# Adds up the "test result: ... N passed; M failed" lines that cargo test (native and wasm) prints.
count_cargo() {
  local p f
  read -r p f < <(awk '/^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^passed/) p += $i
        if ($(i + 1) ~ /^failed/) f += $i
      }
    } END { print p + 0, f + 0 }' "$1")
  passed=$((passed + p))
  failed=$((failed + f))
}

layer() {
  local name=$1
  shift
  printf '\n\033[1m== %s ==\033[0m\n' "$name"
  if ! "$@" 2>&1 | tee "$logs/$name.log"; then
    broken+=("$name")
  fi
}

layer native cargo test --workspace
count_cargo "$logs/native.log"

layer browser cargo test -p kafka-delivery-lab --target wasm32-unknown-unknown --test browser
count_cargo "$logs/browser.log"

layer build trunk build --release
layer size scripts/size.sh "$budget" "$worker_budget"

rm -f tests/e2e/artifacts/results.json
# The e2e tests compare the page with the native command line.
cargo build -q -p delivery-lab-share --bin delivery-lab
layer e2e npx playwright test
if [ -f tests/e2e/artifacts/results.json ]; then
  read -r p f < <(node -e '
    const s = require("./tests/e2e/artifacts/results.json").stats;
    console.log(s.expected + s.flaky, s.unexpected);')
  passed=$((passed + p))
  failed=$((failed + f))
fi

echo
if [ ${#broken[@]} -gt 0 ]; then
  echo "failed layers: ${broken[*]}"
  # A layer that broke before it counted its tests still counts as a failure.
  [ "$failed" -gt 0 ] || failed=${#broken[@]}
fi
echo "all: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
