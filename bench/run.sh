#!/usr/bin/env bash
# `make bench`: login latency against the emulator (release build), token-cache costs, pool warm-up
# (sfmfa against the official Python connector), and the size of the library.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## Login latency (cargo bench --bench login, release, loopback)"
cargo bench -q --bench login
echo
echo "## Token cache operations (cargo bench --bench cache, release; Secret Service = private gnome-keyring)"
ci/with-secret-service.sh env SFMFA_BENCH_SECRET_SERVICE=1 cargo bench -q --bench cache
echo
echo "## Pool warm-up (cargo bench --bench pool, release; official connector from PyPI in target/bench-venv)"
venv=target/bench-venv
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "import snowflake.connector" 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q snowflake-connector-python ||
    echo "(could not install snowflake-connector-python from PyPI: its rows are skipped)"
fi
if "$venv/bin/python" -c "import snowflake.connector" 2>/dev/null; then
  echo "snowflake-connector-python $("$venv/bin/python" -c 'import snowflake.connector as s; print(s.__version__)')"
  export SFMFA_BENCH_PYTHON=$PWD/$venv/bin/python
fi
cargo bench -q --bench pool
cargo build -q --release -p sfmfa
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp target/release/libsfmfa.so "$tmp/"
strip "$tmp/libsfmfa.so"
echo
echo "## Library size"
echo "| artifact | bytes |"
echo "|---|---|"
echo "| libsfmfa.so (release, stripped) | $(stat -c %s "$tmp/libsfmfa.so") |"
echo "| libsfmfa.so (release, unstripped) | $(stat -c %s target/release/libsfmfa.so) |"
