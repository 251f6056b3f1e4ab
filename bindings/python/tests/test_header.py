"""The low layer against bindings/c/include/sfmfa.h: every function bound with the header's signature, no
function bound that the header lacks, the enums' values and the progress struct's fields equal."""

from __future__ import annotations

import ctypes
import re
from ctypes import (
    POINTER,
    c_bool,
    c_char,
    c_char_p,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any

import pytest
from conftest import REPO

from sfmfa import _ffi

HEADER = (REPO / "bindings" / "c" / "include" / "sfmfa.h").read_text()


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


CODE = _strip_comments(HEADER)


def header_prototypes() -> dict[str, tuple[str, list[str]]]:
    """name -> (return type, [parameter types]) of every function declared in the header."""
    protos: dict[str, tuple[str, list[str]]] = {}
    for m in re.finditer(r"^([A-Za-z_][\w \*]*?)\s*\b(sfmfa_\w+)\s*\(([^;{]*?)\)\s*;", CODE, re.M):
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
        if ret.startswith("typedef"):
            continue
        types = []
        if params and params != "void":
            for p in params.split(","):
                p = " ".join(p.split())
                # drop the parameter's name: the last identifier, after any '*'
                types.append(re.sub(r"\s*\b\w+$", "", p).replace(" *", "*").strip())
        protos[name] = (" ".join(ret.split()).replace(" *", "*"), types)
    return protos


def header_enums() -> dict[str, dict[str, int]]:
    """enum name -> {constant: value}."""
    enums = {}
    for m in re.finditer(r"enum (sfmfa_\w+)\s*(?:#if.*?#endif[^\n]*)?\s*\{(.*?)\};", CODE, re.S):
        body = m.group(2)
        enums[m.group(1)] = {k: int(v) for k, v in re.findall(r"(SFMFA_\w+)\s*=\s*(\d+)", body)}
    return enums


SCALARS: dict[str, Any] = {
    "void": None,
    "sfmfa_result": c_uint32,
    "sfmfa_cache_status": c_uint32,
    "sfmfa_second_factor": c_uint32,
    "sfmfa_progress_kind": c_uint32,
    "uint32_t": c_uint32,
    "uint64_t": c_uint64,
    "int64_t": c_int64,
    "size_t": c_size_t,
    "bool": c_bool,
    "sfmfa_progress_callback": _ffi.ProgressCallback,
    "sfmfa_token_store_get_callback": _ffi.TokenStoreGetCallback,
    "sfmfa_token_store_put_callback": _ffi.TokenStorePutCallback,
    "sfmfa_token_store_delete_callback": _ffi.TokenStoreDeleteCallback,
    "sfmfa_token_store_release_callback": _ffi.TokenStoreReleaseCallback,
}
STRUCTS = {
    "struct sfmfa_config": _ffi.SfmfaConfig,
    "struct sfmfa_client": _ffi.SfmfaClient,
    "struct sfmfa_session": _ffi.SfmfaSession,
    "struct sfmfa_token_store": _ffi.SfmfaTokenStore,
}


def ctype_of(c: str) -> Any:
    """The ctypes type the low layer must use for the C type ``c``."""
    c = c.strip()
    if c == "const char*":
        return c_char_p  # a string in, or a static string out
    if c == "char*":
        return POINTER(c_char)  # a caller's buffer the library writes
    if c == "void*":
        return c_void_p
    const = c.startswith("const ")
    base = c.removeprefix("const ").strip()
    if base.endswith("*"):
        inner = base[:-1].strip()
        if not inner.endswith("*") and inner in STRUCTS:
            return POINTER(STRUCTS[inner])
        return POINTER(ctype_of(inner))
    assert not const or base in STRUCTS, f"unexpected const scalar {c!r}"
    if base in STRUCTS:
        return STRUCTS[base]
    try:
        return SCALARS[base]
    except KeyError:
        raise AssertionError(f"the test does not know the C type {c!r}") from None


PROTOS = header_prototypes()


def test_the_header_parses_into_all_its_functions() -> None:
    # The parser must see every declaration: count `sfmfa_xxx(` at the start of a prototype.
    declared = set(re.findall(r"\b(sfmfa_\w+)\(", CODE)) - {"sfmfa_progress_callback"}
    assert len(PROTOS) >= 28
    assert set(PROTOS) == declared


def test_every_header_function_is_bound() -> None:
    missing = sorted(set(PROTOS) - set(_ffi.PROTOTYPES))
    assert not missing, f"functions of bindings/c/include/sfmfa.h missing from sfmfa/_ffi.py: {missing}"


def test_no_function_is_bound_that_the_header_lacks() -> None:
    extra = sorted(set(_ffi.PROTOTYPES) - set(PROTOS))
    assert not extra, f"sfmfa/_ffi.py binds functions bindings/c/include/sfmfa.h does not declare: {extra}"


@pytest.mark.parametrize("name", sorted(PROTOS))
def test_signature_matches_the_header(name: str) -> None:
    ret, params = PROTOS[name]
    bound_ret, bound_params = _ffi.PROTOTYPES[name]
    assert bound_ret == ctype_of(ret), f"{name}: return type {ret!r}"
    assert len(bound_params) == len(params), f"{name}: {len(params)} parameters in the header"
    for i, (c, bound) in enumerate(zip(params, bound_params)):
        assert bound == ctype_of(c), f"{name}: parameter {i} is {c!r}, bound as {bound!r}"


@pytest.mark.parametrize("name", sorted(_ffi.PROTOTYPES))
def test_the_loaded_library_exports_it_with_the_declared_types(name: str) -> None:
    fn = getattr(_ffi.lib(), name)  # AttributeError when the .so lacks the symbol
    ret, params = _ffi.PROTOTYPES[name]
    assert fn.restype == ret
    assert list(fn.argtypes) == list(params)


ENUMS = {
    "sfmfa_result": (_ffi.Result, "SFMFA_RESULT_"),
    "sfmfa_cache_status": (_ffi.CacheStatus, "SFMFA_CACHE_STATUS_"),
    "sfmfa_progress_kind": (_ffi.ProgressKind, "SFMFA_PROGRESS_KIND_"),
    "sfmfa_second_factor": (_ffi.SecondFactor, "SFMFA_SECOND_FACTOR_"),
}


def test_enums_equal_the_header() -> None:
    enums = header_enums()
    assert set(enums) == set(ENUMS), "an enum was added to or removed from the header"
    for cname, (pyenum, prefix) in ENUMS.items():
        header = {k.removeprefix(prefix): v for k, v in enums[cname].items()}
        assert {m.name: m.value for m in pyenum} == header, cname


def test_result_names_agree_with_the_library() -> None:
    lib = _ffi.lib()
    for r in _ffi.Result:
        assert lib.sfmfa_result_name(r.value).decode() == f"SFMFA_RESULT_{r.name}"
    assert lib.sfmfa_result_name(12345) == b"SFMFA_RESULT_UNKNOWN"


def test_progress_struct_matches_the_header() -> None:
    body = re.search(r"typedef struct sfmfa_progress \{(.*?)\} sfmfa_progress;", CODE, re.S)
    assert body is not None
    fields = re.findall(r"([\w ]+?\**)\s*(\w+);", body.group(1))
    header = [(name, ctype_of(" ".join(t.split()).replace(" *", "*"))) for t, name in fields]
    assert [(f[0], f[1]) for f in _ffi.SfmfaProgress._fields_] == header
    # The callback type: void (*)(void *userdata, const struct sfmfa_progress *event)
    cb = re.search(r"typedef void \(\*sfmfa_progress_callback\)\(([^)]*)\);", CODE)
    assert cb is not None and cb.group(1) == "void *userdata, const struct sfmfa_progress *event"
    assert _ffi.ProgressCallback._restype_ is None
    assert _ffi.ProgressCallback._argtypes_ == (c_void_p, POINTER(_ffi.SfmfaProgress))
    # kind, attempt, delay_ms, message, step: 4 + 4 + 8 + 8 + 4, padded to 8 on LP64.
    assert ctypes.sizeof(_ffi.SfmfaProgress) == 32
    assert _ffi.SfmfaProgress.step.offset == 24


def test_values_newer_than_the_binding_are_kept_not_refused() -> None:
    kind = _ffi.ProgressKind(99)
    assert (kind, kind.name) == (99, "UNKNOWN_99")
    assert _ffi.Result(777).name == "UNKNOWN_777"
    with pytest.raises(ValueError):
        _ffi.CacheStatus("HIT")  # type: ignore[arg-type]


def test_progress_struct_layout_equals_the_c_compilers(tmp_path: Any) -> None:
    """The C compiler's sizeof and offsetof of ``struct sfmfa_progress`` equal ctypes'."""
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    fields = [f[0] for f in _ffi.SfmfaProgress._fields_]
    src = tmp_path / "layout.c"
    src.write_text(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"sfmfa.h\"\n"
        "int main(void) {\n"
        '    printf("%zu\\n", sizeof(sfmfa_progress));\n'
        + "".join(f'    printf("%zu\\n", offsetof(sfmfa_progress, {f}));\n' for f in fields)
        + "    return 0;\n}\n"
    )
    exe = tmp_path / "layout"
    subprocess.run([cc, "-I", str(REPO / "bindings" / "c" / "include"), "-o", str(exe), str(src)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    want = [ctypes.sizeof(_ffi.SfmfaProgress)] + [
        getattr(_ffi.SfmfaProgress, f).offset for f in fields
    ]
    assert [int(x) for x in out] == want
