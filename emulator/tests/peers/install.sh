#!/usr/bin/env bash
# Installs the official drivers the peer tests use, under target/peers/ (ignored by git), once: an
# install that already has the pinned version is reused (pip and npm keep their own caches too).
#   target/peers/py-5, py-4   venvs with snowflake-connector-python 5.2.0 and 4.8.1 (from PyPI)
#   target/peers/node         snowflake-sdk 3.3.0 (from npm), only when Node.js >= 20 and npm exist
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dir="${SFMFA_PEERS_DIR:-$root/target/peers}"
PYTHON="${PYTHON:-python3}"
# The two lines the issue names: 5.x wraps the Rust core (sf_core), 4.x is the classic connector.
python_versions=(5.2.0 4.8.1)
node_sdk=3.3.0

mkdir -p "$dir"
for v in "${python_versions[@]}"; do
  venv="$dir/py-${v%%.*}"
  have="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("snowflake-connector-python"))' 2>/dev/null || true)"
  if [[ "$have" != "$v" ]]; then
    echo "peers: installing snowflake-connector-python==$v into $venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" || { echo "peers: '$PYTHON -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install -q --disable-pip-version-check "snowflake-connector-python==$v" \
      || { echo "peers: pip could not install snowflake-connector-python==$v from PyPI" >&2; exit 1; }
  fi
done

# snowflake-sdk 3.x needs Node.js >= 20 (its package.json "engines").
if command -v node >/dev/null && command -v npm >/dev/null \
   && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  have="$(node -p "require('$dir/node/node_modules/snowflake-sdk/package.json').version" 2>/dev/null || true)"
  if [[ "$have" != "$node_sdk" ]]; then
    echo "peers: installing snowflake-sdk@$node_sdk into $dir/node"
    rm -rf "$dir/node" && mkdir -p "$dir/node" && echo '{"private": true}' >"$dir/node/package.json"
    npm install --prefix "$dir/node" --no-audit --no-fund --loglevel=error "snowflake-sdk@$node_sdk" >/dev/null \
      || { echo "peers: npm could not install snowflake-sdk@$node_sdk" >&2; exit 1; }
  fi
else
  rm -rf "$dir/node"
fi
