"""Login latency through the Python binding (ctypes over the C ABI): `bench/run.sh` runs it.

Usage: python3 login_bench.py PORT [LOGINS]. Passcode logins (bypass code) of user `demo` over http
on 127.0.0.1, token caching off; each row times `Client.login()` only (the logout is outside the
timer), after 20 untimed logins, like `cargo bench --bench login` does for Rust.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))

import sfmfa  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    logins = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    options = dict(account="xy12345", user="demo", password="abc123", passcode="987654",
                   host="127.0.0.1", port=port, protocol="http", token_cache="none")
    with sfmfa.Client(**options) as client:
        for _ in range(20):
            client.login().close()
        samples = []
        for _ in range(logins):
            start = time.perf_counter_ns()
            session = client.login()
            samples.append(time.perf_counter_ns() - start)
            session.close()
        fresh = []
        for _ in range(logins):  # a new client (config + client handles) per login, as a one-shot script
            start = time.perf_counter_ns()
            session = sfmfa.login(**options)
            fresh.append(time.perf_counter_ns() - start)
            session.close()
    for label, values in (("Python (ctypes), one client", samples),
                          ("Python (ctypes), `sfmfa.login()` each time", fresh)):
        values.sort()
        median = values[len(values) // 2] / 1e6
        p90 = values[len(values) * 9 // 10] / 1e6
        print(f"| {label} | {len(values)} | {median:.2f} ms | {p90:.2f} ms |")


if __name__ == "__main__":
    main()
