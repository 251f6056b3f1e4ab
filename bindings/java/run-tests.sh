#!/usr/bin/env bash
# `make test-java`: builds the debug JNI library and the emulator, compiles the Java package and its tests,
# checks the native declarations against the library's exports, builds the jar (with the library inside) and
# its sources and javadoc jars, runs the JUnit 5 tests against the emulator (PackagingTest reads the jar and
# pom.xml), and runs the README example from the jar (no -D path: the embedded-library path).
# Prints `Java tests: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
CARGO="${CARGO:-cargo}"
J5=/usr/share/java/junit-platform-console-standalone.jar
[[ -f $J5 ]] || { echo "test-java needs JUnit 5 (apt-get install junit5; .ci/run does it)"; exit 1; }
command -v javac >/dev/null || { echo "test-java needs a JDK (apt-get install default-jdk-headless)"; exit 1; }

$CARGO build -q -p sfmfa-jni -p sfmfa-emulator
so="$root/target/debug/libsfmfa_jni.so"
emulator="$root/target/debug/sfmfa-emulator"

out="$root/target/java/test"
rm -rf "$out"
mkdir -p "$out/classes" "$out/test-classes" "$out/include"

# 1. Compile; javac -h writes the JNI header of the native declarations.
javac --release 17 -Xlint:all -Werror -d "$out/classes" -h "$out/include" "$here"/src/main/java/dev/sfmfa/*.java
javac --release 17 -d "$out/test-classes" -cp "$J5:$out/classes" "$here"/src/test/java/dev/sfmfa/*.java

# 2. Native declarations vs the library's exports, both directions, with parameter types.
nm -D --defined-only "$so" >"$out/exports.txt"
java "$here/tools/CheckJni.java" "$out/include/dev_sfmfa_Native.h" "$out/exports.txt" "$here/src"
# The JNI library exports its Java_ functions and the JVM's JNI_OnLoad, nothing of the C ABI.
if leaked=$(grep -E ' (sfmfa_|rust_)' "$out/exports.txt"); then
  echo "libsfmfa_jni.so exports C ABI symbols:"; echo "$leaked"; exit 1
fi
echo "exports: $(grep -c ' Java_' "$out/exports.txt") Java_ functions, no sfmfa_ symbol"

# 3. The jar, as `make java` builds it (here with the debug library), and its sources and javadoc jars.
bash "$here/build-jar.sh" debug "$out/sfmfa.jar"

# 4. JUnit 5 against the emulator; the file token cache in a private directory.
cache_dir="$(mktemp -d)"
trap 'rm -rf "$cache_dir"' EXIT
set +e
SF_TEMPORARY_CREDENTIAL_CACHE_DIR="$cache_dir" RUST_BACKTRACE=0 java \
  -Dsfmfa.library.path="$so" -Dsfmfa.emulator="$emulator" -Dsfmfa.repo="$root" -Dsfmfa.jar="$out/sfmfa.jar" \
  -jar "$J5" --class-path "$out/classes:$out/test-classes" --scan-classpath \
  --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii 2>&1 | tee "$out/junit.log"
junit_rc=${PIPESTATUS[0]}
set -e
passed=$(sed -n 's/.*\[ *\([0-9]*\) tests successful *\].*/\1/p' "$out/junit.log" | tail -1)
failed=$(sed -n 's/.*\[ *\([0-9]*\) tests failed *\].*/\1/p' "$out/junit.log" | tail -1)

# 5. The jar with the library inside, loaded without any -D path or java.library.path.
port_file="$out/emulator.port"
"$emulator" --port 0 --port-file "$port_file" --exit-after 120 >/dev/null &
emu_pid=$!
for _ in $(seq 300); do [[ -s $port_file ]] && break; sleep 0.1; done
example_rc=0
java -Djava.library.path=/nonexistent -cp "$out/sfmfa.jar" "$here/examples/Example.java" \
  "jdbc:snowflake://127.0.0.1:$(cat "$port_file")/?protocol=http&clientStoreTemporaryCredential=off" \
  >"$out/example.log" 2>&1 || example_rc=$?
kill "$emu_pid" 2>/dev/null || true
wait "$emu_pid" 2>/dev/null || true
sed 's/^/example: /' "$out/example.log"
if [[ $example_rc -ne 0 ]] || ! grep -q "^logged in, session" "$out/example.log"; then
  echo "the README example did not log in from the jar with the embedded library"
  failed=$(( ${failed:-0} + 1 ))
else
  passed=$(( ${passed:-0} + 1 ))
fi

echo "Java tests: ${passed:-0} passed, ${failed:-0} failed"
[[ $junit_rc -eq 0 && ${failed:-0} -eq 0 ]]
