#!/usr/bin/env bash
# Usage: ci/windows-under-wine.sh   (make test-windows)
#
# The Windows Credential Manager token cache, for real: tests/cache_windows.rs cross-built for
# x86_64-pc-windows-gnu (mingw-w64 links it; ring's C needs x86_64-w64-mingw32-gcc) and run under
# Wine (Debian's wine64), in a temporary Wine prefix made for this run and removed after it, with no
# display. Its login test talks to the Linux emulator this script starts on 127.0.0.1 (plain HTTP).
# Then a token written by one Wine run must still be there after the Wine server has exited (it
# lives in the prefix's registry), and be read by the next run.
#
# Prints `Windows tests under Wine: N passed, M failed` and the time each step took. When Wine, the
# rustup target or mingw-w64 is missing it prints `test-windows: SKIPPED (reason)` and succeeds,
# unless SFMFA_REQUIRE_WINE=1 (.ci/run sets it), when that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
CARGO=${CARGO:-cargo}

unavailable() {
  if [[ ${SFMFA_REQUIRE_WINE:-} == 1 ]]; then
    echo "test-windows: FAILED ($1; SFMFA_REQUIRE_WINE=1)" >&2
    exit 1
  fi
  echo "test-windows: SKIPPED ($1)"
  exit 0
}

# Debian's wine64 package puts wine64 and wineserver in /usr/lib/wine, not on PATH.
WINE=$(command -v wine64 || true)
[[ -n $WINE ]] || { [[ -x /usr/lib/wine/wine64 ]] && WINE=/usr/lib/wine/wine64; } ||
  unavailable "no wine64: apt-get install wine64"
WINESERVER=$(dirname "$WINE")/wineserver
[[ -x $WINESERVER ]] || WINESERVER=$(command -v wineserver || true)
[[ -n $WINESERVER ]] || unavailable "no wineserver beside $WINE"
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" ||
  unavailable "rustup target $TARGET is not installed: rustup target add $TARGET"
command -v x86_64-w64-mingw32-gcc >/dev/null ||
  unavailable "no x86_64-w64-mingw32-gcc: apt-get install gcc-mingw-w64-x86-64"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", b - a }'; }

# The Linux emulator (usually built already by make test-rust) and the Windows test binary.
t0=$(now)
$CARGO build -q -p sfmfa-emulator
# Dependencies at opt-level 0 and line tables only, not the workspace's dev profile (dependencies at
# opt-level 2, full debug info): a third of the CPU time (about 1 min instead of 3.5 on this machine
# kind) for a test that does no TLS and little work.
# Wine 8's CredEnumerateW packs the CREDENTIALW records it returns one after the other with their
# strings and blobs, so most are unaligned; windows-native-keyring-store copies each record with a
# plain dereference, which a debug build checks for alignment and aborts on (KeystoreCache::list_keys,
# tests/cache_windows.rs). Windows' own CredEnumerateW is expected to return aligned records (not
# checked: no Windows machine in CI). For Wine only, that check is off in the store crate: the copy
# stays undefined behaviour in Rust's terms, but compiles to x86-64 moves, which accept any address.
exe=$($CARGO test --no-run --target "$TARGET" --test cache_windows --message-format=json-render-diagnostics \
  --config 'profile.dev.package."*".opt-level=0' --config 'profile.dev.debug="line-tables-only"' \
  --config 'profile.dev.package.windows-native-keyring-store.debug-assertions=false' |
  sed -n 's/.*"executable":"\([^"]*cache_windows[^"]*\.exe\)".*/\1/p' | tail -n1)
[[ -n $exe && -f $exe ]] || { echo "test-windows: the cross-build produced no cache_windows .exe" >&2; exit 1; }
t_build=$(secs "$t0" "$(now)")

tmp=$(mktemp -d -t sfmfa-wine.XXXXXX)
emulator_pid=
cleanup() {
  [[ -n $emulator_pid ]] && kill "$emulator_pid" 2>/dev/null
  # Stop this prefix's Wine server (and any process left in it) before removing the prefix.
  WINEPREFIX="$tmp/prefix" "$WINESERVER" -k 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all
# No Mono or Gecko: without a display the prefix would otherwise try to offer their installers.
export WINEDLLOVERRIDES="mscoree=;mshtml="
unset DISPLAY WAYLAND_DISPLAY

# A new prefix (about 700 MB under $tmp, from Wine's own files). Its stderr has a harmless
# "syswow64\rundll32.exe" line (no 32-bit Wine here); it is kept in a file, shown on failure.
t0=$(now)
"$WINE" wineboot --init >"$tmp/wineboot.log" 2>&1 ||
  { cat "$tmp/wineboot.log" >&2; echo "test-windows: wineboot failed" >&2; exit 1; }
# Wine 8 has no bcryptprimitives.dll, which Rust's standard library imports (ProcessPrng): ours, in
# the prefix (ci/wine/bcryptprimitives.c says more).
x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  ci/wine/bcryptprimitives.c -lbcrypt
"$WINESERVER" -w
t_prefix=$(secs "$t0" "$(now)")

target/debug/sfmfa-emulator --port 0 --port-file "$tmp/port" --exit-after 600 >"$tmp/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 300); do [[ -s $tmp/port ]] && break; sleep 0.1; done
[[ -s $tmp/port ]] || { cat "$tmp/emulator.log" >&2; echo "test-windows: the emulator did not start" >&2; exit 1; }

t0=$(now)
rc=0
SFMFA_TEST_EMULATOR_PORT=$(cat "$tmp/port") "$WINE" "$exe" 2>&1 | tee "$tmp/tests.log" || rc=$?
t_tests=$(secs "$t0" "$(now)")
passed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\1/p' "$tmp/tests.log")
failed=$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed; \([0-9][0-9]*\) failed.*/\2/p' "$tmp/tests.log")
passed=${passed:-0} failed=${failed:-0}
if ((rc != 0)) && ((failed == 0)); then failed=1; fi

# The token outlives the Wine server: written by one run, the server gone (it saves the registry),
# read by a run under a new server, then deleted.
child() {
  SFMFA_WINDOWS_TEST_CHILD=$1 SFMFA_WINDOWS_TEST_USER=persist-$$ SFMFA_WINDOWS_TEST_TOKEN=persist-token \
    "$WINE" "$exe" --exact child_process --nocapture --test-threads=1 2>&1
}
t0=$(now)
persist=failed
"$WINESERVER" -w
if [[ $(child write) == *CHILD-WROTE* ]] && "$WINESERVER" -w &&
  grep -q 'Credential Manager\\\\Generic: SnowflakeTokenCache\.v2\.MfaToken\.' "$WINEPREFIX/user.reg" &&
  [[ $(child read) == *CHILD-READ=same* ]] && [[ $(child delete) == *CHILD-DELETED* ]]; then
  persist=passed
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
t_persist=$(secs "$t0" "$(now)")
echo "test-windows: a token outlives the Wine server (in the prefix's registry): $persist"

echo "test-windows: cross-build $t_build, new Wine prefix $t_prefix, tests $t_tests, persistence check $t_persist"
echo "Windows tests under Wine: $passed passed, $failed failed"
((failed == 0))
