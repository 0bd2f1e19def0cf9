"""C export: the array's bytes are the .tflite's bytes, and the files compile with -Werror."""
import hashlib
import re
import shutil
import subprocess

import pytest

from tinycompress.errors import TinyCompressError
from tinycompress.export import check_c_name, export_c
from tinycompress.tflite_model import read_tflite

from conftest import requires_arm_gcc

WARN = ["-Wall", "-Wextra", "-Werror", "-pedantic"]
requires_gcc = pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("g++") is None,
                                  reason="host gcc/g++ not installed")

MAIN_C = r"""
#include <stdint.h>
#include <stdio.h>
#include "model_data.h"
int main(void) {
    unsigned long sum = 0;
    unsigned int i;
    int aligned = ((uintptr_t)%(name)s %% 16u) == 0;
    int shape[] = %(macro)s_INPUT0_SHAPE;
    for (i = 0; i < %(name)s_len; ++i) sum = sum * 31u + %(name)s[i];
    printf("%%u %%lu %%d %%d %%d\n", %(name)s_len, sum & 0xffffffffu, aligned, shape[%(macro)s_INPUT0_DIMS - 1],
           (int)%(macro)s_OUTPUT0_ZERO_POINT);
    return 0;
}
"""


def _array_bytes(text: str, name: str) -> bytes:
    body = re.search(rf"{name}\[\] = \{{(.*?)\}};", text, re.S).group(1)
    return bytes(int(h, 16) for h in re.findall(r"0x([0-9a-f]{2})", body))


def _expected_line(data: bytes, model) -> str:
    s = 0
    for b in data:
        s = (s * 31 + b) & 0xFFFFFFFFFFFFFFFF
    return (f"{len(data)} {s & 0xFFFFFFFF} 1 {model.input_tensors[0].shape[-1]} "
            f"{int(model.output_tensors[0].quant.zero_point[0])}")


def _compile(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_header_array_equals_tflite_bytes(tiny_int8, tmp_path):
    path = tiny_int8[0]
    report = export_c(path, tmp_path / "model_data.h", name="g_model")
    text = (tmp_path / "model_data.h").read_text()
    data = path.read_bytes()
    assert _array_bytes(text, "g_model") == data
    assert f"g_model_len = {len(data)}u" in text
    assert report.sha256 == hashlib.sha256(data).hexdigest() and report.sha256 in text
    assert "DO NOT EDIT" in text and "alignas(16) const unsigned char g_model[]" in text


def test_header_carries_io_quantization(tiny_int8, tmp_path):
    path = tiny_int8[0]
    export_c(path, tmp_path / "m.h", name="net")
    text = (tmp_path / "m.h").read_text()
    model = read_tflite(path)
    for role, t in (("INPUT0", model.input_tensors[0]), ("OUTPUT0", model.output_tensors[0])):
        scale = float(re.search(rf"#define NET_{role}_SCALE (\S+)f", text).group(1))
        zp = int(re.search(rf"#define NET_{role}_ZERO_POINT \((-?\d+)\)", text).group(1))
        shape = re.search(rf"#define NET_{role}_SHAPE \{{(.*)\}}", text).group(1)
        assert scale == pytest.approx(float(t.quant.scale[0]), rel=1e-8)
        assert zp == int(t.quant.zero_point[0])
        assert [int(d) for d in shape.split(",")] == list(t.shape)


@requires_gcc
@pytest.mark.parametrize("compiler", [["gcc", "-std=c11"], ["gcc", "-std=c99"],
                                      ["g++", "-x", "c++", "-std=c++11"], ["g++", "-x", "c++", "-std=c++17"]])
def test_header_compiles_and_runs_with_werror(tiny_int8, tmp_path, compiler):
    path = tiny_int8[0]
    export_c(path, tmp_path / "model_data.h", name="g_model")
    (tmp_path / "main.c").write_text("#define G_MODEL_IMPLEMENTATION\n"
                                     + MAIN_C % {"name": "g_model", "macro": "G_MODEL"})
    _compile(compiler + WARN[:3] + ["main.c", "-o", "prog"], tmp_path)
    out = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True).stdout.strip()
    assert out == _expected_line(path.read_bytes(), read_tflite(path))


USE_C = """#include "model_data.h"
unsigned int g_net_first(void) { return g_net[0] + g_net_len; }
"""
DEFINE_C = """#define G_NET_IMPLEMENTATION
#include "model_data.h"
#include "model_data.h"   /* twice in the defining file too: still one definition */
"""


@requires_gcc
@pytest.mark.parametrize("compilers", [("gcc", "gcc", "gcc"), ("g++", "g++", "g++"), ("gcc", "g++", "g++"),
                                       ("g++", "gcc", "gcc")], ids=["c", "cpp", "c-data+cpp", "cpp-data+c"])
def test_single_header_included_by_several_files_links_once(tiny_int8, tmp_path, compilers):
    """The header alone, included from three translation units (C, C++ or both): one of them
    defines G_NET_IMPLEMENTATION and holds the array; the others only see declarations."""
    path = tiny_int8[0]
    export_c(path, tmp_path / "model_data.h", name="g_net")
    header = (tmp_path / "model_data.h").read_text()
    assert header.count("const unsigned char g_net[] = {") == 1
    files = {"data": DEFINE_C, "use": USE_C, "main": MAIN_C % {"name": "g_net", "macro": "G_NET"}}
    objs = []
    for (stem, text), compiler in zip(files.items(), compilers):
        src = tmp_path / (stem + (".c" if compiler == "gcc" else ".cc"))
        src.write_text(text)
        std = ["-std=c11"] if compiler == "gcc" else ["-std=c++11"]
        _compile([compiler] + std + WARN + ["-c", src.name, "-o", stem + ".o"], tmp_path)
        objs.append(stem + ".o")
    _compile(["g++", *objs, "-o", "prog"], tmp_path)
    syms = subprocess.run(["nm", "data.o", "use.o", "main.o"], cwd=tmp_path, capture_output=True,
                          text=True).stdout
    assert len(re.findall(r" [RD] g_net$", syms, re.M)) == 1          # defined once, unmangled
    out = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True).stdout.strip()
    assert out == _expected_line(path.read_bytes(), read_tflite(path))


@requires_gcc
def test_source_pair_links_from_c_and_cpp(tiny_int8, tmp_path):
    path = tiny_int8[0]
    report = export_c(path, tmp_path / "model_data.h", name="g_net", source=True)
    assert report.source == str(tmp_path / "model_data.cc")
    header = (tmp_path / "model_data.h").read_text()
    assert "extern const unsigned char g_net[];" in header and "0x" not in header
    assert _array_bytes((tmp_path / "model_data.cc").read_text(), "g_net") == path.read_bytes()
    (tmp_path / "main.c").write_text(MAIN_C % {"name": "g_net", "macro": "G_NET"})
    _compile(["g++"] + WARN + ["-c", "model_data.cc", "-o", "data.o"], tmp_path)
    _compile(["gcc", "-std=c11"] + WARN + ["-c", "main.c", "-o", "main.o"], tmp_path)
    _compile(["g++", "main.o", "data.o", "-o", "prog"], tmp_path)
    out = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True).stdout.strip()
    assert out == _expected_line(path.read_bytes(), read_tflite(path))
    _compile(["gcc", "-std=c11", "-x", "c"] + WARN + ["-c", "model_data.cc", "-o", "data_c.o"], tmp_path)


@requires_arm_gcc
def test_header_and_source_compile_for_cortex_m(tiny_int8, tmp_path):
    path = tiny_int8[0]
    export_c(path, tmp_path / "model_data.h", name="g_model")
    (tmp_path / "use.c").write_text('#include "model_data.h"\n'
                                    "unsigned int first(void) { return g_model[0] + g_model_len; }\n")
    _compile(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-std=c11"] + WARN
             + ["-c", "use.c", "-o", "use.o"], tmp_path)
    pair = tmp_path / "pair"
    export_c(path, pair / "model_data.h", name="g_model", source=True)
    _compile(["arm-none-eabi-g++", "-mcpu=cortex-m4", "-mthumb"] + WARN
             + ["-c", "model_data.cc", "-o", "d.o"], pair)
    syms = subprocess.run(["arm-none-eabi-nm", str(pair / "d.o")], capture_output=True,
                          text=True).stdout
    assert re.search(r"\bR g_model$", syms, re.M) and re.search(r"\bR g_model_len$", syms, re.M)


@pytest.mark.parametrize("name", ["", "1model", "my-model", "model data", "int", "class",
                                  "_Alignas", "__model", "_Model", "modèle"])
def test_invalid_c_names_are_rejected(name):
    with pytest.raises(TinyCompressError, match="--name"):
        check_c_name(name)


@pytest.mark.parametrize("name", ["g_model", "model2", "_m", "kModel"])
def test_valid_c_names_are_accepted(name):
    assert check_c_name(name) == name


def test_export_refuses_float_model_and_writes_nothing(tiny_int8, tmp_path):
    with pytest.raises(TinyCompressError, match="representative data"):
        export_c(tiny_int8[1], tmp_path / "model_data.h")
    assert list(tmp_path.iterdir()) == []
