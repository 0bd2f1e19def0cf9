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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import __version__
from .ctext import c_bytes, c_float, check_c_name, render
from .fileio import atomic_file, check_output_file
from .tflite_model import read_tflite, require_full_int8

BYTES_PER_LINE = 12

@dataclass
class ExportReport:
    header: str
    source: str | None       # the .cc file with --source
    name: str
    model_bytes: int
    sha256: str


def implementation_macro(name: str) -> str:
    """The macro that makes the single header define the array (in the one file defining it)."""
    return f"{name.upper()}_IMPLEMENTATION"


def _render(name: str, fields: dict) -> str:
    return render(resources.files("tinycompress").joinpath("templates", name), **fields)


def _io_constants(model, name: str) -> str:
    blocks = [f"#define {name.upper()}_NUM_INPUTS {len(model.inputs)}",
              f"#define {name.upper()}_NUM_OUTPUTS {len(model.outputs)}", ""]
    for role, tensors in (("INPUT", model.input_tensors), ("OUTPUT", model.output_tensors)):
        for i, t in enumerate(tensors):
            blocks.append(_render("io_tensor.tmpl", dict(
                role=role.lower(), index=i, tensor_name=t.name.replace("*/", "* /"),
                prefix=f"{name.upper()}_{role}{i}", type=t.type, dims=len(t.shape),
                shape=", ".join(str(d) for d in t.shape), size=t.size, nbytes=t.nbytes,
                scale=c_float(t.quant.scale[0]),
                zero_point=f"({int(t.quant.zero_point[0])})")))
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
                  guard=f"TINYCOMPRESS_{name.upper()}_H", array=c_bytes(data, BYTES_PER_LINE),
                  header_name=out_path.name, source_name=cc_path.name if cc_path else "")
    fields["banner"] = _render("banner.tmpl", fields).rstrip()
    fields["constants"] = _io_constants(model, name)
    definition = _render("model_data_def.tmpl", fields)
    if cc_path is None:
        macro = implementation_macro(name)
        fields.update(where=f"Defined below, in the one file that defines {macro} before it\n"
                            " * includes this header (any other file just includes it).",
                      definition=f"\n#if defined({macro}) && !defined({macro}_DONE)\n"
                                 f"#define {macro}_DONE\n{definition}#endif /* {macro} */\n")
        with atomic_file(out_path) as tmp:
            tmp.write_text(_render("model_data.h.tmpl", fields))
    else:
        fields.update(where=f"Defined in {cc_path.name}.", definition="")
        with atomic_file(out_path) as tmp_h, atomic_file(cc_path) as tmp_cc:
            tmp_h.write_text(_render("model_data.h.tmpl", fields))
            tmp_cc.write_text(_render("model_data.cc.tmpl", {**fields, "definition": definition}))
    return ExportReport(header=str(out_path), source=str(cc_path) if cc_path else None,
                        name=name, model_bytes=len(data), sha256=sha)
