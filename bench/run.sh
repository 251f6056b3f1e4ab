#!/usr/bin/env bash
# `make bench`: builds what it needs (release), then prints
#   - the main table (bench/bench.py): every login row (sfmfa in-process per mode and token store,
#     the CLI as a process, the C ABI, Python and Java bindings) beside its physical floor (a
#     raw-socket C client replaying sfmfa's own request, rustls full and resumed handshakes, a C
#     process), all measured in one run of interleaved rounds, and the sizes of the artefacts;
#   - the token cache operations (cargo bench --bench cache);
#   - the pool warm-up against the official Python connector (cargo bench --bench pool).
# See bench/README.md. BENCH_ROUNDS and BENCH_PER_ROUND change the main table's sampling, BENCH_ONLY
# (row keys, comma-separated) measures only those rows and their floors, BENCH_PIN=0 leaves the
# placement of clients and emulators on the CPUs to the scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo=${CARGO:-cargo}

missing=()
for tool in gcc python3 java javac jar strip; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "make bench needs: ${missing[*]} (Debian: apt-get install gcc python3 openjdk-17-jdk-headless binutils)" >&2
  exit 1
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "make bench needs Python >= 3.11 (bench/bench.py)" >&2; exit 1; }

echo "Building (release): the emulator, the CLI, libsfmfa.so, the Java jar and the bench workers..." >&2
"$cargo" build -q --release -p sfmfa-emulator -p sfmfa-cli -p sfmfa-c -p sfmfa-jni
make -s java >/dev/null
# The Rust workers (benches/rows.rs).
rows_exe=$(bench/rows-exe.sh)

echo "## Login latency beside the physical floor (bench/bench.py, release, loopback)"
python3 bench/bench.py --rows-exe "$rows_exe"
echo
echo "## Token cache operations (cargo bench --bench cache, release; Secret Service = private gnome-keyring)"
if command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null; then
  ci/with-secret-service.sh env SFMFA_BENCH_SECRET_SERVICE=1 "$cargo" bench -q --bench cache
else
  echo "(no gnome-keyring-daemon / dbus-run-session: the Secret Service row is skipped)"
  "$cargo" bench -q --bench cache
fi
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
"$cargo" bench -q --bench pool
