"""Pool warm-up with the official snowflake-connector-python (used by benches/pool.rs).

Usage: pool_python.py threads|processes PORT USER N
Starts N connections of USER at once against the emulator on 127.0.0.1:PORT, with the MFA
authenticator and client_store_temporary_credential=True, and prints how many succeeded.
"""

import sys
import threading
from multiprocessing import Process, Queue


def connect(port: int, user: str) -> bool:
    import snowflake.connector

    try:
        conn = snowflake.connector.connect(
            account="xy12345",
            user=user,
            password="abc123",
            host="127.0.0.1",
            port=port,
            protocol="http",
            authenticator="username_password_mfa",
            client_store_temporary_credential=True,
            login_timeout=120,
            validate_default_parameters=False,
        )
    except Exception as e:  # noqa: BLE001 - the benchmark counts failures, it does not raise
        print(f"login failed: {e}", file=sys.stderr)
        return False
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - logout problems do not change the count
        pass
    return True


def in_process(port: int, user: str, out: Queue) -> None:
    out.put(connect(port, user))


def main() -> None:
    mode, port, user, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    if mode == "threads":
        results: list[bool] = []
        lock = threading.Lock()
        start = threading.Barrier(n)

        def worker() -> None:
            start.wait()
            ok = connect(port, user)
            with lock:
                results.append(ok)

        threads = [threading.Thread(target=worker) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(sum(results))
    else:
        out: Queue = Queue()
        procs = [Process(target=in_process, args=(port, user, out)) for _ in range(n)]
        for p in procs:
            p.start()
        oks = [out.get() for _ in procs]
        for p in procs:
            p.join()
        print(sum(oks))


if __name__ == "__main__":
    main()
