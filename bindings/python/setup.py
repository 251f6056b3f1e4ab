"""Builds the C library the package loads with ctypes, with cargo through setuptools-rust.

The library is the C ABI crate (``bindings/c``, package ``sfmfa-c``), built in release mode as a
plain ``cdylib`` (``Binding.NoBinding``: no Python extension API, only the ``sfmfa_*`` symbols of
``bindings/c/include/sfmfa.h``) and stripped, then placed next to the package as
``sfmfa/libsfmfa.so``, where ``sfmfa/_ffi.py`` loads it from.

Where the Rust sources are:

* in the repository (``pip install ./bindings/python``): ``../c/Cargo.toml``; cargo builds in the
  workspace's ``target/`` (``$CARGO_TARGET_DIR`` when set), so a second install is incremental;
* in an sdist: ``rust/``, a copy of the two crates the library needs (the core ``sfmfa`` and
  ``sfmfa-c``) with the workspace's ``Cargo.lock``, made by :class:`SdistWithRust`.

Everything else (name, version, package data) is in ``pyproject.toml``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension

HERE = Path(__file__).resolve().parent
#: The sdist's copy of the Rust workspace (see SdistWithRust).
SDIST_RUST = "rust"
#: The file name ``sfmfa/_ffi.py`` looks for.
LIB_FILE = {"darwin": "libsfmfa.dylib", "win32": "sfmfa.dll"}.get(sys.platform, "libsfmfa.so")
#: The extension's dotted name: the library lands in the package ``sfmfa``.
TARGET = "sfmfa.libsfmfa"


def rust_root() -> Path:
    """The directory holding the workspace's Cargo.toml: the sdist's copy, else the repository."""
    if (HERE / SDIST_RUST / "Cargo.toml").is_file():
        return HERE / SDIST_RUST
    return HERE.parents[1]


class BuildExt(build_ext):
    """Names the library as ``_ffi.py`` expects (``libsfmfa.so``), not as a CPython extension
    module (``libsfmfa.cpython-311-x86_64-linux-gnu.so``): ctypes loads it from any interpreter."""

    def get_ext_filename(self, fullname: str) -> str:
        """The library's file name for our target; the default for anything else."""
        if fullname.split(".")[-1] == TARGET.split(".")[-1]:
            return os.path.join(*fullname.split(".")[:-1], LIB_FILE)
        return super().get_ext_filename(fullname)


class BdistWheel(bdist_wheel):
    """Tags the wheel ``py3-none-<platform>``: the library depends on the platform, not on the
    Python version or ABI (no ``Python.h`` is involved)."""

    def get_tag(self) -> tuple[str, str, str]:
        """``("py3", "none", <platform>)``."""
        _, _, plat = super().get_tag()
        return "py3", "none", plat


#: What of the workspace the library needs, relative to its root (directories are copied whole).
RUST_FILES = [
    "Cargo.lock",
    "LICENSE",
    "src",
    "bindings/c/Cargo.toml",
    "bindings/c/build.rs",
    "bindings/c/src",
    # The libdbus bindings that open libdbus at run time, under the dbus crate by `[patch.crates-io]`.
    "libdbus-sys",
]


def sdist_manifest(text: str) -> str:
    """The workspace's Cargo.toml for the sdist: members only the three crates it carries, and
    without the tables that name files it does not carry (``[dev-dependencies]`` names the
    emulator crate, each ``[[bench]]`` a file of benches/). Applying it twice changes nothing."""
    out: list[str] = []
    skip = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            skip = stripped in ("[dev-dependencies]", "[[bench]]")
        if not skip:
            out.append(line)
    result, n = re.subn(r"(?m)^members = \[[^\]]*\]$", 'members = [".", "bindings/c", "libdbus-sys"]', "".join(out))
    if n != 1:
        raise RuntimeError("sdist: the workspace's Cargo.toml has no one-line `members = [...]`")
    return result


class SdistWithRust(sdist):
    """An sdist that carries the Rust sources of the library under ``rust/``, so that
    ``pip install sfmfa-<version>.tar.gz`` builds it with only cargo and a C compiler at hand
    (cargo fetches the crates of ``Cargo.lock`` from crates.io)."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        """The usual tree, plus ``rust/``."""
        super().make_release_tree(base_dir, files)
        src, dest = rust_root(), Path(base_dir) / SDIST_RUST
        ignore = shutil.ignore_patterns("target", "__pycache__", "*.rs.bk")
        # Copied with the time of the copy (shutil.copy, not copy2): cargo knows a path crate by
        # its place in the workspace, not by the workspace's directory, so a build of the sdist
        # in a target directory that holds a build of the checkout would otherwise take the
        # checkout's (older) sources' outputs as fresh and compile nothing.
        for rel in RUST_FILES:
            from_path, to_path = src / rel, dest / rel
            to_path.parent.mkdir(parents=True, exist_ok=True)
            if from_path.is_dir():
                shutil.copytree(from_path, to_path, ignore=ignore, dirs_exist_ok=True, copy_function=shutil.copy)
            else:
                shutil.copy(from_path, to_path)
        manifest = (src / "Cargo.toml").read_text(encoding="utf-8")
        (dest / "Cargo.toml").write_text(sdist_manifest(manifest), encoding="utf-8")


setup(
    rust_extensions=[
        RustExtension(
            TARGET,
            path=os.path.relpath(rust_root() / "bindings" / "c" / "Cargo.toml", HERE),
            binding=Binding.NoBinding,
            # Stripped at link time: the symbol table and std's debug info are most of the
            # library's size; the exported sfmfa_* symbols stay (they are dynamic symbols).
            rustc_flags=["-Cstrip=symbols"],
        )
    ],
    cmdclass={"build_ext": BuildExt, "bdist_wheel": BdistWheel, "sdist": SdistWithRust},
    zip_safe=False,
)
