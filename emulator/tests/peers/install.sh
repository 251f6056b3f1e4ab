#!/usr/bin/env bash
# Installs the official snowflake-connector-python versions the peer tests use, each into its own
# venv under target/peers/ (ignored by git), once: a venv that already has the version is reused.
#   emulator/tests/peers/install.sh            # prints the venvs' python paths, one per line
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dir="${SFMFA_PEERS_DIR:-$root/target/peers}"
PYTHON="${PYTHON:-python3}"
# The two lines the issue names: 5.x wraps the Rust core (sf_core), 4.x is the classic connector.
versions=(5.2.0 4.8.1)

mkdir -p "$dir"
for v in "${versions[@]}"; do
  venv="$dir/py-${v%%.*}"
  have="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("snowflake-connector-python"))' 2>/dev/null || true)"
  if [[ "$have" != "$v" ]]; then
    echo "peers: installing snowflake-connector-python==$v into $venv" >&2
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" >&2 || { echo "peers: '$PYTHON -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install -q --disable-pip-version-check "snowflake-connector-python==$v" >&2 \
      || { echo "peers: pip could not install snowflake-connector-python==$v from PyPI" >&2; exit 1; }
  fi
  echo "$venv/bin/python"
done
