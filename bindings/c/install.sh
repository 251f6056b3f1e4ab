#!/usr/bin/env bash
# Installs the C library the way a system library is laid out (run by `make install`):
#
#   $PREFIX/include/sfmfa.h
#   $LIBDIR/libsfmfa.so.X.Y.Z, libsfmfa.so.X -> it (the soname), libsfmfa.so -> libsfmfa.so.X
#   $LIBDIR/libsfmfa.a
#   $LIBDIR/pkgconfig/sfmfa.pc          (pkg-config --cflags --libs sfmfa; --static for libsfmfa.a)
#
# Environment: PREFIX (default /usr/local), LIBDIR (default $PREFIX/lib), PROFILE (release or debug:
# which cargo build to install, default release; it must be built), DESTDIR (staging root for
# packagers: files go to $DESTDIR$PREFIX while sfmfa.pc names $PREFIX).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PREFIX=${PREFIX:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
PROFILE=${PROFILE:-release}
DESTDIR=${DESTDIR:-}
target_dir=${CARGO_TARGET_DIR:-target}/$PROFILE

case $PREFIX in /*) ;; *) echo "install.sh: PREFIX must be an absolute path (got '$PREFIX')" >&2; exit 2 ;; esac
build="cargo build -p sfmfa-c"
[[ $PROFILE == release ]] && build+=" --release"
for f in libsfmfa.so libsfmfa.a; do
    [[ -f $target_dir/$f ]] || { echo "install.sh: $target_dir/$f missing: run $build first" >&2; exit 1; }
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' bindings/c/Cargo.toml | head -n1)
major=${version%%.*}
# What libsfmfa.a needs from the system when linked statically (rustc's --print native-static-libs
# for this target; the same list the C tests link their static programs with).
native_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

inc=$DESTDIR$PREFIX/include
lib=$DESTDIR$LIBDIR
install -d "$inc" "$lib/pkgconfig"
install -m 0644 bindings/c/include/sfmfa.h "$inc/sfmfa.h"
install -m 0755 "$target_dir/libsfmfa.so" "$lib/libsfmfa.so.$version"
ln -sfn "libsfmfa.so.$version" "$lib/libsfmfa.so.$major"
ln -sfn "libsfmfa.so.$major" "$lib/libsfmfa.so"
install -m 0644 "$target_dir/libsfmfa.a" "$lib/libsfmfa.a"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@LIBDIR@|$LIBDIR|" -e "s|@VERSION@|$version|" \
    -e "s|@NATIVE_LIBS@|$native_libs|" bindings/c/sfmfa.pc.in >"$lib/pkgconfig/sfmfa.pc"
chmod 0644 "$lib/pkgconfig/sfmfa.pc"
echo "install.sh: sfmfa $version ($PROFILE) installed under $DESTDIR$PREFIX"
