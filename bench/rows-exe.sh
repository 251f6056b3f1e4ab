#!/usr/bin/env bash
# Builds the Rust workers of `make bench` and `make footprint` (benches/rows.rs) as `cargo bench`
# builds them, and prints the executable's path (from cargo's JSON messages).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo=${CARGO:-cargo}
rows_exe=$("$cargo" bench -q --no-run --bench rows --message-format=json |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "rows" and m.get("executable"):
        print(m["executable"])')
[[ -x $rows_exe ]] || { echo "bench: could not build benches/rows.rs" >&2; exit 1; }
echo "$rows_exe"
