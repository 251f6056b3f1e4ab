"""Installing the package the ways Python installs things, each into a fresh virtual environment
(no system site-packages, no SFMFA_LIBRARY, no PYTHONPATH), then the README's example against the
emulator from outside the source tree:

* the platform wheel of `make wheel` (``$SFMFA_WHEEL_DIR``, default ``target/python-dist``):
  ``py3-none-manylinux…``, ``Root-Is-Purelib: false``, the release library stripped inside;
* an sdist made here with ``python -m build --sdist``, which carries the Rust sources and builds
  the library with cargo while pip installs it (``CARGO_TARGET_DIR`` is the repository's
  ``target/``, so the crates of `make wheel`'s release build are reused, and only ``sfmfa`` and
  ``sfmfa-c`` are compiled from the sdist's copy);

and the library search with its one-sentence error."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import PKG_ROOT, REPO, Emulator

LIB = "libsfmfa.so"
WHEEL_DIR = Path(os.environ.get("SFMFA_WHEEL_DIR", REPO / "target" / "python-dist"))


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a child interpreter: no SFMFA_LIBRARY, no PYTHONPATH into the sources."""
    env = {k: v for k, v in os.environ.items() if k not in ("SFMFA_LIBRARY", "PYTHONPATH")}
    env.update(extra)
    return env


def run(cmd: list[str], timeout: float = 600, **kw: object) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    assert out.returncode == 0, f"{cmd}:\n{out.stdout}\n{out.stderr}"
    return out


def fresh_venv(where: Path) -> Path:
    """A new venv without the system's site-packages; returns its python."""
    run([sys.executable, "-m", "venv", str(where)])
    return where / "bin" / "python"


def readme_example() -> str:
    """The first ```python block of the README's "## Python" section."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("\n## Python\n") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "README's Python section has no python block"
    return block.group(1)


def run_readme_example(python: Path, emulator: Emulator, cwd: Path) -> tuple[str, dict[str, str]]:
    """Runs the README example with ``python``; returns what it printed and where sfmfa came from.

    Only two things are added in front of it: the demo password, and where the server is (the
    emulator, over http on loopback) with the token cache off (no token lands in this machine's
    keystore); the example itself runs as written."""
    preamble = textwrap.dedent(
        f"""
        import functools, json, sys
        import sfmfa
        password = "abc123"
        sfmfa.login = functools.partial(sfmfa.login, host="127.0.0.1", port={emulator.port},
                                        protocol="http", client_store_temporary_credential=False)
        """
    )
    epilogue = textwrap.dedent(
        """
        print(json.dumps({"file": sfmfa.__file__, "library": str(sfmfa._ffi.library_path())}))
        """
    )
    out = run([str(python), "-c", preamble + readme_example() + epilogue], timeout=120, cwd=cwd, env=clean_env())
    printed, where = out.stdout.strip().rsplit("\n", 1)
    return printed, json.loads(where)


def assert_readme_output(printed: str) -> None:
    # The session id, then the enums by name (they printed as bare numbers: "5 3").
    assert re.fullmatch(r"-?\d+ SecondFactor\.(PUSH|PUSH_OR_NONE) CacheStatus\.DISABLED", printed), printed


def the_wheel() -> Path:
    wheels = sorted(WHEEL_DIR.glob("sfmfa-*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one wheel in {WHEEL_DIR}, found {[w.name for w in wheels]}: run `make wheel` "
                    "(make test-python does)")
    return wheels[0]


def test_the_wheel_is_a_platform_wheel_with_the_stripped_library() -> None:
    wheel = the_wheel()
    assert re.fullmatch(r"sfmfa-0\.1\.0-py3-none-manylinux_\d+_\d+_x86_64(\.manylinux\w+)*\.whl", wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
        assert "Root-Is-Purelib: false" in meta
        assert f"sfmfa/{LIB}" in names and "sfmfa/py.typed" in names
        assert not [n for n in names if n.endswith(".libs/") or ".libs/" in n], "auditwheel grafted libraries"
        lib = z.read(f"sfmfa/{LIB}")
    assert lib[:4] == b"\x7fELF"
    path = WHEEL_DIR / "inspected.so"
    try:
        path.write_bytes(lib)
        sections = run(["readelf", "-S", "-W", str(path)], timeout=60).stdout
        symbols = run(["readelf", "--dyn-syms", "-W", str(path)], timeout=60).stdout
    finally:
        path.unlink(missing_ok=True)
    assert ".symtab" not in sections and ".debug_info" not in sections, "the library is not stripped"
    assert " sfmfa_client_login" in symbols  # the exported API is still there


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh venv with the wheel of `make wheel` installed from the file alone (--no-index)."""
    tmp = tmp_path_factory.mktemp("wheel")
    python = fresh_venv(tmp / "venv")
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", str(the_wheel())],
        cwd=tmp, env=clean_env())
    return python, tmp


def test_a_fresh_venv_runs_the_readme_example_from_the_wheel(wheel_venv: tuple[Path, Path], emulator: Emulator) -> None:
    python, tmp = wheel_venv
    printed, where = run_readme_example(python, emulator, tmp)
    assert_readme_output(printed)
    pkg = Path(where["file"]).parent
    assert pkg.is_relative_to(tmp / "venv") and Path(where["library"]) == pkg / LIB


def test_a_fresh_venv_builds_and_installs_the_sdist(tmp_path: Path, emulator: Emulator) -> None:
    """The slow one: pip builds the Rust library from the sdist's sources (release)."""
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--sdist", "--outdir", str(dist), str(PKG_ROOT)], env=clean_env())
    (sdist,) = dist.glob("sfmfa-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("rust/Cargo.toml", "rust/Cargo.lock", "rust/src/lib.rs", "rust/bindings/c/Cargo.toml",
                   "rust/bindings/c/src/lib.rs", "setup.py", "sfmfa/_ffi.py"):
        assert needed in names, needed
    assert f"sfmfa/{LIB}" not in names  # built at install time, never shipped prebuilt
    python = fresh_venv(tmp_path / "venv")
    out = run([str(python), "-m", "pip", "install", "-v", "--disable-pip-version-check", str(sdist)],
              timeout=1800, cwd=tmp_path, env=clean_env(CARGO_TARGET_DIR=str(REPO / "target")))
    # cargo compiled both crates from the sdist's copy (not the checkout's), in release mode.
    log = out.stdout + out.stderr
    for crate, where in (("sfmfa", "rust"), ("sfmfa-c", "rust/bindings/c")):
        built = re.search(rf"Compiling {crate} v0\.1\.0 \((.+?)\)", log)
        assert built and built.group(1).endswith(f"/{where}") and not Path(built.group(1)).is_relative_to(REPO), crate
    assert "Finished `release` profile" in log
    printed, where = run_readme_example(python, emulator, tmp_path)
    assert_readme_output(printed)
    pkg = Path(where["file"]).parent
    assert pkg.is_relative_to(tmp_path / "venv") and Path(where["library"]) == pkg / LIB


SEARCH = textwrap.dedent(
    """
    try:
        import sfmfa
    except ImportError as e:
        print("NOT FOUND"); print(type(e).__name__); print(e)
    else:
        print(sfmfa._ffi.library_path())
    """
)


def copy_package(dest: Path) -> Path:
    shutil.copytree(PKG_ROOT / "sfmfa", dest / "sfmfa", ignore=shutil.ignore_patterns("__pycache__", LIB))
    return dest


def checkout(tmp_path: Path) -> tuple[Path, Path]:
    """A source checkout's layout: bindings/python/sfmfa, bindings/c/Cargo.toml, target/debug."""
    tree = tmp_path / "repo"
    pkg_parent = copy_package(tree / "bindings" / "python")
    (tree / "bindings" / "c").mkdir(parents=True)
    (tree / "bindings" / "c" / "Cargo.toml").write_text("")
    (tree / "target" / "debug").mkdir(parents=True)
    shutil.copy2(REPO / "target" / "debug" / LIB, tree / "target" / "debug" / LIB)
    return tree, pkg_parent


def search(where: Path, **env: str) -> str:
    out = run([sys.executable, "-c", SEARCH], timeout=60, cwd=where, env=clean_env(PYTHONPATH=str(where), **env))
    return out.stdout


def test_a_checkout_finds_its_build_tree(tmp_path: Path) -> None:
    tree, pkg_parent = checkout(tmp_path)
    assert search(pkg_parent).strip() == str(tree / "target" / "debug" / LIB)
    # Next to the package wins over the build tree.
    shutil.copy2(REPO / "target" / "debug" / LIB, pkg_parent / "sfmfa" / LIB)
    assert search(pkg_parent).strip() == str(pkg_parent / "sfmfa" / LIB)
    # $SFMFA_LIBRARY wins over both.
    other = tmp_path / "elsewhere" / LIB
    other.parent.mkdir()
    shutil.copy2(REPO / "target" / "debug" / LIB, other)
    assert search(pkg_parent, SFMFA_LIBRARY=str(other)).strip() == str(other)


def test_a_package_without_its_library_fails_at_import_with_one_sentence(tmp_path: Path) -> None:
    # Not a checkout: a build tree above it is not searched (it was, with every parent directory).
    site = copy_package(tmp_path / "site")
    (tmp_path / "target" / "debug").mkdir(parents=True)
    shutil.copy2(REPO / "target" / "debug" / LIB, tmp_path / "target" / "debug" / LIB)
    head, cls, text = search(site).rstrip("\n").split("\n", 2)
    assert (head, cls) == ("NOT FOUND", "LibraryNotFoundError")
    assert "\n" not in text and text.count(". ") == 0 and text.endswith("."), text
    assert str(site / "sfmfa" / LIB) in text and "reinstall sfmfa with pip" in text and "SFMFA_LIBRARY" in text
    # A wrong $SFMFA_LIBRARY is an error of its own: nothing else is tried.
    head, _, text = search(site, SFMFA_LIBRARY=str(tmp_path / "nope.so")).rstrip("\n").split("\n", 2)
    assert head == "NOT FOUND" and "\n" not in text
    assert "nope.so): no such file" in text and str(site / "sfmfa" / LIB) not in text


def test_an_older_library_is_passed_over_and_named(tmp_path: Path) -> None:
    tree, pkg_parent = checkout(tmp_path)
    # A library without sfmfa_* symbols stands for an old build left next to the package.
    old = subprocess.run(
        ["gcc", "-shared", "-fPIC", "-x", "c", "-", "-o", str(pkg_parent / "sfmfa" / LIB)],
        input="int sfmfa_version(void) { return 0; }\n", capture_output=True, text=True, timeout=60,
    )
    assert old.returncode == 0, old.stderr
    assert search(pkg_parent).strip() == str(tree / "target" / "debug" / LIB)
    text = search(pkg_parent, SFMFA_LIBRARY=str(pkg_parent / "sfmfa" / LIB))
    assert text.startswith("NOT FOUND") and "older than this binding, lacks sfmfa_session" in text
