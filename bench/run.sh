#!/usr/bin/env bash
# `make bench`: login latency against the emulator (release build) and the size of the library.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## Login latency (cargo bench --bench login, release, loopback)"
cargo bench -q --bench login
echo
echo "## Token cache operations (cargo bench --bench cache, release; Secret Service = private gnome-keyring)"
ci/with-secret-service.sh env SFMFA_BENCH_SECRET_SERVICE=1 cargo bench -q --bench cache
cargo build -q --release -p sfmfa
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp target/release/libsfmfa.so "$tmp/"
strip "$tmp/libsfmfa.so"
echo
echo "## Library size"
echo "| artifact | bytes |"
echo "|---|---|"
echo "| libsfmfa.so (release, stripped) | $(stat -c %s "$tmp/libsfmfa.so") |"
echo "| libsfmfa.so (release, unstripped) | $(stat -c %s target/release/libsfmfa.so) |"
