#!/usr/bin/env bash
# The official snowflake-connector-python (5.x and 4.x, from PyPI) against sfmfa-emulator: for each
# version, one emulator and one Python process (admin_sql.py) inside a private network namespace,
# so that the connector's cloud-metadata and DNS probes reach nothing and it talks only to the
# emulator on 127.0.0.1 over HTTP. Needs `unshare -n` (root, or unprivileged user namespaces).
#   emulator/tests/peers/run.sh        (make test-peers)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/emulator/tests/peers"
cargo="${CARGO:-cargo}"

if ! unshare -n true 2>/dev/null && ! unshare -rn true 2>/dev/null; then
  echo "test-peers: 'unshare -n' is not permitted here; the peer tests need a private network namespace (run as root, as CI does)" >&2
  exit 1
fi
ns=(unshare -n)
unshare -n true 2>/dev/null || ns=(unshare -rn)

mapfile -t pythons < <(bash "$here/install.sh")
"$cargo" build -q -p sfmfa-emulator
emulator="${CARGO_TARGET_DIR:-$root/target}/debug/sfmfa-emulator"

rc=0
for py in "${pythons[@]}"; do
  tmp="$(mktemp -d)"
  # Inside the namespace: loopback up, the emulator on an ephemeral port, then the checks.
  "${ns[@]}" bash -c '
    set -u
    ip link set lo up
    "$1" --port 0 --port-file "$2/port" --exit-after 300 >"$2/emulator.log" 2>&1 & emu=$!
    for _ in $(seq 300); do [[ -s "$2/port" ]] && break; sleep 0.05; done
    [[ -s "$2/port" ]] || { echo "test-peers: the emulator did not start" >&2; cat "$2/emulator.log" >&2; exit 1; }
    HOME="$2" "$3" "$4" --port "$(cat "$2/port")"; rc=$?
    kill "$emu" 2>/dev/null; wait "$emu" 2>/dev/null
    exit $rc
  ' _ "$emulator" "$tmp" "$py" "$here/admin_sql.py" || rc=1
  rm -rf "$tmp"
done
exit $rc
