"""A push login, a passcode login and a failed passcode login against sfmfa-emulator.

    make python-example                       # starts the emulator and runs this file
    python3 login.py --port PORT              # against an emulator already listening on PORT
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package of this source tree

import sfmfa  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="the emulator's port")
    args = parser.parse_args()
    emulator = {"host": "127.0.0.1", "port": args.port, "protocol": "http"}  # loopback only

    def on_progress(event: sfmfa.ProgressEvent) -> None:
        print(f"  progress: {event.message}")

    print("push login (approve on your phone; the emulator approves after 200 ms):")
    with sfmfa.login(
        account="xy12345",
        user="demo",
        password="abc123",
        authenticator="username_password_mfa",
        token_cache="memory",
        progress=on_progress,
        **emulator,
    ) as session:
        print(f"  logged in: session {session.session_id}, second factor "
              f"{session.second_factor.name}, token cache {session.cache_status.name}")

    print("passcode login:")
    with sfmfa.login(account="xy12345", user="demo", password="abc123", passcode="987654",
                     **emulator) as session:
        print(f"  logged in: session {session.session_id}, second factor {session.second_factor.name}")

    print("wrong passcode:")
    try:
        sfmfa.login(account="xy12345", user="demo", password="abc123", passcode="000000", **emulator)
    except sfmfa.DatabaseError as e:
        print(f"  {type(e).__name__}: errno={e.errno} sqlstate={e.sqlstate} kind={e.kind.name}")
        print(f"  {e.msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
