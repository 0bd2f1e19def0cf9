"""Export an int8 .tflite as a C array a firmware project can include.

Two layouts, both rendered from tinycompress/templates/, both safe to include from any number
of C and C++ files (the header declares the array and its length, with C linkage):
- header only (model_data.h): the definition is in the header too, compiled only where
  <NAME>_IMPLEMENTATION is defined before the include, in exactly one file;
- --source: model_data.h declares, model_data.cc defines.
Either way the header carries the graph inputs' and outputs' shapes, types, scales and zero
points as macros, and a do-not-edit banner with the tool version and the model's sha256.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from . import __version__
from .errors import TinyCompressError
from .fileio import atomic_file, check_output_file
from .tflite_model import read_tflite, require_full_int8

BYTES_PER_LINE = 12

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# C (C23 included) and C++ keywords: the name must compile in both languages.
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


@dataclass
class ExportReport:
    header: str
    source: str | None       # the .cc file with --source
    name: str
    model_bytes: int
    sha256: str


def check_c_name(name: str) -> str:
    """Raise unless `name` can name a C and C++ variable."""
    if not _IDENTIFIER.match(name or ""):
        raise TinyCompressError(f"--name {name!r} is not a C identifier: use letters, digits and "
                                "underscores, not starting with a digit (e.g. g_model)")
    if name in C_KEYWORDS:
        raise TinyCompressError(f"--name {name!r} is a C/C++ keyword; choose another (e.g. g_model)")
    if name.startswith("__") or re.match(r"_[A-Z]", name):
        raise TinyCompressError(f"--name {name!r} is reserved for the compiler (leading __ or _ "
                                "and a capital); choose another (e.g. g_model)")
    return name


def implementation_macro(name: str) -> str:
    """The macro that makes the single header define the array (in the one file defining it)."""
    return f"{name.upper()}_IMPLEMENTATION"


def _template(name: str) -> Template:
    return Template(resources.files("tinycompress").joinpath("templates", name).read_text())


def _c_array(data: bytes) -> str:
    hexes = [f"0x{b:02x}" for b in data]
    rows = (", ".join(hexes[i:i + BYTES_PER_LINE]) for i in range(0, len(hexes), BYTES_PER_LINE))
    return ",\n".join("  " + row for row in rows)


def _c_float(value: float) -> str:
    return f"{value:.9e}"   # always has an exponent, so the `f` suffix makes a valid literal


def _io_constants(model, name: str) -> str:
    io_tmpl = _template("io_tensor.tmpl")
    blocks = [f"#define {name.upper()}_NUM_INPUTS {len(model.inputs)}",
              f"#define {name.upper()}_NUM_OUTPUTS {len(model.outputs)}", ""]
    for role, tensors in (("INPUT", model.input_tensors), ("OUTPUT", model.output_tensors)):
        for i, t in enumerate(tensors):
            blocks.append(io_tmpl.substitute(
                role=role.lower(), index=i, tensor_name=t.name.replace("*/", "* /"),
                prefix=f"{name.upper()}_{role}{i}", type=t.type, dims=len(t.shape),
                shape=", ".join(str(d) for d in t.shape), size=t.size, nbytes=t.nbytes,
                scale=_c_float(float(t.quant.scale[0])),
                zero_point=f"({int(t.quant.zero_point[0])})"))
    return "\n".join(blocks).rstrip()


@dataclass
class ExportSection:
    """[export] in a recipe, and the defaults of `export_c` and `tinycompress export`."""
    name: str = "g_model"       # the C array's name
    source: bool = False        # an .h/.cc pair instead of a single header


def export_c(tflite_path, out_path, name: str = ExportSection.name,
             source: bool = ExportSection.source) -> ExportReport:
    """Write `out_path` (.h) and, with `source`, the .cc beside it; returns what was written."""
    check_c_name(name)
    model = read_tflite(tflite_path)
    out_path = check_output_file(out_path)   # also: no folder, no input of this command
    require_full_int8(model)
    data = model.data
    sha = hashlib.sha256(data).hexdigest()
    cc_path = out_path.with_suffix(".cc") if source else None
    fields = dict(name=name, length=len(data), sha256=sha, version=__version__,
                  model_file=Path(tflite_path).name, out_name=out_path.name + (" --source" if source else ""),
                  guard=f"TINYCOMPRESS_{name.upper()}_H", array=_c_array(data),
                  header_name=out_path.name, source_name=cc_path.name if cc_path else "")
    fields["banner"] = _template("banner.tmpl").substitute(fields).rstrip()
    fields["constants"] = _io_constants(model, name)
    definition = _template("model_data_def.tmpl").substitute(fields)
    if cc_path is None:
        macro = implementation_macro(name)
        fields.update(where=f"Defined below, in the one file that defines {macro} before it\n"
                            " * includes this header (any other file just includes it).",
                      definition=f"\n#if defined({macro}) && !defined({macro}_DONE)\n"
                                 f"#define {macro}_DONE\n{definition}#endif /* {macro} */\n")
        with atomic_file(out_path) as tmp:
            tmp.write_text(_template("model_data.h.tmpl").substitute(fields))
    else:
        fields.update(where=f"Defined in {cc_path.name}.", definition="")
        with atomic_file(out_path) as tmp_h, atomic_file(cc_path) as tmp_cc:
            tmp_h.write_text(_template("model_data.h.tmpl").substitute(fields))
            tmp_cc.write_text(_template("model_data.cc.tmpl").substitute(fields, definition=definition))
    return ExportReport(header=str(out_path), source=str(cc_path) if cc_path else None,
                        name=name, model_bytes=len(data), sha256=sha)
