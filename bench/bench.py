"""The main table of `make bench`: every login row beside its physical floor, measured in one run.

bench/run.sh builds the release artefacts and runs this script (Python 3.11, stdlib only). It
  1. compiles the C programs (bench/floor/post.c, bench/floor/spawn.c, bench/bindings/login_bench.c)
     with gcc -O2;
  2. starts release sfmfa-emulators on 127.0.0.1: one for http (token logins answered with the
     same token), one for http with the emulator's default (a fresh token each time), one for
     https (resumed TLS sessions) and one for the https rows with full handshakes;
  3. captures the exact requests sfmfa sends (passcode, push, plain password and cached-token
     logins, and a logout) through a recording proxy in front of each http emulator, for the
     floors to replay;
  4. starts one long-lived worker per row (in-process rows time each login inside the worker;
     process rows go through bench/floor/spawn.c, which times spawn + wait of one process per
     login), warms each up, then runs ROUNDS interleaved rounds of PER_ROUND logins per row, the
     row order rotated every round so that the machine's noise spreads over all rows, each row
     back to back with a batch of its floor (in alternating order) for its ratio;
  5. runs the goal rows again one login at a time, each beside a login of its floor;
  6. prints the machine, the table (median, p90, the floor's median, the ratio paired round by
     round, the quotient of the medians, goal), the one-login-at-a-time table and the sizes.

Usage: python3 bench/bench.py --rows-exe PATH [--rounds N] [--per-round K] [--only KEY,...]
(--only, or BENCH_ONLY: measure only those rows and their floors, for working on one goal.)
A goal that is not met is reported as such; it never fails the run. A row that cannot run (a
worker error, keyutils unavailable) is printed as skipped with the reason.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
RELEASE = TARGET / "release"
LOGIN_PATH = b"/session/v1/login-request"
LOGOUT_PATH = b"/session?delete=true"

# The options of each login kind; host, port and protocol are added per emulator. The password is
# the emulator's test password and the passcode its bypass code (emulator/default.toml).
BASE = ["account=xy12345", "password=abc123"]
PASSCODE = BASE + ["user=demo", "authenticator=username_password_mfa", "passcode=987654",
                   "client_store_temporary_credential=off"]
PUSH = BASE + ["user=push_approve", "authenticator=username_password_mfa",
               "client_store_temporary_credential=off"]
PLAIN = BASE + ["user=plain", "client_store_temporary_credential=off"]
# A user whose pushes are approved at once: the first login (a push) stores the MFA token, every
# later login sends it instead.
TOKEN = BASE + ["user=push_approve", "authenticator=username_password_mfa",
                "client_store_temporary_credential=on"]


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------
# Processes


def placement() -> tuple[set[int], set[int]] | None:
    """The CPUs of the clients (workers) and of the servers (emulators), apart: with two CPUs or
    more, every row and floor then meets its server across the same pair of CPUs, instead of
    wherever the scheduler put each process (a login costs a context switch on one CPU and a
    wake-up across CPUs on two, and that placement would differ from row to row and run to run).
    None with a single CPU, or when BENCH_PIN=0."""
    if os.environ.get("BENCH_PIN", "1") == "0" or not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    half = len(cpus) // 2
    return set(cpus[:half]), set(cpus[half:])


PLACEMENT = placement()


class Children:
    """Every process this script starts, killed (by its own pid) when the script ends."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, cmd: list[str], server: bool = False, **kw) -> subprocess.Popen:
        if PLACEMENT is not None:
            cpus = PLACEMENT[1] if server else PLACEMENT[0]
            kw["preexec_fn"] = lambda: os.sched_setaffinity(0, cpus)
        p = subprocess.Popen(cmd, **kw)
        self.procs.append(p)
        return p

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def start_emulator(children: Children, work: Path, name: str, tls: bool) -> tuple[int, Path | None]:
    port_file = work / f"emulator-{name}.port"
    cmd = [str(RELEASE / "sfmfa-emulator"), "--port", "0", "--port-file", str(port_file),
           "--exit-after", "3600"]
    ca = None
    if tls:
        ca = work / f"emulator-{name}-ca.pem"
        cmd += ["--tls", "--ca-file", str(ca)]
    children.start(cmd, server=True, stdout=subprocess.DEVNULL)
    for _ in range(600):
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text()), ca
        time.sleep(0.05)
    fail(f"the emulator for {name} did not start")
    raise AssertionError


def sfmfa_opts(port: int, tls: bool, ca: Path | None = None) -> list[str]:
    opts = ["host=127.0.0.1", f"port={port}", f"protocol={'https' if tls else 'http'}"]
    if ca is not None:
        opts.append(f"ca_file={ca}")
    return opts


# ---------------------------------------------------------------------------------------------
# Capture of the requests sfmfa sends


def read_http_message(sock: socket.socket) -> bytes:
    """One HTTP message (head and Content-Length body) from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    length = int(m.group(1)) if m else 0
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RecordingProxy:
    """A proxy on 127.0.0.1 in front of the http emulator that keeps every request it forwards
    (sfmfa opens a fresh connection per request, so one request per connection)."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.requests: list[bytes] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client:
                request = read_http_message(client)
                self.requests.append(request)
                with socket.create_connection(("127.0.0.1", self.upstream)) as up:
                    up.sendall(request)
                    client.sendall(read_http_message(up))

    def take(self) -> list[bytes]:
        """Every request kept so far, in order; forgets them."""
        taken = list(self.requests)
        self.requests.clear()
        return taken


def to_path(requests: list[bytes], path: bytes) -> list[bytes]:
    """The requests to `path` (a prefix of the request target)."""
    return [r for r in requests if r.split(b" ", 2)[1].startswith(path)]


def capture(children: "Children", rows_exe: str, proxy: RecordingProxy, opts: list[str],
            logins: int, log: Path, what: str) -> list[bytes]:
    """Every request an sfmfa worker with `opts` sends through `proxy` in `logins` logins (it
    logs out after each), in order. The run fails, naming `what`, if the worker does."""
    w = Worker(children, [rows_exe, "sfmfa", *opts, *sfmfa_opts(proxy.port, False)], log)
    try:
        w.run(logins)
    except RuntimeError as e:
        fail(f"capturing {what}: {e}")
    w.close()
    return proxy.take()


def for_port(request: bytes, port: int) -> bytes:
    """The captured request with its Host header naming `port` (the proxy's port was in it)."""
    head, sep, body = request.partition(b"\r\n\r\n")
    head = re.sub(rb"(?im)^(host:\s*127\.0\.0\.1:)\d+", rb"\g<1>" + str(port).encode(), head)
    return head + sep + body


# ---------------------------------------------------------------------------------------------
# Workers and rows


class Worker:
    """A long-lived worker: `run K` on its stdin, `ok NS...` or `error WHY` on its stdout."""

    def __init__(self, children: Children, cmd: list[str], log: Path,
                 env: dict[str, str] | None = None):
        # stderr to a file, not a pipe: a pipe nobody reads would block a chatty worker.
        self.log = log
        with open(log, "w") as err:
            self.proc = children.start(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=err, text=True, env=env, bufsize=1)

    def run(self, k: int) -> list[int]:
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(f"run {k}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            last = self.log.read_text(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"worker exited: {last[0] if last else 'no message'}")
        words = line.split()
        if words[:1] != ["ok"]:
            raise RuntimeError(line.strip().removeprefix("error ").strip() or "no answer")
        return [int(w) for w in words[1:]]

    def notes(self) -> str:
        """What the row's figures should be read with (the Rust workers answer `notes TEXT`)."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("notes\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip().removeprefix("notes").strip()

    def close(self) -> None:
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Row:
    key: str
    label: str
    cmd: list[str] | None  # None: skipped (see `skipped`)
    floor: str | None = None  # key of the floor row
    goal: float | None = None  # ratio goal
    goal_ms: float | None = None  # absolute goal: at most this much over the floor's median
    note: str = ""
    warmup: int = 20
    env: dict[str, str] | None = None
    skipped: str = ""
    samples: list[int] = field(default_factory=list)
    # The floor's samples taken right beside this row's, round by round (the ratio's denominator).
    floor_samples: list[int] = field(default_factory=list)
    # Round by round, the median of the row's batch and that of the floor's batch beside it: the
    # ratio is the median of their quotients (see paired()).
    pairs: list[tuple[float, float]] = field(default_factory=list)
    worker: Worker | None = None


def median(xs: list[int]) -> float:
    return statistics.median(xs)


def p90(xs: list[int]) -> float:
    s = sorted(xs)
    return s[round((len(s) - 1) * 0.9)]


def in_turn(n: int, rows: list["Row"]) -> list["Row"]:
    """The order of `rows` in round `n`: rotated by one place a round, so that the machine's
    noise spreads over every row alike."""
    shift = n % len(rows) if rows else 0
    return rows[shift:] + rows[:shift]


def side_by_side(n: int, row: "Row", floor: "Row") -> tuple["Row", "Row"]:
    """A row and its floor in round `n`: the row first in even rounds, the floor in odd ones."""
    return (row, floor) if n % 2 == 0 else (floor, row)


def quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[round((len(s) - 1) * q)]


def paired(pairs: list[tuple[float, float]], of) -> tuple[float, float, float]:
    """`of(row, floor)` (a quotient or a difference) of each round's pair of batch medians: its
    median, and the 25th and 75th percentiles (the middle half of the rounds).

    Each pair was measured within a few milliseconds, so it compares the row and its floor on
    the machine as it was at that moment. The quotient of the two overall medians does not:
    when the host's load drifts from round to round, each side's samples are a mixture of
    several levels, and the median of a mixture can fall anywhere in the gap between them.
    """
    xs = [of(a, b) for a, b in pairs]
    return statistics.median(xs), quantile(xs, 0.25), quantile(xs, 0.75)


def ms(ns: float) -> str:
    return f"{ns / 1e6:.3f} ms"


# ---------------------------------------------------------------------------------------------
# Main


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        debian = "Debian " + Path("/etc/debian_version").read_text().strip()
    except OSError:
        debian = "not Debian"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Machine: {now}; {cpu}; {os.cpu_count()} cores; Linux {platform.release()}; "
            f"{rustc}; {debian}")


def compile_c(work: Path) -> dict[str, Path]:
    cc = os.environ.get("CC", "gcc")
    out = {}
    # The library's soname is libsfmfa.so.0 (what `make install` links); cargo writes only
    # libsfmfa.so, so the link the loader looks for is made here.
    lib = work / "lib"
    lib.mkdir()
    (lib / "libsfmfa.so.0").symlink_to(RELEASE / "libsfmfa.so")
    builds = {
        "post": ["bench/floor/post.c"],
        "spawn": ["bench/floor/spawn.c"],
        "login_bench": ["bench/bindings/login_bench.c", "-I", "bindings/c/include",
                        "-L", str(RELEASE), "-lsfmfa", f"-Wl,-rpath,{lib}"],
    }
    for name, args in builds.items():
        exe = work / name
        r = subprocess.run([cc, "-O2", "-Wall", "-o", str(exe), *args], cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{cc} could not compile {args[0]}:\n{r.stderr}")
        out[name] = exe
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows-exe", required=True, help="the built benches/rows.rs executable")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 60)))
    ap.add_argument("--per-round", type=int, default=int(os.environ.get("BENCH_PER_ROUND", 15)))
    ap.add_argument("--cold-rounds", type=int,
                    default=int(os.environ.get("BENCH_COLD_ROUNDS", 300)),
                    help="rounds of the one-login-at-a-time table (0: none)")
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                    help="comma-separated row keys (e.g. rs_https,cli_login): only these rows and "
                         "their floors are measured")
    args = ap.parse_args()
    for exe in ("sfmfa-emulator", "sfmfa", "libsfmfa.so", "libsfmfa_jni.so"):
        if not (RELEASE / exe).exists():
            fail(f"{RELEASE / exe} is missing (bench/run.sh builds it)")
    jar = ROOT / "target" / "java" / "sfmfa.jar"  # where `make java` writes it

    children = Children()
    # A SIGTERM (or the terminal's SIGHUP) ends the run through the same cleanup as the end.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    work = Path(tempfile.mkdtemp(prefix="sfmfa-bench-"))
    try:
        run(args, children, work, jar)
    finally:
        children.stop_all()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, children: Children, work: Path, jar: Path) -> None:
    print(machine_line())
    exe = compile_c(work)
    rows_exe = args.rows_exe
    http, _ = start_emulator(children, work, "http", tls=False)
    # A token login is answered with the token it presented: the token did not change, the case
    # issue 18's goal is about (Snowflake normally issues no new token then, docs/protocol.md §9;
    # the emulator's default would issue a fresh one each time, and each would be written).
    answer = urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{http}/control/token_on_token_login", data=b'{"answer":"same"}',
        headers={"Content-Type": "application/json"}, method="POST"), timeout=10)
    if answer.status != 200:
        fail(f"the emulator's control API answered {answer.status}")
    # The same server with the emulator's default: a fresh MFA token in every token login's answer,
    # which the store must then write (informative rows).
    rotating, _ = start_emulator(children, work, "http-rotating", tls=False)
    https, ca = start_emulator(children, work, "https", tls=True)
    # The full-handshake rows get an https emulator of their own: each handshake leaves two
    # session tickets in the server's session cache (rustls keeps 256, oldest out first), and the
    # full rows' tickets would push out those the resumed rows are about to use, turning some of
    # their logins into full handshakes.
    https_full, ca_full = start_emulator(children, work, "https-full", tls=True)

    # 3. What sfmfa sends, captured once per kind through the proxy.
    proxy = RecordingProxy(http)
    requests: dict[str, bytes] = {}
    for kind, opts, logins in (("passcode", PASSCODE, 1), ("push", PUSH, 1), ("plain", PLAIN, 1),
                               ("token", TOKEN + ["token_cache=memory"], 2)):
        sent = capture(children, rows_exe, proxy, opts, logins, work / f"capture-{kind}.log",
                       f"the {kind} request")
        if kind == "passcode":
            # Every worker logs out after each login: the passcode one's logout is kept for the
            # process floor of `sfmfa login`, which logs out too.
            logout = to_path(sent, LOGOUT_PATH)
            if not logout:
                fail("capturing the logout request: none seen")
            requests["logout"] = logout[-1]
        captured = to_path(sent, LOGIN_PATH)
        if len(captured) != logins:
            fail(f"capturing the {kind} request: {len(captured)} login requests seen, {logins} expected")
        requests[kind] = captured[-1]  # the token login is the second
    # The rotating emulator signs its own tokens: its token login is captured from it.
    rotating_request = to_path(
        capture(children, rows_exe, RecordingProxy(rotating), TOKEN + ["token_cache=memory"], 2,
                work / "capture-rotating.log", "the token request of the rotating emulator"),
        LOGIN_PATH)[-1]
    # The request files the floors replay, each for the port of the emulator it goes to.
    replays = {kind: (req, http) for kind, req in requests.items()}
    replays.update({
        "logout-rotating": (requests["logout"], rotating),
        "token-rotating": (rotating_request, rotating),
        "passcode-tls": (requests["passcode"], https),
        "passcode-tls-full": (requests["passcode"], https_full),
        "logout-tls": (requests["logout"], https),
        "logout-tls-full": (requests["logout"], https_full),
    })
    files = {}
    for name, (req, port) in replays.items():
        files[name] = work / f"{name}.http"
        files[name].write_bytes(for_port(req, port))
    parts = {k: v.partition(b"\r\n\r\n") for k, v in requests.items()}
    sizes = ", ".join(f"{k} {len(h) + 4} + {len(b)} B" for k, (h, _, b) in parts.items())
    print(f"Requests replayed by the floors (head + body, captured from sfmfa): {sizes}. A cached-"
          "token login is answered with the token it presented (unchanged, as Snowflake does).")

    # 4. The rows.
    post, spawn = str(exe["post"]), str(exe["spawn"])
    keyutils = subprocess.run([rows_exe, "probe-keyutils"], capture_output=True, text=True)
    keyutils_why = keyutils.stdout.strip() or keyutils.stderr.strip()
    keyutils_why = "" if keyutils_why == "ok" else keyutils_why
    cache_dir = work / "file-cache"
    cache_dir.mkdir()
    rotating_dir = work / "file-cache-rotating"
    rotating_dir.mkdir()
    home = work / "home"  # the CLI reads no profile of the user running the bench
    home.mkdir()
    cli_env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWFLAKE_")}
    cli_env.update(HOME=str(home), SNOWFLAKE_HOME=str(home), SNOWFLAKE_PASSWORD="abc123")
    lib_env = dict(os.environ, SFMFA_LIBRARY=str(RELEASE / "libsfmfa.so"))
    cli_login = [str(RELEASE / "sfmfa"), "login"]
    for opt in PASSCODE + sfmfa_opts(http, False):
        if not opt.startswith("password="):  # from SNOWFLAKE_PASSWORD, as the CLI advises
            cli_login += ["-o", opt]
    token = TOKEN + sfmfa_opts(http, False)

    def c_post(kind: str, port: int, logout: str = "logout") -> list[str]:
        # The in-process C floor of one body; it logs each session out after its timer stops, as
        # every in-process row does, so that the server does the same untimed work between logins.
        return [post, "--worker", str(files[kind]), str(port), str(files[logout])]

    def sf(*args: str) -> list[str]:  # an sfmfa worker
        return [rows_exe, "sfmfa", *args]

    passcode_http = ["--expect", "passcode", *PASSCODE, *sfmfa_opts(http, False)]
    cached = ["--prime", "--expect", "mfa_token"]
    java = [shutil.which("java") or "java", "-cp", str(jar),
            str(ROOT / "bench/bindings/LoginBench.java"), str(http)]
    rows = [
        # The floors.
        Row("c_passcode", "C raw POST (passcode body), in-process", c_post("passcode", http)),
        Row("c_push", "C raw POST (push body), in-process", c_post("push", http)),
        Row("c_plain", "C raw POST (plain password body), in-process", c_post("plain", http)),
        Row("c_token", "C raw POST (cached-token body), in-process", c_post("token", http)),
        Row("c_token_rot", "C raw POST (cached-token body; the server answers a fresh token), "
            "in-process", c_post("token-rotating", rotating, "logout-rotating")),
        Row("c_process", "C process floor: one process per POST (passcode body)",
            [spawn, post, str(files["passcode"]), str(http)], warmup=5),
        Row("c_process_logout", "C process: login POST + logout POST (what `sfmfa login` sends)",
            [spawn, post, str(files["passcode"]), str(http), str(files["logout"])], warmup=5),
        Row("c_exec", "C process doing nothing (`post --noop`)", [spawn, post, "--noop"], warmup=5),
        Row("tls_full", "rustls full handshake + POST (passcode body)",
            [rows_exe, "tls", "--full", str(https_full), str(ca_full), str(files["passcode-tls-full"]),
             str(files["logout-tls-full"])]),
        Row("tls_resumed", "rustls resumed handshake + POST (passcode body)",
            [rows_exe, "tls", "--resumed", str(https), str(ca), str(files["passcode-tls"]),
             str(files["logout-tls"])]),
        # sfmfa in-process, one client.
        Row("rs_passcode", "sfmfa `Client::login`, http, passcode", sf(*passcode_http),
            floor="c_passcode", goal=1.10),
        Row("rs_push", "sfmfa `Client::login`, http, push (approved at once)",
            sf(*PUSH, *sfmfa_opts(http, False)), floor="c_push", goal=1.10),
        Row("rs_plain", "sfmfa `Client::login`, http, plain password",
            sf(*PLAIN, *sfmfa_opts(http, False)), floor="c_plain", goal=1.10),
        Row("rs_https", "sfmfa `Client::login`, https, passcode, 2nd+ login (resumed)",
            sf("--expect", "passcode", *PASSCODE, *sfmfa_opts(https, True, ca)),
            floor="tls_resumed", goal=1.05),
        Row("rs_https_fresh", "sfmfa new `Client` + `login`, https, passcode (full handshake)",
            sf("--fresh", "--expect", "passcode", *PASSCODE, *sfmfa_opts(https_full, True, ca_full)),
            floor="tls_full"),
        # Cached-token logins.
        Row("tok_file", "sfmfa cached-token login, token_cache=file",
            sf(*cached, *token, "token_cache=file", f"credential_cache_dir={cache_dir}"),
            floor="c_token", goal=1.5),
        Row("tok_keyutils", "sfmfa cached-token login, token_cache=keyutils",
            sf(*cached, *token, "token_cache=keyutils"), floor="c_token", goal=1.3,
            skipped=keyutils_why and f"keyutils {keyutils_why}"),
        Row("tok_memory", "sfmfa cached-token login, token_cache=memory",
            sf(*cached, *token, "token_cache=memory"), floor="c_token"),
        Row("tok_file_rot", "sfmfa cached-token login, token_cache=file, a fresh token in each "
            "answer (written)", sf(*cached, *TOKEN, *sfmfa_opts(rotating, False), "token_cache=file",
                                   f"credential_cache_dir={rotating_dir}"), floor="c_token_rot"),
        # The CLI, one process per login.
        Row("cli_login", "`sfmfa login` process (http, passcode, token cache off; logs out too)",
            [spawn, *cli_login], floor="c_process", goal=2.0, env=cli_env, warmup=5),
        Row("cli_version", "`sfmfa --version` process (start-up only)",
            [spawn, str(RELEASE / "sfmfa"), "--version"], floor="c_exec", env=cli_env, warmup=5),
        # The bindings, one client.
        Row("c_abi", "C ABI `sfmfa_client_login` (libsfmfa.so), http, passcode",
            [str(exe["login_bench"]), str(http)], floor="c_passcode"),
        Row("python", "Python ctypes `Client.login()`, http, passcode",
            [sys.executable, str(ROOT / "bench/bindings/login_bench.py"), str(http)],
            floor="c_abi", goal_ms=0.05, env=lib_env),
        Row("java", "Java JNI `SfmfaClient.login()`, http, passcode", java, floor="c_abi",
            warmup=300),
    ]
    by_key = {r.key: r for r in rows}
    if args.only:
        wanted = {k.strip() for k in args.only.split(",") if k.strip()}
        unknown = wanted - by_key.keys()
        if unknown:
            fail(f"--only: no row {', '.join(sorted(unknown))} (rows: {', '.join(by_key)})")
        # A floor's own floor too (Python's is the C ABI row, whose floor is the raw C POST).
        while floors := {by_key[k].floor for k in wanted if by_key[k].floor} - wanted:
            wanted |= floors
        rows = [r for r in rows if r.key in wanted]
    if not jar.exists() or shutil.which("java") is None:
        by_key["java"].skipped = "no java or no target/java/sfmfa.jar (make java)"

    for r in rows:
        if r.skipped:
            continue
        try:
            r.worker = Worker(children, r.cmd, work / f"{r.key}.log", r.env)
            r.worker.run(r.warmup)
        except RuntimeError as e:
            r.skipped = f"failed at warm-up: {e}"
    live = [r for r in rows if not r.skipped]

    def batch(r: Row, n: int) -> list[int]:
        if r.skipped:
            return []
        try:
            return r.worker.run(args.per_round)
        except RuntimeError as e:
            r.skipped = f"failed in round {n + 1}: {e}"
            return []

    started = time.monotonic()
    for n in range(args.rounds):
        for r in in_turn(n, live):
            f = by_key.get(r.floor) if r.floor else None
            if f is None or f.skipped:
                r.samples += batch(r, n)
                continue
            # A row and its floor back to back, first one then the other in turn: what the
            # machine does at that moment (a process row's children, the JVM's threads after
            # the Java row, a frequency change) weighs on both alike.
            got = {}
            for first in side_by_side(n, r, f):
                got[first.key] = batch(first, n)
                first.samples += got[first.key]
                if first is f:
                    r.floor_samples += got[first.key]
            if got[r.key] and got[f.key]:
                r.pairs.append((median(got[r.key]), median(got[f.key])))
    elapsed = time.monotonic() - started
    cold = one_at_a_time(live, by_key, args.cold_rounds)
    for r in rows:
        if r.worker is not None:
            if r.cmd and r.cmd[0] == rows_exe and not r.skipped:
                r.note = r.worker.notes()
            r.worker.close()

    # 5. The table.
    print(f"{args.rounds} interleaved rounds × {args.per_round} logins per row (row order rotated "
          f"each round; a row and its floor back to back, in alternating order) after untimed "
          f"warm-up logins, in {elapsed:.0f} s; emulators: http, http rotating tokens, https "
          f"(resumed rows), https (full-handshake rows). A floor's median is over all its "
          f"samples on its own line, and over those taken beside the row on the row's line. "
          f"Ratio: in each round, the median of the row's batch over that of the floor's batch "
          f"beside it; the median of those {args.rounds} quotients, then the 25th and 75th "
          f"percentiles (a goal in ms: the same with differences). The quotient of the two "
          f"medians is given beside it.")
    print()
    print("| row | median | p90 | floor | floor median | ratio (middle half of the rounds) "
          "| median ÷ floor median | goal |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.skipped:
            print(f"| {r.label} | skipped: {r.skipped} | | | | | | |")
            continue
        med = median(r.samples)
        cells = [r.label, ms(med), ms(p90(r.samples))]
        f = by_key.get(r.floor) if r.floor else None
        if f is None:
            cells += ["(a floor)", "", "", "", ""]
        elif f.skipped or not r.pairs:
            cells += [f.label, "skipped", "", "", ""]
        else:
            fmed = median(r.floor_samples)
            ratio, low, high = paired(r.pairs, lambda a, b: a / b)
            if r.goal_ms is not None:
                diff, dlow, dhigh = (x / 1e6 for x in paired(r.pairs, lambda a, b: a - b))
                verdict = "met" if diff <= r.goal_ms else "not met"
                goal = (f"≤ +{r.goal_ms:.2f} ms: {verdict} ({diff:+.3f} ms; "
                        f"{dlow:+.3f} to {dhigh:+.3f})")
            elif r.goal is not None:
                goal = f"≤ {r.goal:.2f}×: {'met' if ratio <= r.goal else 'not met'}"
            else:
                goal = "(informative)"
            cells += [f.label, ms(fmed), f"{ratio:.3f}× ({low:.3f}–{high:.3f})",
                      f"{med / fmed:.3f}×", goal]
        print("| " + " | ".join(cells) + " |")
    for r in rows:
        if r.note:
            print(f"\nNote on \"{r.label}\": {r.note}.")
    print()
    print_cold(cold, args.cold_rounds)
    print()
    print_sizes(work)


# The rows of the one-login-at-a-time table: the in-process rows with a goal (and their floors).
COLD_ROWS = ("rs_passcode", "rs_https", "tok_file", "tok_keyutils", "python")


class OneAtATime:
    """What `one_at_a_time` measured: each row with its (row, floor) pairs of single logins,
    and why it stopped early, if it did (the main table keeps its figures either way)."""

    def __init__(self, rows: list[tuple[Row, list[tuple[int, int]]]], stopped: str = ""):
        self.rows, self.stopped = rows, stopped


def one_at_a_time(live: list[Row], by_key: dict[str, Row], rounds: int) -> OneAtATime:
    """The goal rows again, each login alone: per round, one login of the row and one of its
    floor (in alternating order), every row in turn. A process then never does two logins in a
    row: each starts with what the others left in the CPU's caches, as a driver's login does
    between two queries."""
    chosen = [r for r in live if r.key in COLD_ROWS and not r.skipped and r.floor
              and not by_key[r.floor].skipped]
    pairs: dict[str, list[tuple[int, int]]] = {r.key: [] for r in chosen}

    def result(stopped: str = "") -> OneAtATime:
        return OneAtATime([(r, pairs[r.key]) for r in chosen], stopped)

    for n in range(rounds):
        for r in in_turn(n, chosen):
            f = by_key[r.floor]
            got = {}
            for one in side_by_side(n, r, f):
                try:
                    got[one.key] = one.worker.run(1)[0]
                except (RuntimeError, IndexError) as e:
                    return result(f"stopped in round {n + 1}: {one.label}: {e or 'no time'}")
            pairs[r.key].append((got[r.key], got[f.key]))
    return result()


def print_cold(cold: OneAtATime, rounds: int) -> None:
    if not cold.rows:
        return
    print(f"One login at a time: {rounds} rounds, in each one login of every row below and one of "
          f"its floor, in alternating order (no process does two logins in a row). Ratio: the "
          f"median of the {rounds} quotients, then their 25th and 75th percentiles. Informative: "
          f"the goals are read in the table above.")
    if cold.stopped:
        print(f"(The table {cold.stopped}; its figures are those of the rounds before.)")
    print()
    print("| row | median | floor median | ratio (middle half) | median ÷ floor median |")
    print("|---|---|---|---|---|")
    for r, pairs in cold.rows:
        if not pairs:
            continue
        med = median([a for a, _ in pairs])
        fmed = median([b for _, b in pairs])
        ratio, low, high = paired(pairs, lambda a, b: a / b)
        if r.goal_ms is not None:
            diff, dlow, dhigh = (x / 1e6 for x in paired(pairs, lambda a, b: a - b))
            cell = f"{diff:+.3f} ms ({dlow:+.3f} to {dhigh:+.3f})"
        else:
            cell = f"{ratio:.3f}× ({low:.3f}–{high:.3f})"
        print(f"| {r.label} | {ms(med)} | {ms(fmed)} | {cell} | {med / fmed:.3f}× |")


def print_sizes(work: Path) -> None:
    strip = shutil.which("strip")
    print("| artifact (release) | bytes | stripped | goal |")
    print("|---|---|---|---|")
    artifacts = (
        ("libsfmfa.so (C ABI, Python)", RELEASE / "libsfmfa.so", 3_000_000),
        ("libsfmfa_jni.so (Java; the jar holds it stripped of debug info)",
         RELEASE / "libsfmfa_jni.so", None),
        ("sfmfa (CLI)", RELEASE / "sfmfa", None),
    )
    for name, path, goal in artifacts:
        size = path.stat().st_size
        if strip is None:
            print(f"| {name} | {size:,} | no `strip` | |")
            continue
        copy = work / f"stripped-{path.name}"
        subprocess.run([strip, "-o", str(copy), str(path)], check=True)
        stripped = copy.stat().st_size
        verdict = "" if goal is None else f"≤ {goal:,}: {'met' if stripped <= goal else 'not met'}"
        print(f"| {name} | {size:,} | {stripped:,} | {verdict} |")


if __name__ == "__main__":
    main()
