#!/usr/bin/env bash
# Usage: ci/check-targets.sh
#
# Type-checks the library, its C ABI and the CLI (and runs clippy on them) for macOS and Windows, where the token cache uses
# the login Keychain and the Credential Manager. Nothing is linked or run: no macOS SDK or Windows
# machine here. Needs the rustup targets x86_64-apple-darwin and x86_64-pc-windows-gnu, clang, and
# mingw-w64's gcc (ring's build script compiles C even for `cargo check`). For macOS, ring's C is
# compiled against the tiny headers in ci/apple-shim/ instead of an SDK; the objects are discarded.
set -euo pipefail
cd "$(dirname "$0")/.."

for target in x86_64-apple-darwin x86_64-pc-windows-gnu; do
  rustup target list --installed | grep -qx "$target" ||
    { echo "check-targets: rustup target $target is not installed (rustup target add $target)" >&2; exit 2; }
done
command -v clang >/dev/null || { echo "check-targets: needs clang (apt-get install clang)" >&2; exit 2; }
command -v x86_64-w64-mingw32-gcc >/dev/null ||
  { echo "check-targets: needs x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64)" >&2; exit 2; }

export CC_x86_64_apple_darwin=clang
export CFLAGS_x86_64_apple_darwin="-nostdlibinc -ffreestanding -I$PWD/ci/apple-shim"
for target in x86_64-apple-darwin x86_64-pc-windows-gnu; do
  echo "check-targets: $target"
  cargo clippy -q -p sfmfa -p sfmfa-c --lib --target "$target" -- -D warnings
  # The `sfmfa` command too: its cache and doctor use the OS keystore there.
  cargo clippy -q -p sfmfa-cli --bins --target "$target" -- -D warnings
done
echo "check-targets: the library, its C ABI and the sfmfa command type-check and pass clippy for macOS and Windows"
