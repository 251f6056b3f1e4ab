#!/usr/bin/env bash
# `make bench`: login latency against the emulator (release build), token-cache costs, pool warm-up
# (sfmfa against the official Python connector), login latency through the Java and Python bindings,
# and the size of the library.
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
echo
echo "## Login latency through the bindings (release; passcode over http, one login = login(), logout untimed)"
make -s java >/dev/null
cargo build -q --release -p sfmfa-c -p sfmfa-emulator
emu_dir=$(mktemp -d)
target/release/sfmfa-emulator --port 0 --port-file "$emu_dir/port" --exit-after 600 >/dev/null &
emu=$!
for _ in $(seq 300); do [[ -s $emu_dir/port ]] && break; sleep 0.05; done
port=$(cat "$emu_dir/port")
echo "| binding | logins | median | p90 |"
echo "|---|---|---|---|"
SFMFA_LIBRARY=$PWD/target/release/libsfmfa.so python3 bench/bindings/login_bench.py "$port" 200
java -cp target/java/sfmfa.jar bench/bindings/LoginBench.java "$port" 200
kill "$emu" 2>/dev/null; wait "$emu" 2>/dev/null || true
rm -rf "$emu_dir"
cargo build -q --release -p sfmfa-c
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
