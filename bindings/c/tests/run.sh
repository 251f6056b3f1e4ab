#!/usr/bin/env bash
# C test suite of sfmfa (run from the repository root by `make test-c`, or directly).
#
# Builds the C programs of bindings/c/tests into bindings/c/tests/build/, starts the emulator twice (plain HTTP, and
# HTTPS with its own CA), runs every program against http://127.0.0.1, https://localhost and
# https://127.0.0.1, then again under valgrind (memcheck, definite leaks are errors). Prints each
# program's summary line and a final "C tests: N passed, M failed"; exits non-zero on any failure.
#
# The programs also run built with AddressSanitizer + UndefinedBehaviorSanitizer (leaks included),
# against http://127.0.0.1 and https://localhost.
#
# Environment: SFMFA_C_NO_VALGRIND=1 skips the valgrind pass, SFMFA_C_NO_SANITIZERS=1 the
# sanitizer pass; CC (default gcc).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
ROOT=$PWD
SRC=bindings/c/tests
BUILD=bindings/c/tests/build
LIB=target/debug
EMULATOR=$LIB/sfmfa-emulator
CC=${CC:-gcc}
CFLAGS=(-std=c11 -Wall -Wextra -Werror -pedantic -g -O0 -I bindings/c/include)
PROGRAMS=(test_api test_modes test_errors test_threads test_cache test_progress test_connstr test_multistep test_failures test_server_text test_memory test_token_store)
# Built outside PROGRAMS (their own compilers and flags), run like them.
EXTRA_PROGRAMS=(test_header_c99 test_header_cxx17)
STATIC_PROGRAMS=(test_modes test_threads)
NATIVE_LIBS=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
          --suppressions="$SRC/valgrind.supp")

start_time=$(date +%s)

# --- artifacts ---------------------------------------------------------------------------------
if [[ ! -f $LIB/libsfmfa.so || ! -f $LIB/libsfmfa.a ]]; then
    echo "run.sh: building the library (cargo build -p sfmfa-c)"
    cargo build -p sfmfa-c
fi
if [[ ! -x $EMULATOR ]]; then
    echo "run.sh: building the emulator (cargo build -p sfmfa-emulator)"
    cargo build -p sfmfa-emulator
fi

# --- install, compile ---------------------------------------------------------------------------
# The programs build the way a user's do: against an installed copy (make install's layout, the
# soname links, sfmfa.pc) found with pkg-config.
mkdir -p "$BUILD"
PREFIX_DIR=$ROOT/$BUILD/prefix
rm -rf "$PREFIX_DIR"
PREFIX=$PREFIX_DIR PROFILE=debug bash bindings/c/install.sh >/dev/null
export PKG_CONFIG_PATH=$PREFIX_DIR/lib/pkgconfig
read -r -a PC_CFLAGS <<<"$(pkg-config --cflags sfmfa)"
read -r -a PC_LIBS <<<"$(pkg-config --libs sfmfa)"
# Static: the archive itself, then what pkg-config --static adds for it (Libs.private).
read -r -a PC_STATIC <<<"$(pkg-config --static --libs-only-l sfmfa | sed 's/-lsfmfa\b//')"
CFLAGS+=("${PC_CFLAGS[@]}")
for p in "${PROGRAMS[@]}"; do
    "$CC" "${CFLAGS[@]}" -o "$BUILD/$p" "$SRC/$p.c" "${PC_LIBS[@]}" -Wl,-rpath,"$PREFIX_DIR/lib" -lpthread
done
for p in "${STATIC_PROGRAMS[@]}"; do
    "$CC" "${CFLAGS[@]}" -o "$BUILD/${p}_static" "$SRC/$p.c" "$PREFIX_DIR/lib/libsfmfa.a" "${PC_STATIC[@]}"
done
echo "run.sh: compiled ${PROGRAMS[*]} (shared, via pkg-config) and ${STATIC_PROGRAMS[*]/%/_static} (static libsfmfa.a)"
# ASan + UBSan builds of the same programs (the C side is instrumented; every allocation of the
# library goes through the sanitizer's malloc, so its misuse by C is caught too).
SANITIZE=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
if [[ ${SFMFA_C_NO_SANITIZERS:-0} != 1 ]]; then
    mkdir -p "$BUILD/sanitized"
    for p in "${PROGRAMS[@]}"; do
        "$CC" "${CFLAGS[@]}" "${SANITIZE[@]}" -o "$BUILD/sanitized/$p" "$SRC/$p.c" "${PC_LIBS[@]}" \
            -Wl,-rpath,"$PREFIX_DIR/lib" -lpthread
    done
fi

# The header alone, as C99 and as C++17, warnings as errors; the program checks the version macros
# against the library it loads.
"$CC" -std=c99 -Wall -Wextra -pedantic -Werror "${PC_CFLAGS[@]}" -o "$BUILD/test_header_c99" \
    "$SRC/test_header.c" "${PC_LIBS[@]}" -Wl,-rpath,"$PREFIX_DIR/lib"
"${CXX:-g++}" -std=c++17 -Wall -Wextra -pedantic -Werror "${PC_CFLAGS[@]}" -o "$BUILD/test_header_cxx17" \
    -x c++ "$SRC/test_header.c" "${PC_LIBS[@]}" -Wl,-rpath,"$PREFIX_DIR/lib"
# The README's C example (its first ```c block), built with the command it documents.
awk '/^```c$/ && !done {on=1; next} on && /^```$/ {on=0; done=1} on' README.md >"$BUILD/readme_example.c"
[[ -s $BUILD/readme_example.c ]] || { echo "run.sh: no C example found in README.md" >&2; exit 1; }
# shellcheck disable=SC2046 # word splitting of pkg-config's output is the documented usage
"$CC" "$BUILD/readme_example.c" $(pkg-config --cflags --libs sfmfa) -Wl,-rpath,"$PREFIX_DIR/lib" \
    -o "$BUILD/readme_example"
echo "run.sh: compiled the header as C99 and C++17, and README.md's example with pkg-config"

# --- emulators ---------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sfmfa-c-tests.XXXXXX")
# Any token cache a test turns on stays inside this run, never in the user's ~/.cache.
export SF_TEMPORARY_CREDENTIAL_CACHE_DIR="$TMP/token-cache"
EMU_PIDS=()
cleanup() {
    local pid
    for pid in "${EMU_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${EMU_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$EMULATOR" --port 0 --port-file "$TMP/http.port" --exit-after 1200 >"$TMP/emulator-http.log" 2>&1 &
EMU_PIDS+=($!)
"$EMULATOR" --tls --ca-file "$TMP/ca.pem" --port 0 --port-file "$TMP/https.port" --exit-after 1200 \
    >"$TMP/emulator-https.log" 2>&1 &
EMU_PIDS+=($!)

wait_port() { # file -> prints the port
    local file=$1 i
    for ((i = 0; i < 300; i++)); do
        if [[ -s $file ]] && [[ $(tail -c1 "$file" | od -An -c) == *'\n'* ]]; then
            tr -d '[:space:]' <"$file"
            return 0
        fi
        sleep 0.1
    done
    echo "run.sh: the emulator did not write $file within 30 s" >&2
    cat "$TMP"/emulator-*.log >&2 || true
    return 1
}
HTTP_PORT=$(wait_port "$TMP/http.port")
HTTPS_PORT=$(wait_port "$TMP/https.port")
for ((i = 0; i < 100; i++)); do [[ -s $TMP/ca.pem ]] && break; sleep 0.1; done
echo "run.sh: emulators on http://127.0.0.1:$HTTP_PORT and https://localhost:$HTTPS_PORT"

# A PEM of some other CA, for the "wrong CA" test (optional: needs openssl).
if command -v openssl >/dev/null 2>&1; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/wrong-ca.key" -out "$TMP/wrong-ca.pem" \
        -days 2 -subj "/CN=sfmfa C tests unrelated CA" >/dev/null 2>&1 || rm -f "$TMP/wrong-ca.pem"
fi
WRONG_CA=""
[[ -s $TMP/wrong-ca.pem ]] && WRONG_CA=$TMP/wrong-ca.pem

# The emulator locks a user after 5 wrong passcodes; the tests send wrong ones for push_approve
# (test_errors) and no_cache (test_threads). Unlock them before every program run.
reset_lockouts() { # protocol port
    local url curl=(curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json')
    if [[ $1 == https ]]; then
        url="https://localhost:$2/control/locked"
        curl+=(--cacert "$TMP/ca.pem")
    else
        url="http://127.0.0.1:$2/control/locked"
    fi
    local user
    for user in push_approve no_cache; do
        "${curl[@]}" -d "{\"account\":\"xy12345\",\"user\":\"$user\",\"value\":false}" "$url" ||
            echo "run.sh: warning: could not reset the lockout of $user" >&2
    done
}
if ! command -v curl >/dev/null 2>&1; then
    echo "run.sh: curl not found; lockouts cannot be reset (wrong-passcode tests may fail)" >&2
    reset_lockouts() { :; }
fi

# --- run ---------------------------------------------------------------------------------------
TOTAL_PASSED=0
TOTAL_FAILED=0
LOGS=$BUILD/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

# run_one label protocol host port mode(0 plain|1 valgrind|asan) program
run_one() {
    local label=$1 protocol=$2 host=$3 port=$4 vg=$5 prog=$6
    local log="$LOGS/${label}-${prog}.log" vglog="$LOGS/${label}-${prog}.valgrind.log"
    local -a cmd=("$BUILD/$prog")
    [[ $vg == 1 ]] && cmd=("${VALGRIND[@]}" --log-file="$vglog" "$BUILD/$prog")
    [[ $vg == asan ]] && cmd=(env ASAN_OPTIONS=detect_leaks=1:exitcode=98 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98 "$BUILD/sanitized/$prog")
    reset_lockouts "$protocol" "$port"
    local t0 rc=0 slow=0
    [[ $vg == 1 ]] && slow=1
    t0=$(date +%s)
    SFMFA_TEST_HOST=$host SFMFA_TEST_PORT=$port SFMFA_TEST_PROTOCOL=$protocol SFMFA_TEST_CA="$TMP/ca.pem" \
        SFMFA_TEST_WRONG_CA="$WRONG_CA" SFMFA_TEST_SLOW=$slow RUST_BACKTRACE=1 \
        timeout 900 "${cmd[@]}" >"$log" 2>&1 || rc=$?
    local line passed=0 failed=0
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 || true)
    if [[ -n $line ]]; then
        passed=${line%% passed*}
        failed=${line#*, }
        failed=${failed%% failed}
    else
        line="(no summary line)"
    fi
    local note=""
    if [[ $rc -ne 0 && $failed -eq 0 ]]; then
        failed=1 # a crash, a timeout, or valgrind errors (exit 99)
        note=" [exit status $rc]"
    fi
    [[ $rc == 99 ]] && note=" [valgrind errors: see $vglog]"
    [[ $rc == 98 ]] && note=" [sanitizer errors: see $log]"
    printf '%-22s %-20s %s%s (%ss)\n' "[$label]" "$prog:" "$line" "$note" "$(($(date +%s) - t0))"
    if [[ $failed -ne 0 ]]; then
        grep -E '^FAIL' "$log" | sed 's/^/    /' | head -n 40 || true
        echo "    log: $log"
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
}

ALL=("${PROGRAMS[@]}" "${STATIC_PROGRAMS[@]/%/_static}")

for prog in "${ALL[@]}"; do run_one http http 127.0.0.1 "$HTTP_PORT" 0 "$prog"; done
for prog in "${ALL[@]}"; do run_one https-localhost https localhost "$HTTPS_PORT" 0 "$prog"; done
for prog in "${ALL[@]}"; do run_one https-127.0.0.1 https 127.0.0.1 "$HTTPS_PORT" 0 "$prog"; done
for prog in "${EXTRA_PROGRAMS[@]}"; do run_one header http 127.0.0.1 "$HTTP_PORT" 0 "$prog"; done

# The README's example against the plain emulator: a push the emulator approves. Its token cache is
# the default (auto), which on a machine without a Secret Service is the kernel's persistent
# keyring, shared by every process of the user and outliving the run: the administrator's switch
# SFMFA_TOKEN_CACHE=file keeps the token in this run's own directory instead (removed with $TMP),
# as a test must not leave an MFA token in the machine's keystore.
readme_rc=0
SFMFA_TOKEN_CACHE=file SNOWFLAKE_PASSWORD=abc123 timeout 120 "$BUILD/readme_example" \
    "jdbc:snowflake://127.0.0.1:$HTTP_PORT/?account=xy12345&user=push_approve&authenticator=username_password_mfa&protocol=http" \
    >"$LOGS/readme_example.log" 2>&1 || readme_rc=$?
if [[ $readme_rc -eq 0 ]] && grep -q '^logged in, session ' "$LOGS/readme_example.log"; then
    printf '%-22s %-20s %s\n' "[http]" "readme_example:" "1 passed, 0 failed"
    TOTAL_PASSED=$((TOTAL_PASSED + 1))
else
    printf '%-22s %-20s %s\n' "[http]" "readme_example:" "FAILED (exit $readme_rc)"
    sed 's/^/    /' "$LOGS/readme_example.log" | head -n 20
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi

# Linkage: libsfmfa.so loads without libdbus (it is opened at run time by libdbus-sys/, never a
# DT_NEEDED) and exports none of libdbus's names (which would stand in for a real libdbus's in a
# program that also links it).
linkage=$(readelf -d "$LIB/libsfmfa.so" | grep -E 'NEEDED.*dbus' || true)
linkage+=$(nm -D --defined-only "$LIB/libsfmfa.so" | grep -E ' _?dbus_' || true)
if [[ -z $linkage ]]; then
    printf '%-22s %-20s %s\n' "[library]" "no_libdbus_link:" "1 passed, 0 failed"
    TOTAL_PASSED=$((TOTAL_PASSED + 1))
else
    printf '%-22s %-20s %s\n' "[library]" "no_libdbus_link:" "FAILED"
    sed 's/^/    /' <<<"$linkage" | head -n 20
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi
plain_end=$(date +%s)

if [[ ${SFMFA_C_NO_SANITIZERS:-0} == 1 ]]; then
    echo "run.sh: sanitizer pass skipped (SFMFA_C_NO_SANITIZERS=1)"
else
    for prog in "${PROGRAMS[@]}"; do run_one asan-http http 127.0.0.1 "$HTTP_PORT" asan "$prog"; done
    for prog in "${PROGRAMS[@]}"; do run_one asan-https https localhost "$HTTPS_PORT" asan "$prog"; done
    echo "run.sh: ASan + UBSan pass: $(($(date +%s) - plain_end)) s"
    plain_end=$(date +%s)
fi
echo "run.sh: without valgrind: $((plain_end - start_time)) s (build included)"

if [[ ${SFMFA_C_NO_VALGRIND:-0} == 1 ]]; then
    echo "run.sh: valgrind pass skipped (SFMFA_C_NO_VALGRIND=1)"
elif ! command -v valgrind >/dev/null 2>&1; then
    echo "run.sh: valgrind not found: valgrind pass skipped" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
else
    # The shared-library programs only (the static ones run the same code as test_modes/test_threads).
    for prog in "${PROGRAMS[@]}"; do run_one valgrind-http http 127.0.0.1 "$HTTP_PORT" 1 "$prog"; done
    for prog in "${PROGRAMS[@]}"; do run_one valgrind-https https localhost "$HTTPS_PORT" 1 "$prog"; done
    echo "run.sh: valgrind pass: $(($(date +%s) - plain_end)) s"
fi

echo "C tests: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
[[ $TOTAL_FAILED -eq 0 ]]
