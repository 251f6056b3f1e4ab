#!/usr/bin/env bash
# The official drivers against sfmfa-emulator: snowflake-connector-python 5.x and 4.x (from PyPI)
# and, where Node.js >= 20 exists, the Node.js driver snowflake-sdk (from npm). For each driver, one
# emulator and one process (admin_sql.py / admin_sql.js; token_sharing.py for the 5.x connector, whose
# MFA-token cache is the v2 file sfmfa shares) inside a private network namespace, so that
# the drivers' cloud-metadata and DNS probes reach nothing and they talk only to the emulator on
# 127.0.0.1 over HTTP. Needs `unshare -n` (root, or unprivileged user namespaces).
#   emulator/tests/peers/run.sh        (make test-peers)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/emulator/tests/peers"
dir="$(realpath -m "${SFMFA_PEERS_DIR:-$root/target/peers}")"
cargo="${CARGO:-cargo}"

if unshare -n true 2>/dev/null; then
  ns=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  ns=(unshare -rn)
else
  echo "test-peers: 'unshare -n' is not permitted here; the peer tests need a private network namespace (run as root, as CI does)" >&2
  exit 1
fi
command -v ip >/dev/null || { echo "test-peers: 'ip' (iproute2) is needed to bring up loopback in the namespace" >&2; exit 1; }

SFMFA_PEERS_DIR="$dir" bash "$here/install.sh"
"$cargo" build -q -p sfmfa-emulator -p sfmfa-cli
emulator="${CARGO_TARGET_DIR:-$root/target}/debug/sfmfa-emulator"
# token_sharing.py runs `sfmfa login` beside the connector.
export SFMFA_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/sfmfa"

peers=("$dir/py-5/bin/python $here/admin_sql.py" "$dir/py-4/bin/python $here/admin_sql.py"
  "$dir/py-5/bin/python $here/token_sharing.py")
if [[ -d "$dir/node/node_modules/snowflake-sdk" ]]; then
  peers+=("node $here/admin_sql.js")
else
  echo "test-peers: Node.js peer SKIPPED (needs Node.js >= 20 and npm)"
fi

rc=0
for peer in "${peers[@]}"; do
  tmp="$(mktemp -d)"
  # Inside the namespace: loopback up, the emulator on an ephemeral port, then the checks.
  # shellcheck disable=SC2086  # $4 is the peer's command line (paths without spaces).
  "${ns[@]}" bash -c '
    set -u
    ip link set lo up
    "$1" --port 0 --port-file "$2/port" --exit-after 300 >"$2/emulator.log" 2>&1 & emu=$!
    for _ in $(seq 300); do [[ -s "$2/port" ]] && break; sleep 0.05; done
    [[ -s "$2/port" ]] || { echo "test-peers: the emulator did not start" >&2; cat "$2/emulator.log" >&2; exit 1; }
    # In the scratch folder: a driver that writes a log file (snowflake.log) writes it there.
    cd "$2" || exit 1
    HOME="$2" NODE_NO_WARNINGS=1 SNOWFLAKE_SDK="$3/node/node_modules/snowflake-sdk" $4 --port "$(cat "$2/port")"; rc=$?
    kill "$emu" 2>/dev/null; wait "$emu" 2>/dev/null
    exit $rc
  ' _ "$emulator" "$tmp" "$dir" "$peer" || rc=1
  rm -rf "$tmp"
done
exit $rc
