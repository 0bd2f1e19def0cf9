"""Inspect: op counts, MACs, sizes, weight statistics, TFLM arena and op support tables."""
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tinycompress import opinfo, weightstats
from tinycompress.inspect import inspect_model
from tinycompress.tflite_model import BUILTIN_OPS, read_tflite


@pytest.fixture(scope="module")
def report(tiny_int8):
    return inspect_model(tiny_int8[0])


def test_op_counts_match_the_graph(report, tiny_int8):
    model = read_tflite(tiny_int8[0])
    assert {(o.op, o.version): o.count for o in report.ops} == \
        Counter((op.op, op.version) for op in model.operators)
    assert all(o.tflm for o in report.ops)


def test_macs_match_the_keras_layers(report, tiny_classifier):
    """Conv: out_h*out_w*filters*k*k*in_ch; Dense: units*inputs, from the Keras model itself."""
    keras_model = tiny_classifier[0]
    conv, dense = keras_model.get_layer("conv"), keras_model.get_layer("dense")
    _, oh, ow, oc = conv.output_shape
    kh, kw, ic, _ = conv.kernel.shape
    by_op = {layer.op: layer.macs for layer in report.layers}
    assert by_op["CONV_2D"] == oh * ow * oc * kh * kw * ic
    assert by_op["FULLY_CONNECTED"] == int(np.prod(dense.kernel.shape))
    assert report.total_macs == sum(layer.macs for layer in report.layers)


def test_param_bytes_per_layer_cover_the_weights(report, tiny_classifier):
    keras_model = tiny_classifier[0]
    by_op = {layer.op: layer.param_bytes for layer in report.layers}
    dense = keras_model.get_layer("dense")
    # int8 kernel + int32 bias
    assert by_op["FULLY_CONNECTED"] == int(np.prod(dense.kernel.shape)) + 4 * dense.bias.shape[0]


def test_weight_and_metadata_bytes_add_up_to_the_file(report, tiny_int8):
    assert report.weight_bytes + report.metadata_bytes == tiny_int8[0].stat().st_size
    assert 0 < report.weight_bytes < report.file_bytes


def test_arena_is_measured_in_tflm(report):
    assert report.tflm_runs and report.tflm_error is None
    assert report.arena_bytes > 0


def test_weight_statistics_match_the_tensor_data(report, tiny_int8):
    model = read_tflite(tiny_int8[0])
    consts = [t for t in model.tensors if t.is_const and t.type == "INT8"]
    assert consts
    for t in consts:
        info = report.tensors[t.index]
        axis = t.quant.axis if t.quant.per_channel else None
        assert info.sparsity == round(float(np.mean(t.data == 0)), 4)
        assert info.unique_values == weightstats.unique_values(t.data, axis=axis)
        assert info.unique_values <= 256


def test_pruned_weights_show_their_sparsity(tiny_classifier, digits_data, tmp_path):
    """Zero half the dense kernel in Keras: inspect sees >= 50 % zeros in the int8 tensor."""
    from tinycompress.convert import convert_to_int8
    from tinycompress.tfcompat import keras
    model = keras.models.clone_model(tiny_classifier[0])
    model.set_weights(tiny_classifier[0].get_weights())
    kernel, bias = model.get_layer("dense").get_weights()
    kernel[np.abs(kernel) < np.median(np.abs(kernel))] = 0
    model.get_layer("dense").set_weights([kernel, bias])
    convert_to_int8(model, digits_data, tmp_path / "p.tflite", representative_samples=20)
    fc = next(t for t in inspect_model(tmp_path / "p.tflite", run_tflm=False).tensors
              if t.const and t.type == "INT8" and len(t.shape) == 2)
    assert fc.sparsity >= 0.5


def test_text_and_json_render(report):
    text = report.to_text()
    for needle in ("CONV_2D", "FULLY_CONNECTED", "TFLM arena", f"{report.arena_bytes} B", "MACs"):
        assert needle in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["total_macs"] == report.total_macs and len(data["tensors"]) == len(report.tensors)


def test_cli_inspect_json(run_cli, tiny_int8):
    result = run_cli("inspect", tiny_int8[0], "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["sha256"] == inspect_model(tiny_int8[0], run_tflm=False).sha256


def test_mac_table_names_real_ops():
    assert set(opinfo.MACS) <= set(BUILTIN_OPS.values())


def test_tflm_op_table_matches_the_tflm_wheel():
    """Every builtin the tflite-micro wheel registers is in the table, and nothing else."""
    import tflite_micro
    lib = next(Path(tflite_micro.__file__).parent.rglob("_runtime*.so"))
    registered = set(re.findall(rb"Register_([A-Z0-9_]+)Ev", lib.read_bytes()))
    registered = {name.decode() for name in registered} & set(BUILTIN_OPS.values())
    assert registered == set(opinfo.TFLM_BUILTIN_OPS)
