"""`make footprint`: what one login executes, counted by valgrind, beside its floor.

bench/footprint.sh builds the release artefacts and runs this script (Python 3.11, stdlib only,
valgrind). For the in-process passcode login over http and the second one over https, and for
their floors (the raw C POST and the rustls resumed handshake + POST of `make bench`, replaying
sfmfa's own request), it runs the worker of `make bench` under callgrind, counting only inside the
login (`sfmfa::login::Client::login`, the C floor's `post_bytes`, the rustls floor's
`TlsFloor::post`), and prints per login:

- the user-space instructions (callgrind's count; a `rep stosb` counts once per byte);
- the code it runs: the 64-byte lines of machine code holding an instruction executed at least
  once per login on average (the lines a login whose caches are cold has to fetch again; code run
  once, such as a first login's set-up, falls below that);
- how many of those lines its floor does not run (the floor runs the same rustls and ring code in
  the same binary over https).

Unlike the timings of `make bench` these counts do not depend on the machine's load: they are for
work on the code a login runs (BENCHMARKS.md, "Cold caches"). Each worker does one first login,
not counted (callgrind_control --zero after it: over https it is a full handshake), then LOGINS
counted ones; logouts happen outside the counted function (the rustls floor makes none: its
sessions stay open on the emulator, which ends with the script).

Usage: python3 bench/footprint.py --rows-exe PATH [--logins N]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (the emulators, the request capture and the C floor of `make bench`)


@dataclass
class Count:
    """What callgrind saw inside one row's logins."""

    instructions: int
    # (object file, address >> 6) of each line of code with an instruction run >= once per login.
    lines: set[tuple[str, int]]


def read_callgrind(path: Path, logins: int) -> Count:
    """Instructions and the lines run at least `logins` times, from a callgrind profile written
    with --dump-instr=yes --compress-pos=no --compress-strings=no."""
    runs: dict[tuple[str, int], int] = {}
    total = 0
    obj = ""
    after_calls = False
    with open(path) as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("calls="):
                # The next line is the call's inclusive cost, at the call instruction: not an
                # execution count of its own.
                after_calls = True
            elif line.startswith("0x"):
                if after_calls:
                    after_calls = False
                    continue
                fields = line.split()
                count = int(fields[2]) if len(fields) > 2 else 0
                total += count
                key = (obj, int(fields[0], 16) >> 6)
                runs[key] = max(runs.get(key, 0), count)
    return Count(total, {k for k, n in runs.items() if n >= logins})


def profile(cmd: list[str], toggle: str, logins: int, work: Path, name: str,
            children: bench.Children) -> Count:
    out = work / f"{name}.callgrind"
    vg = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={toggle}",
          "--dump-instr=yes", "--compress-pos=no", "--compress-strings=no",
          f"--callgrind-out-file={out}"]
    worker = bench.Worker(children, vg + cmd, work / f"{name}.log")
    try:
        # The first login (over https a full handshake, and every one-time set-up) is not
        # counted: the counters are zeroed after it.
        worker.run(1)
        zero = subprocess.run(["callgrind_control", "--zero", str(worker.proc.pid)],
                              capture_output=True, text=True, timeout=60)
        if zero.returncode != 0:
            bench.fail(f"{name}: callgrind_control --zero failed: {zero.stdout}{zero.stderr}")
        worker.run(logins)
    except RuntimeError as e:
        bench.fail(f"{name}: {e}")
    worker.close()
    if not out.exists():
        bench.fail(f"{name}: callgrind wrote no profile (see {work / (name + '.log')})")
    return read_callgrind(out, logins)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows-exe", required=True, help="the built benches/rows.rs executable")
    ap.add_argument("--logins", type=int, default=100, help="logins counted per row")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        bench.fail("make footprint needs valgrind (Debian: apt-get install valgrind)")
    children = bench.Children()
    work = Path(tempfile.mkdtemp(prefix="sfmfa-footprint-"))
    try:
        run(args, children, work)
    finally:
        children.stop_all()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, children: bench.Children, work: Path) -> None:
    rows_exe = args.rows_exe
    exe = bench.compile_c(work)
    http, _ = bench.start_emulator(children, work, "http", tls=False)
    https, ca = bench.start_emulator(children, work, "https", tls=True)
    # sfmfa's passcode request, captured through the recording proxy as `make bench` does.
    sent = bench.capture(children, rows_exe, bench.RecordingProxy(http), bench.PASSCODE, 1,
                         work / "capture.log", "the passcode request")
    request = bench.to_path(sent, bench.LOGIN_PATH)[-1]
    files = {}
    for name, port in (("http", http), ("https", https)):
        files[name] = work / f"passcode-{name}.http"
        files[name].write_bytes(bench.for_port(request, port))

    n = args.logins
    login = "sfmfa::login::Client::login"
    sfmfa_http = [rows_exe, "sfmfa", "--expect", "passcode", *bench.PASSCODE,
                  *bench.sfmfa_opts(http, False)]
    sfmfa_https = [rows_exe, "sfmfa", "--expect", "passcode", *bench.PASSCODE,
                   *bench.sfmfa_opts(https, True, ca)]
    c_floor = [str(exe["post"]), "--worker", str(files["http"]), str(http)]
    tls_floor = [rows_exe, "tls", "--resumed", str(https), str(ca), str(files["https"])]
    counts = {
        "c": profile(c_floor, "post_bytes", n, work, "c", children),
        "http": profile(sfmfa_http, login, n, work, "http", children),
        "tls": profile(tls_floor, "*TlsFloor*post*", n, work, "tls", children),
        "https": profile(sfmfa_https, login, n, work, "https", children),
    }
    rows = [
        ("C raw POST (passcode body), in-process", "c", None),
        ("sfmfa `Client::login`, http, passcode", "http", "c"),
        ("rustls resumed handshake + POST (passcode body)", "tls", None),
        ("sfmfa `Client::login`, https, passcode, 2nd+ login (resumed)", "https", "tls"),
    ]
    print(f"Per login, over {n} logins of each worker after a first one, not counted (callgrind, release "
          f"build; lines: 64-byte lines of code with an instruction run at least once per login)."
          f" A floor's lines are counted in its own binary: the C floor's are not sfmfa's.")
    print()
    print("| row | instructions | lines of code run | KiB | not run by its floor |")
    print("|---|---|---|---|---|")
    for label, key, floor in rows:
        c = counts[key]
        per_login = c.instructions / n
        beyond = "" if floor is None else f"{len(c.lines - counts[floor].lines):,}"
        print(f"| {label} | {per_login:,.0f} | {len(c.lines):,} | {len(c.lines) * 64 / 1024:.0f} "
              f"| {beyond} |")


if __name__ == "__main__":
    main()
