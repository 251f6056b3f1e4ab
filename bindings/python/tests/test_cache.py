"""The MFA-token cache through the binding: a cached token on the second login, also in a new
interpreter (the file store), inspect and delete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import PKG_ROOT, Emulator, wait_until

import sfmfa
from sfmfa import CacheStatus, SecondFactor

MFA = {"authenticator": "username_password_mfa", "client_store_temporary_credential": True}

CHILD = textwrap.dedent(
    """
    import json, sys
    import sfmfa
    opts = json.loads(sys.argv[1])
    with sfmfa.login(**opts) as s:
        print(json.dumps({"cache": s.cache_status.name, "factor": s.second_factor.name,
                          "library": str(sfmfa._ffi.library_path())}))
    """
)


def run_child(opts: dict[str, object], cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(PKG_ROOT), SF_TEMPORARY_CREDENTIAL_CACHE_DIR=str(cache_dir))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(opts)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_new_interpreter_logs_in_with_the_cached_token(emulator: Emulator, cache_dir: Path) -> None:
    user = emulator.add_user("twoproc")
    opts = emulator.options(user, token_cache="file", **MFA)
    first = run_child(opts, cache_dir)
    assert (first["cache"], first["factor"]) == ("STORED", "PUSH_OR_NONE")
    assert (cache_dir / "credential_cache_v2.json").is_file()
    second = run_child(opts, cache_dir)
    assert (second["cache"], second["factor"]) == ("HIT", "MFA_TOKEN")
    assert emulator.push_count(user) == 1, "no second push"
    assert emulator.login_count(user) == 2


def test_memory_cache_inspect_and_delete(emulator: Emulator) -> None:
    user = emulator.add_user("memcache")
    with sfmfa.Client(**emulator.options(user, token_cache="memory", **MFA)) as client:
        assert client.cached_token() == sfmfa.CacheInfo(present=False, store="memory")
        with client.login() as s:
            assert s.cache_status == CacheStatus.STORED
        assert client.cached_token().present
        with client.login() as s:
            assert (s.cache_status, s.second_factor) == (CacheStatus.HIT, SecondFactor.MFA_TOKEN)
        client.delete_cached_token()
        client.delete_cached_token()  # deleting what is not there succeeds
        assert not client.cached_token().present
        with client.login() as s:
            assert s.cache_status == CacheStatus.STORED
    assert emulator.push_count(user) == 2


def test_a_rejected_token_is_evicted_and_the_login_prompts_once(emulator: Emulator) -> None:
    user = emulator.add_user("evict")
    with sfmfa.Client(**emulator.options(user, token_cache="memory", **MFA)) as client:
        client.login().close()
        emulator.call("POST", "password", {"account": "xy12345", "user": user, "password": "abc123"})
        emulator.call("POST", "clock/advance", {"secs": 14_401})  # the token expires
        with client.login() as s:
            assert s.cache_evicted
            assert s.cache_status == CacheStatus.STORED
    assert emulator.push_count(user) == 2


def test_a_configuration_that_does_not_cache(emulator: Emulator) -> None:
    with sfmfa.Client(**emulator.options("push_approve", token_cache="none", **MFA)) as client:
        assert client.cached_token() == sfmfa.CacheInfo(present=False, store="")
        with client.login() as s:
            assert s.cache_status == CacheStatus.DISABLED
    with sfmfa.login(**emulator.options("push_approve", client_store_temporary_credential=True)) as s:
        assert s.cache_status == CacheStatus.WRONG_AUTHENTICATOR
    with sfmfa.login(**emulator.options("no_cache", token_cache="memory", **MFA)) as s:
        assert s.cache_status == CacheStatus.NOT_ISSUED


WAITER = textwrap.dedent(
    """
    import json, sys
    import sfmfa
    opts = json.loads(sys.argv[1])

    def progress(event):
        print(event.kind.name, flush=True)

    with sfmfa.login(progress=progress, **opts) as s:
        print("DONE", s.cache_status.name, flush=True)
    """
)


def test_four_interpreters_at_once_send_one_push(emulator: Emulator, cache_dir: Path) -> None:
    """The file cache coordinates processes: the first pushes, the others wait for its token."""
    user = emulator.manual_user("procs4")
    opts = emulator.options(user, token_cache="file", login_timeout=60, **MFA)
    env = dict(os.environ, PYTHONPATH=str(PKG_ROOT), SF_TEMPORARY_CREDENTIAL_CACHE_DIR=str(cache_dir))
    procs = [
        subprocess.Popen([sys.executable, "-c", WAITER, json.dumps(opts)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    try:
        firsts = [p.stdout.readline().strip() for p in procs]  # type: ignore[union-attr]
        assert sorted(firsts) == ["PUSH_SENT"] + ["WAITING_FOR_OTHER_LOGIN"] * 3, firsts
        # PUSH_SENT comes as the request leaves: wait for it to reach the emulator.
        wait_until("the push is pending", lambda: emulator.pending(user) == 1)
        assert emulator.answer(user, True)
        outs = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    done = sorted(o[0].strip().splitlines()[-1] for o in outs)
    assert done == ["DONE HIT"] * 3 + ["DONE STORED"], done
    assert emulator.push_count(user) == 1
