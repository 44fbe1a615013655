#!/bin/sh
# Used by nightly-eval.yaml: writes a few JSON lines to the file named by --out.
set -eu
out=data.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "prepare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for i in 1 2 3; do
  printf '{"id": %d, "text": "example %d of %s"}\n' "$i" "$i" "${DATASET:-none}"
done > "$out"
echo "wrote $(wc -l < "$out") lines to $out"
