"""Login latency through the Python binding (ctypes over the C ABI): a worker of `make bench`.

Usage: python3 login_bench.py PORT. Passcode logins (bypass code) of user `demo` over http on
127.0.0.1, token caching off, one client, the library named by SFMFA_LIBRARY. For each line
"run K" on stdin: K logins, each timing `Client.login()` only (the logout is outside the timer),
answered with one line "ok NS NS ..." (or "error WHY"). bench/bench.py drives it beside the
C ABI row (bench/bindings/login_bench.c), which is its floor.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))

import sfmfa  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    # The options of the Rust and C ABI rows (bench.py's PASSCODE): the same request.
    options = dict(account="xy12345", user="demo", password="abc123",
                   authenticator="username_password_mfa", passcode="987654",
                   client_store_temporary_credential="off",
                   host="127.0.0.1", port=port, protocol="http")
    clock = time.perf_counter_ns
    with sfmfa.Client(**options) as client:
        for line in sys.stdin:
            words = line.split()
            if len(words) != 2 or words[0] != "run":
                print("error bad command", flush=True)
                continue
            samples = []
            try:
                for _ in range(int(words[1])):
                    start = clock()
                    session = client.login()
                    samples.append(clock() - start)
                    session.close()
            except sfmfa.Error as e:
                print(f"error {e}", flush=True)
                continue
            print("ok", *samples, flush=True)


if __name__ == "__main__":
    main()
