"""`pip install ./bindings/python` into a fresh virtual environment, then an import and a login
from outside the source tree with the library found next to the installed package; and the
library search order with its error message."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import PKG_ROOT, REPO, Emulator

LIB = "libsfmfa.so"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a child interpreter: no SFMFA_LIBRARY, no PYTHONPATH into the sources."""
    env = {k: v for k, v in os.environ.items() if k not in ("SFMFA_LIBRARY", "PYTHONPATH")}
    env.update(extra)
    return env


def build_isolation_flags() -> list[str]:
    """pip needs setuptools (and, before setuptools 70.1, wheel) to build the package: the
    interpreter's own when it has them, else pip fetches setuptools from PyPI."""
    if importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"):
        return ["--no-build-isolation"]
    return []


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh venv with ./bindings/python installed; returns (its python, the package dir).

    The source is copied first so that pip's build leaves nothing in the repository, and the
    library under test is put into the copy's package directory, as `make python` does.
    """
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    shutil.copytree(
        PKG_ROOT, src, ignore=shutil.ignore_patterns("tests", "__pycache__", "build", "*.egg-info", ".pytest_cache")
    )
    # The library under test (the rest of the suite's), where `make python` puts it; a copy left
    # in the source package by an earlier `make python` may be older.
    shutil.copy2(os.environ["SFMFA_LIBRARY"], src / "sfmfa" / LIB)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    out = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *build_isolation_flags(), str(src)],
        capture_output=True, text=True, timeout=600, cwd=tmp, env=clean_env(),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    where = subprocess.run(
        [str(python), "-c", "import sfmfa, os; print(os.path.dirname(sfmfa.__file__))"],
        capture_output=True, text=True, timeout=60, cwd=tmp, env=clean_env(),
    )
    assert where.returncode == 0, where.stderr
    return python, Path(where.stdout.strip())


def test_the_installed_package_carries_the_library_and_its_type_marker(installed: tuple[Path, Path]) -> None:
    _, pkg = installed
    assert (pkg / LIB).is_file()
    assert (pkg / "py.typed").is_file()
    assert PKG_ROOT not in pkg.parents and REPO not in pkg.parents


def test_import_and_login_from_outside_the_source_tree(installed: tuple[Path, Path], emulator: Emulator, tmp_path: Path) -> None:
    python, pkg = installed
    script = textwrap.dedent(
        """
        import json, sys, sfmfa
        opts = json.loads(sys.argv[1])
        with sfmfa.login(**opts) as s:
            print(json.dumps({"library": str(sfmfa._ffi.library_path()), "file": sfmfa.__file__,
                              "factor": s.second_factor.name, "version": sfmfa.library_version()}))
        """
    )
    opts = emulator.options("push_approve", authenticator="username_password_mfa")
    out = subprocess.run(
        [str(python), "-c", script, json.dumps(opts)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=clean_env(),
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert Path(got["library"]) == pkg / LIB
    assert Path(got["file"]).parent == pkg
    assert got["factor"] == "PUSH_OR_NONE"
    assert got["version"]


SEARCH = textwrap.dedent(
    """
    import sys, sfmfa
    try:
        print(sfmfa._ffi.library_path())
    except sfmfa.LibraryNotFoundError as e:
        print("NOT FOUND"); print(e)
    """
)


def copy_package(dest: Path) -> Path:
    shutil.copytree(PKG_ROOT / "sfmfa", dest / "sfmfa", ignore=shutil.ignore_patterns("__pycache__", LIB))
    return dest


def search(where: Path, **env: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", SEARCH], capture_output=True, text=True, timeout=60, cwd=where,
        env=clean_env(PYTHONPATH=str(where), **env),
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_library_is_found_in_a_build_tree_above_the_package(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    pkg_parent = copy_package(tree / "bindings" / "python")
    (tree / "target" / "debug").mkdir(parents=True)
    shutil.copy2(REPO / "target" / "debug" / LIB, tree / "target" / "debug" / LIB)
    assert search(pkg_parent).strip() == str(tree / "target" / "debug" / LIB)
    # Next to the package wins over the build tree.
    shutil.copy2(REPO / "target" / "debug" / LIB, pkg_parent / "sfmfa" / LIB)
    assert search(pkg_parent).strip() == str(pkg_parent / "sfmfa" / LIB)
    # $SFMFA_LIBRARY wins over both.
    other = tmp_path / "elsewhere" / LIB
    other.parent.mkdir()
    shutil.copy2(REPO / "target" / "debug" / LIB, other)
    assert search(pkg_parent, SFMFA_LIBRARY=str(other)).strip() == str(other)


def test_the_error_names_every_place_tried(tmp_path: Path) -> None:
    pkg_parent = copy_package(tmp_path / "lonely")
    text = search(pkg_parent)
    assert text.startswith("NOT FOUND")
    assert str(pkg_parent / "sfmfa" / LIB) in text
    assert str(tmp_path / "target" / "release" / LIB) in text
    assert str(tmp_path / "target" / "debug" / LIB) in text
    assert "SFMFA_LIBRARY" in text and "make python" in text
    # A wrong $SFMFA_LIBRARY is an error of its own: nothing else is tried.
    text = search(pkg_parent, SFMFA_LIBRARY=str(tmp_path / "nope.so"))
    assert text.startswith("NOT FOUND") and "nope.so ($SFMFA_LIBRARY): no such file" in text
    assert str(pkg_parent / "sfmfa" / LIB) not in text


def test_an_older_library_is_passed_over_and_named(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    pkg_parent = copy_package(tree / "bindings" / "python")
    (tree / "target" / "debug").mkdir(parents=True)
    shutil.copy2(REPO / "target" / "debug" / LIB, tree / "target" / "debug" / LIB)
    # A library without sfmfa_* symbols stands for an old build left next to the package.
    old = subprocess.run(
        ["gcc", "-shared", "-fPIC", "-x", "c", "-", "-o", str(pkg_parent / "sfmfa" / LIB)],
        input="int sfmfa_version(void) { return 0; }\n", capture_output=True, text=True, timeout=60,
    )
    assert old.returncode == 0, old.stderr
    assert search(pkg_parent).strip() == str(tree / "target" / "debug" / LIB)
    text = search(pkg_parent, SFMFA_LIBRARY=str(pkg_parent / "sfmfa" / LIB))
    assert text.startswith("NOT FOUND") and "older than this binding, lacks sfmfa_session" in text

