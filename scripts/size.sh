#!/usr/bin/env bash
# Prints the release build's wasm and JS sizes, raw and gzipped, and fails above the budget.
#   scripts/size.sh BUDGET_GZIP_BYTES
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:?usage: scripts/size.sh BUDGET_GZIP_BYTES}
shopt -s nullglob
files=(dist/*.wasm dist/*.js)
[ ${#files[@]} -gt 0 ] || { echo "size: dist/ has no wasm or JS; run make build first" >&2; exit 1; }
total_raw=0
total_gz=0
printf '%-44s %10s %10s\n' file bytes gzipped
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-44s %10d %10d\n' "${f#dist/}" "$raw" "$gz"
done
printf '%-44s %10d %10d\n' total "$total_raw" "$total_gz"
if [ "$total_gz" -gt "$budget" ]; then
  echo "size: FAIL: $total_gz bytes gzipped is over the budget of $budget" >&2
  exit 1
fi
echo "size: ok: $total_gz of $budget bytes gzipped"
