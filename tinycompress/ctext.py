"""Generated C text in one place: literals (integers, floats, strings, arrays), names, and the
template loader every generator (export, native codegen, TFLM harness, projects, Renode) uses.

Templates are string.Template files: `substitute` fails on a placeholder without a value (as
Jinja2's StrictUndefined would), and the templates hold no loops: repeated rows are formatted
here, so escaping and number formats cannot differ between generators.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

import numpy as np

from .errors import TinyCompressError

# C (C23 included) and C++ keywords: a generated name must compile in both languages.
C_KEYWORDS = frozenset("""
    alignas alignof auto bool break case char const constexpr continue default do double else
    enum extern false float for goto if inline int long nullptr register restrict return short
    signed sizeof static static_assert struct switch thread_local true typedef typeof
    typeof_unqual union unsigned void volatile while _Alignas _Alignof _Atomic _BitInt _Bool
    _Complex _Decimal128 _Decimal32 _Decimal64 _Generic _Imaginary _Noreturn _Static_assert
    _Thread_local and and_eq asm bitand bitor catch char8_t char16_t char32_t class compl
    concept consteval constinit const_cast co_await co_return co_yield decltype delete
    dynamic_cast explicit export friend mutable namespace new noexcept not not_eq operator or
    or_eq private protected public reinterpret_cast requires static_cast template this throw
    try typeid typename using virtual wchar_t xor xor_eq main""".split())
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

C_TYPES = {np.dtype(np.int8): "int8_t", np.dtype(np.uint8): "uint8_t",
           np.dtype(np.int16): "int16_t", np.dtype(np.uint16): "uint16_t",
           np.dtype(np.int32): "int32_t", np.dtype(np.uint32): "uint32_t",
           np.dtype(np.int64): "int64_t", np.dtype(np.float32): "float"}


# --- names ---------------------------------------------------------------------------------

def check_c_name(name: str, option: str = "--name") -> str:
    """Raise unless `name` can name a C and C++ variable."""
    if not _IDENTIFIER.match(name or ""):
        raise TinyCompressError(f"{option} {name!r} is not a C identifier: use letters, digits "
                                "and underscores, not starting with a digit (e.g. g_model)")
    if name in C_KEYWORDS:
        raise TinyCompressError(f"{option} {name!r} is a C/C++ keyword; choose another "
                                "(e.g. g_model)")
    if name.startswith("__") or re.match(r"_[A-Z]", name):
        raise TinyCompressError(f"{option} {name!r} is reserved for the compiler (leading __ or _ "
                                "and a capital); choose another (e.g. g_model)")
    return name


# --- literals ------------------------------------------------------------------------------

def c_int(v) -> str:
    v = int(v)
    return "(-2147483647 - 1)" if v == -(2 ** 31) else str(v)   # INT32_MIN has no literal


def c_float(v) -> str:
    """A float literal that parses back to the same float32 (the shortest exact decimal of
    its double, with the `f` suffix)."""
    return repr(float(v)) + "f"


def c_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def c_value(v) -> str:
    """A parameter value: strings as written (C expressions), bools 0/1, floats, ints, and
    lists/arrays as braced initializers."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        return c_float(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return "{" + ", ".join(c_value(x) for x in np.asarray(v).tolist()) + "}"
    return c_int(v)


def c_rows(items, per_line: int, indent: str, sep: str = ",\n") -> str:
    """Formatted items, `per_line` to a line, each line indented; lines joined by `sep`."""
    items = list(items)
    return sep.join(indent + ", ".join(items[i:i + per_line])
                    for i in range(0, len(items), per_line))


_HEX_BYTES = [f"0x{b:02x}" for b in range(256)]   # a table: models hold megabytes of weights


def c_bytes(data: bytes, per_line: int = 12, indent: str = "  ") -> str:
    """Bytes as hex initializer rows (0x1c, 0x00, ...)."""
    return c_rows(map(_HEX_BYTES.__getitem__, bytes(data)), per_line, indent)


def c_array(name: str, array) -> str:
    """A static const, TC_ALIGNED C array of a numpy array's values, 16 to a line."""
    array = np.ascontiguousarray(array).ravel()
    ctype = C_TYPES.get(array.dtype)
    if ctype is None:
        raise TypeError(f"no C type for {array.dtype} ({name})")
    values = array.tolist()
    fmt = c_float if ctype == "float" else (lambda x: str(int(x)))
    body = c_rows(map(fmt, values), 16, "", ",\n    ") or "0"
    return f"static const {ctype} {name}[{max(1, len(values))}] TC_ALIGNED = {{\n    {body}\n}};"


# --- templates -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def template(path) -> Template:
    """The template file at `path` (read once)."""
    return Template(Path(path).read_text())


def render(path, **values) -> str:
    """Template `path` with every placeholder filled; a missing value raises KeyError."""
    return template(Path(path)).substitute(values)


def render_to(path, out: Path, **values):
    Path(out).write_text(render(path, **values))
