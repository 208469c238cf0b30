#!/usr/bin/env bash
# Prints the release build's wasm and JS sizes, raw and gzipped, and fails above the budgets:
# the page (what every visitor downloads) and the explorer's worker (fetched only when someone
# explores) are budgeted apart.
#   scripts/size.sh PAGE_BUDGET_GZIP_BYTES [WORKER_BUDGET_GZIP_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:?usage: scripts/size.sh PAGE_BUDGET_GZIP_BYTES [WORKER_BUDGET_GZIP_BYTES]}
worker_budget=${2:-150000}
shopt -s nullglob
all=(dist/*.wasm dist/*.js)
[ ${#all[@]} -gt 0 ] || { echo "size: dist/ has no wasm or JS; run make build first" >&2; exit 1; }
page=()
worker=()
for f in "${all[@]}"; do
  case "${f#dist/}" in
    explorer-*) worker+=("$f") ;;
    *) page+=("$f") ;;
  esac
done
status=0
report() {
  local name=$1 limit=$2
  shift 2
  local total_raw=0 total_gz=0 total_br=0 raw gz br f
  for f in "$@"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    # Brotli: the precompressed file the release build writes beside the asset (release-assets.mjs).
    br=$([ -f "$f.br" ] && wc -c <"$f.br" || echo 0)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    total_br=$((total_br + br))
    printf '%-44s %10d %10d %10d\n' "${f#dist/}" "$raw" "$gz" "$br"
  done
  printf '%-44s %10d %10d %10d\n' "$name total" "$total_raw" "$total_gz" "$total_br"
  if [ "$total_gz" -gt "$limit" ]; then
    echo "size: FAIL: the $name is $total_gz bytes gzipped, over its budget of $limit" >&2
    status=1
  else
    echo "size: ok: the $name is $total_gz of $limit bytes gzipped"
  fi
}
printf '%-44s %10s %10s %10s\n' file bytes gzipped brotli
report page "$budget" "${page[@]}"
if [ ${#worker[@]} -gt 0 ]; then
  report "explorer worker" "$worker_budget" "${worker[@]}"
fi
exit $status
