"""MFA tokens shared between the official snowflake-connector-python and sfmfa, both ways, through
the drivers' own cache file `credential_cache_v2.json` (one private directory for both programs).

- The connector logs in (one push) and caches its token in the file; `sfmfa login` with
  `token_cache=auto` then logs in with no push: it uses a keystore when one is usable here and reads
  the file through (or uses the file itself when no keystore is).
- `sfmfa login` with `token_cache=file` logs in (one push) and stores the token in the file; the
  connector then logs in with no push.
- `SFMFA_TOKEN_CACHE=file`, the administrator's switch, does the same for a program that asked
  for a keystore.

The 5.x connector only: 4.x keeps its MFA tokens elsewhere (no `credential_cache_v2.json` is
written), so it shares nothing with sfmfa or with 5.x.

Run by emulator/tests/peers/run.sh inside a private network namespace, with the emulator on
127.0.0.1 and the `sfmfa` binary in $SFMFA_BIN. Prints one line per check and `N passed, M failed`.

    python token_sharing.py --port PORT
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback
import warnings

import snowflake.connector
from emulator_control import ACCOUNT, Emulator

PASSWORD = "abc123"

warnings.simplefilter("ignore")


def connector(port, user):
    """A login of the connector that asks for an MFA token and caches it in its file."""
    snowflake.connector.connect(
        account=ACCOUNT,
        user=user,
        password=PASSWORD,
        host="127.0.0.1",
        port=port,
        protocol="http",
        authenticator="username_password_mfa",
        client_request_mfa_token=True,
        client_store_temporary_credential=True,
        client_session_keep_alive=False,
        login_timeout=30,
    ).close()


def sfmfa(port, user, token_cache, env=None):
    """`sfmfa login --format json`; returns its JSON."""
    url = (
        f"jdbc:snowflake://127.0.0.1:{port}/?account={ACCOUNT}&user={user}&ssl=off"
        f"&authenticator=username_password_mfa&token_cache={token_cache}"
    )
    out = subprocess.run(
        [os.environ["SFMFA_BIN"], "login", url, "--format", "json"],
        env=dict(os.environ, SNOWFLAKE_PASSWORD=PASSWORD, **(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, (out.returncode, out.stdout, out.stderr)
    return json.loads(out.stdout)


def tokens_in_file(cache_dir):
    path = os.path.join(cache_dir, "credential_cache_v2.json")
    with open(path) as f:
        return json.load(f)["tokens"]


CHECKS = []


def check(f):
    CHECKS.append(f)
    return f


@check
def a_token_the_connector_cached_is_used_by_sfmfa(port, emu, cache_dir):
    user = "push_approve"
    before = emu.pushes(user)
    connector(port, user)
    assert emu.pushes(user) == before + 1
    assert len(tokens_in_file(cache_dir)) == 1, "the connector cached its token in the file"
    out = sfmfa(port, user, "auto")
    assert out["second_factor"] == "mfa_token", out
    assert out["cache"]["status"] == "hit", out
    assert emu.pushes(user) == before + 1, "sfmfa sent no push: it used the connector's token"
    # What `auto` kept in a keystore (the user's own, e.g. keyutils) goes with the test.
    url = f"jdbc:snowflake://127.0.0.1:{port}/?account={ACCOUNT}&user={user}&ssl=off"
    subprocess.run([os.environ["SFMFA_BIN"], "cache", "delete", url], capture_output=True, timeout=60)


@check
def a_token_sfmfa_cached_in_the_file_is_used_by_the_connector(port, emu, cache_dir):
    user = "demo"
    before = emu.pushes(user)
    out = sfmfa(port, user, "file")
    assert out["cache"]["status"] == "stored" and out["cache"]["store"] == "file", out
    assert emu.pushes(user) == before + 1
    connector(port, user)
    assert emu.pushes(user) == before + 1, "the connector sent no push: it used sfmfa's token"


@check
def the_administrators_file_switch_shares_a_keystore_programs_tokens(port, emu, cache_dir):
    user = "admin"
    before = emu.pushes(user)
    # The program asks for a keystore; the machine's SFMFA_TOKEN_CACHE=file puts the token where
    # the official drivers read it.
    out = sfmfa(port, user, "keystore", env={"SFMFA_TOKEN_CACHE": "file"})
    assert out["cache"]["store"] == "file", out
    assert emu.pushes(user) == before + 1
    connector(port, user)
    assert emu.pushes(user) == before + 1, "the connector used the token sfmfa stored"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    port = ap.parse_args().port
    emu = Emulator(port)
    version = getattr(snowflake.connector, "__version__", "?")
    passed = failed = 0
    with tempfile.TemporaryDirectory() as cache_dir:
        os.chmod(cache_dir, 0o700)
        # One private cache directory for both programs: the drivers' default on Linux is
        # ~/.cache/snowflake, which SF_TEMPORARY_CREDENTIAL_CACHE_DIR replaces for both.
        os.environ["SF_TEMPORARY_CREDENTIAL_CACHE_DIR"] = cache_dir
        for f in CHECKS:
            try:
                f(port, emu, cache_dir)
                print(f"ok   {f.__name__}", flush=True)
                passed += 1
            except Exception:
                print(f"FAIL {f.__name__}", flush=True)
                traceback.print_exc()
                failed += 1
    print(
        f"token sharing with snowflake-connector-python {version}: {passed} passed, {failed} failed",
        flush=True,
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
