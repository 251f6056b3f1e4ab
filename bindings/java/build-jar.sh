#!/usr/bin/env bash
# Builds the dev.sfmfa jar with the native library inside (/native/linux-x86_64/libsfmfa_jni.so), from which
# NativeLibrary loads it when no -Dsfmfa.library.path is given.
# Usage: build-jar.sh PROFILE OUT_JAR   (PROFILE: debug or release; the .so must be built)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="$1"
out="$2"
so="$root/target/$profile/libsfmfa_jni.so"
[[ -f "$so" ]] || { echo "build-jar: $so is missing (cargo build -p sfmfa-jni${profile/debug/})"; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
javac --release 17 -Xlint:all -Werror -d "$stage" "$here"/src/main/java/dev/sfmfa/*.java
mkdir -p "$stage/native/linux-x86_64"
# Debug symbols are of no use inside a jar (and make the debug library ~80 MB).
if command -v strip >/dev/null; then
  strip --strip-debug -o "$stage/native/linux-x86_64/libsfmfa_jni.so" "$so"
else
  cp "$so" "$stage/native/linux-x86_64/libsfmfa_jni.so"
fi
mkdir -p "$(dirname "$out")"
rm -f "$out"
jar --create --file "$out" -C "$stage" .
echo "build-jar: $out ($(du -h "$out" | cut -f1), native library from target/$profile)"
