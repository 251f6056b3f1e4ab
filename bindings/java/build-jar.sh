#!/usr/bin/env bash
# Builds the dev.sfmfa jar with the native library inside (/native/linux-x86_64/libsfmfa_jni.so), from which
# NativeLibrary loads it when no -Dsfmfa.library.path is given, as `mvn install` would build it from pom.xml:
# the manifest names the automatic module (Automatic-Module-Name: dev.sfmfa) and the version, and
# META-INF/maven/<groupId>/<artifactId>/ holds pom.xml and pom.properties. Next to OUT_JAR it writes
# <artifactId>-<version>-sources.jar and <artifactId>-<version>-javadoc.jar. Coordinates, version, module name
# and the library's directory come from pom.xml (tools/PomInfo.java), so the jar and the pom cannot disagree.
# Usage: build-jar.sh PROFILE OUT_JAR   (PROFILE: debug or release; the .so must be built)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="$1"
out="$2"
so="$root/target/$profile/libsfmfa_jni.so"
[[ -f "$so" ]] || { echo "build-jar: $so is missing (cargo build -p sfmfa-jni${profile/debug/})"; exit 1; }
read -r group artifact version module native_dir < <(java "$here/tools/PomInfo.java" "$here/pom.xml")
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/classes" "$stage/javadoc"
javac --release 17 -Xlint:all -Werror -d "$stage/classes" "$here"/src/main/java/dev/sfmfa/*.java
mkdir -p "$stage/classes/$native_dir"
# Debug symbols are of no use inside a jar (and make the debug library ~80 MB).
if command -v strip >/dev/null; then
  strip --strip-debug -o "$stage/classes/$native_dir/libsfmfa_jni.so" "$so"
else
  cp "$so" "$stage/classes/$native_dir/libsfmfa_jni.so"
fi
# What maven-jar-plugin writes: the pom and its coordinates under META-INF/maven, and the manifest entries
# pom.xml configures (addDefaultImplementationEntries, Automatic-Module-Name).
maven="$stage/classes/META-INF/maven/$group/$artifact"
mkdir -p "$maven"
cp "$here/pom.xml" "$maven/pom.xml"
printf 'artifactId=%s\ngroupId=%s\nversion=%s\n' "$artifact" "$group" "$version" >"$maven/pom.properties"
printf 'Automatic-Module-Name: %s\nImplementation-Title: %s\nImplementation-Version: %s\n' \
  "$module" "$artifact" "$version" >"$stage/manifest.txt"
dir="$(dirname "$out")"
mkdir -p "$dir"
rm -f "$out"
jar --create --file "$out" --manifest "$stage/manifest.txt" -C "$stage/classes" .

# The sources and javadoc jars, named as Maven names them.
sources="$dir/$artifact-$version-sources.jar"
javadoc_jar="$dir/$artifact-$version-javadoc.jar"
rm -f "$sources" "$javadoc_jar"
jar --create --file "$sources" -C "$here/src/main/java" .
# -Xdoclint:all -Werror: every public item has its Javadoc, with its @param, @return and @throws.
javadoc --release 17 -quiet -Xdoclint:all -Werror -d "$stage/javadoc" \
  -sourcepath "$here/src/main/java" -doctitle "sfmfa $version" dev.sfmfa
jar --create --file "$javadoc_jar" -C "$stage/javadoc" .
echo "build-jar: $out ($(du -h "$out" | cut -f1), native library from target/$profile, $group:$artifact:$version," \
  "module $module), $(basename "$sources"), $(basename "$javadoc_jar")"
