"""Native code generation: unsupported models are refused whole and early, the static memory
plan shares and aligns memory, fixed-point helpers behave as TFLite's, and multi-op models
(including a small digits CNN) match the TFLM host interpreter byte for byte."""
from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from tinycompress import tflm_host
from tinycompress.errors import TinyCompressError
from tinycompress.firmware.native import check_supported, generate
import testmodels as tm
from tinycompress.firmware.native.hostbuild import HostModel
from tinycompress.firmware.native.planner import ALIGN, plan_memory
from tinycompress.firmware.native.codegen import lower_model
from tinycompress.firmware.native.quant import activation_range, quantize_multiplier
from tinycompress.tflite_model import parse_tflite

requires_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")


def _tf():
    from tinycompress.tfcompat import tf
    return tf


def _assert_same_as_tflm(data: bytes, vectors):
    model = parse_tflite(data, "model")
    ours = HostModel(model).run(vectors)
    theirs = tflm_host.run(data, vectors).outputs
    for n, (mine, ref) in enumerate(zip(ours, theirs)):
        for a, b in zip(mine, ref):
            np.testing.assert_array_equal(a, b, err_msg=f"vector {n}")
    return model


# --- refusing what the runtime cannot run ----------------------------------------------------

def test_unsupported_ops_are_all_listed_with_index_and_layer(tmp_path):
    tf = _tf()
    data = tm.build_int8(lambda x: tf.nn.log_softmax(x) + tf.nn.elu(x) + x, [(1, 8)], (-2.0, 2.0))
    model = parse_tflite(data, "mixed.tflite")
    unsupported = [op for op in model.operators if op.op in ("LOG_SOFTMAX", "ELU")]
    assert len(unsupported) >= 2, [op.op for op in model.operators]
    with pytest.raises(TinyCompressError) as err:
        generate(model, tmp_path / "out")
    message = str(err.value)
    for op in unsupported:
        assert f"op {op.index} {op.op} ('{model.layer_name(op)}')" in message
    assert "mixed.tflite" in message
    assert not (tmp_path / "out" / "model.c").exists()
    assert not (tmp_path / "out" / "model.h").exists()


def test_unsupported_fused_activation_is_refused_before_writing(tmp_path):
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    opts = schema.AddOptionsT()
    opts.fusedActivationFunction = schema.ActivationFunctionType.TANH
    spec = tm.TensorSpec((1, 4), scale=0.1, zero_point=0)
    data = tm.build_single_op("ADD", [spec, spec], [spec], opts, "AddOptions")
    model = parse_tflite(data, "tanh_add.tflite")
    problems = check_supported(model)
    assert len(problems) == 1 and "fused activation TANH" in problems[0] and "op 0 ADD" in problems[0]
    with pytest.raises(TinyCompressError, match="fused activation TANH"):
        generate(model, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_int16_activations_are_refused():
    spec = tm.TensorSpec((1, 4), type="INT16", scale=0.1, zero_point=0)
    model = parse_tflite(tm.build_single_op("ADD", [spec, spec], [spec]), "int16.tflite")
    problems = check_supported(model)
    assert any("INT16" in p and "only int8 activations" in p for p in problems)
    assert any("graph input/output" in p for p in problems)
    with pytest.raises(TinyCompressError, match="INT16"):
        lower_model(model)


def test_softmax_with_an_output_quantization_tflm_rejects_is_refused():
    a = tm.TensorSpec((1, 5), scale=0.1, zero_point=0)
    b = tm.TensorSpec((1, 5), scale=1 / 256, zero_point=0, name="probs")
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    opts = schema.SoftmaxOptionsT()
    opts.beta = 1.0
    model = parse_tflite(tm.build_single_op("SOFTMAX", [a], [b], opts, "SoftmaxOptions"),
                         "softmax.tflite")
    problems = check_supported(model)
    assert len(problems) == 1 and "'probs'" in problems[0] and "zero point -128" in problems[0]


def test_supported_model_has_no_problems():
    tf = _tf()
    model = parse_tflite(tm.build_int8(lambda x: tf.nn.softmax(x), [(1, 6)]), "ok")
    assert check_supported(model) == []


# --- fixed point and activation ranges --------------------------------------------------------

@pytest.mark.parametrize("real", [1e-6, 0.0037, 0.25, 0.5, 0.999, 1.0, 1.5, 3.7e3, 1 - 2 ** -40])
def test_quantize_multiplier_reconstructs_the_real_value(real):
    multiplier, shift = quantize_multiplier(real)
    assert 2 ** 30 <= multiplier < 2 ** 31
    assert math.isclose(multiplier * 2.0 ** (shift - 31), real, rel_tol=2 ** -30)


def test_quantize_multiplier_flushes_tiny_values_and_zero():
    assert quantize_multiplier(0.0) == (0, 0)
    assert quantize_multiplier(2.0 ** -40) == (0, 0)


def test_activation_range_clamps_to_quantized_bounds():
    scale, zp = 0.05, -10
    assert activation_range("NONE", scale, zp) == (-128, 127)
    assert activation_range("RELU", scale, zp) == (zp, 127)
    assert activation_range("RELU6", scale, zp) == (zp, min(127, zp + round(6 / scale)))
    assert activation_range("RELU_N1_TO_1", scale, zp) == (zp - 20, zp + 20)
    with pytest.raises(ValueError):
        activation_range("TANH", scale, zp)


# --- memory plan ------------------------------------------------------------------------------

def _chain_model():
    tf = _tf()

    def fn(x):
        y = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
        y = tf.nn.avg_pool2d(y, 2, 1, "VALID")
        y = tf.nn.max_pool2d(y, 2, 1, "SAME")
        y = tf.reshape(y, (1, -1))
        return tf.nn.softmax(y)
    return tm.build_int8(fn, [(1, 6, 6, 3)], (-2.0, 2.0))


def test_plan_shares_memory_between_non_overlapping_tensors_and_aligns_offsets():
    model = parse_tflite(_chain_model(), "chain")
    lowered = lower_model(model)
    plan = plan_memory(model, lowered)
    arena = {t: loc.offset for t, loc in plan.tensors.items() if loc.space == "arena"}
    assert all(off % ALIGN == 0 for off in arena.values())
    # live ranges: no two tensors alive at the same op may overlap in memory
    live = {}
    for i, low in enumerate(lowered):
        for t in list(low.inputs) + [low.output]:
            live.setdefault(t, []).append(i)
    spans = {t: (min(v), max(v)) for t, v in live.items() if t in arena}
    for a in spans:
        for b in spans:
            if a < b and spans[a][0] <= spans[b][1] and spans[b][0] <= spans[a][1]:
                ra = range(arena[a], arena[a] + model.tensors[a].nbytes)
                rb = range(arena[b], arena[b] + model.tensors[b].nbytes)
                assert not set(ra) & set(rb) or plan.tensors[a] == plan.tensors[b], (a, b)
    total = sum(model.tensors[t].nbytes for t in arena)
    assert plan.arena_bytes < total            # sharing happened
    reshape = [i for i, op in enumerate(model.operators) if op.op == "RESHAPE"]
    assert reshape and reshape[0] in plan.aliased   # RESHAPE costs no memory and no call


@requires_gcc
def test_multi_op_chain_with_aliased_reshape_matches_tflm():
    data = _chain_model()
    model = parse_tflite(data, "chain")
    vectors = tm.random_inputs(model, 12, seed=3)
    _assert_same_as_tflm(data, vectors)


@requires_gcc
def test_layer_hook_sees_every_layer(tmp_path):
    """The TC_LAYER_HOOK build compiles and runs with the same outputs."""
    data = _chain_model()
    model = parse_tflite(data, "chain")
    vectors = tm.random_inputs(model, 4, seed=5)
    hooked = HostModel(model, tmp_path, extra_flags=("-DTC_LAYER_HOOK",)).run(vectors)
    plain = HostModel(model).run(vectors)
    for a, b in zip(hooked, plain):
        np.testing.assert_array_equal(a[0], b[0])
    header = (tmp_path / "model.h").read_text()
    assert f"#define TC_NUM_LAYERS   {len(model.operators)}" in header


@pytest.mark.skipif(shutil.which("g++") is None, reason="host g++ not installed")
def test_cpp_application_links_the_c_model(tmp_path):
    """model.h gives tc_invoke C linkage: a C++ main (g++ -Werror) links model.c built by gcc."""
    import subprocess
    from tinycompress.firmware.native.hostbuild import CFLAGS, runtime_library
    from tinycompress.firmware.native.codegen import _runtime_dir
    model = parse_tflite(_chain_model(), "chain")
    generate(model, tmp_path)
    (tmp_path / "app.cc").write_text(
        '#include <cstdio>\n#include "model.h"\n'
        "int main() {\n    static int8_t in[TC_INPUT_BYTES], out[TC_OUTPUT_BYTES];\n"
        '    int status = tc_invoke(in, out);\n    std::printf("%d\\n", status);\n'
        "    return status;\n}\n")
    run = lambda cmd: subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    inc = ["-I", str(_runtime_dir())]
    for cmd in (["gcc", *CFLAGS, *inc, "-c", "model.c", "-o", "model.o"],
                ["g++", "-std=c++11", "-Wall", "-Wextra", "-Werror", *inc, "-c", "app.cc", "-o", "app.o"],
                ["g++", "app.o", "model.o", str(runtime_library()), "-o", "app"]):
        proc = run(cmd)
        assert proc.returncode == 0, proc.stderr
    assert run([str(tmp_path / "app")]).stdout == "0\n"


# --- a digits-sized CNN, end to end -----------------------------------------------------------

@pytest.fixture(scope="module")
def digits_cnn_int8():
    from tinycompress.data import load_digits
    from tinycompress.tfcompat import keras, tf
    data = load_digits()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.layers.Input((8, 8, 1)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.DepthwiseConv2D(3, activation="relu6"),
        keras.layers.AveragePooling2D(),
        keras.layers.Conv2D(12, 1, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(data.x_train[:600], data.y_train[:600], epochs=2, verbose=0)

    def representative():
        for x in data.x_train[:100]:
            yield [x[None].astype(np.float32)]
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return bytes(converter.convert()), data


@requires_gcc
def test_digits_cnn_matches_tflm_on_20_inputs(digits_cnn_int8):
    data, dataset = digits_cnn_int8
    model = parse_tflite(data, "digits_cnn")
    ops = {op.op for op in model.operators}
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D",
            "FULLY_CONNECTED", "SOFTMAX"} <= ops
    inp = model.input_tensors[0]
    scale, zp = float(inp.quant.scale[0]), int(inp.quant.zero_point[0])
    images = dataset.x_test[:20]
    q = np.clip(np.round(images / scale) + zp, -128, 127).astype(np.int8)
    _assert_same_as_tflm(data, [[x.reshape(inp.shape)] for x in q])


def test_digits_cnn_plan_is_below_tflm_arena(digits_cnn_int8, tmp_path):
    data, _ = digits_cnn_int8
    model = parse_tflite(data, "digits_cnn")
    info = generate(model, tmp_path)
    tflm = tflm_host.run(data, tm.random_inputs(model, 1)).arena_bytes
    assert info.arena_bytes + info.io_bytes <= tflm
    assert info.flash_bytes > 0 and len(info.layers) == len(model.operators)


def _pointwise_chain_model():
    """MobileNet-like: 3x3 conv, 1x1 conv growing channels 8 -> 12 (odd pixel count 7x5),
    1x1 conv shrinking 12 -> 4, depthwise."""
    from tinycompress.tfcompat import tf
    rng = np.random.default_rng(7)
    w0 = tf.constant(rng.normal(size=(3, 3, 3, 8)).astype(np.float32) * 0.3)
    w1 = tf.constant(rng.normal(size=(1, 1, 8, 12)).astype(np.float32) * 0.3)
    w2 = tf.constant(rng.normal(size=(1, 1, 12, 4)).astype(np.float32) * 0.3)
    wd = tf.constant(rng.normal(size=(3, 3, 4, 1)).astype(np.float32) * 0.3)

    def fn(x):
        y = tf.nn.relu(tf.nn.conv2d(x, w0, 1, "SAME"))
        y = tf.nn.relu(tf.nn.conv2d(y, w1, 1, "VALID"))
        y = tf.nn.conv2d(y, w2, 1, "VALID")
        return tf.nn.depthwise_conv2d(y, wd, [1, 1, 1, 1], "SAME")
    return tm.build_int8(fn, [(1, 7, 5, 3)], (-1.0, 1.0))


def test_plan_puts_input_in_arena_and_shares_pointwise_input_with_output():
    data = _pointwise_chain_model()
    model = parse_tflite(data, "pointwise")
    lowered = lower_model(model)
    plan = plan_memory(model, lowered)
    convs = [i for i, op in enumerate(model.operators) if op.op == "CONV_2D"]
    assert len(convs) == 3 and convs[1] in plan.shared and convs[2] in plan.shared
    assert convs[0] not in plan.shared                   # 3x3: does not stream
    for i in convs[1:]:
        src, out = lowered[i].inputs[0], lowered[i].output
        ci, co = lowered[i].stream
        delta = plan.tensors[src].offset - plan.tensors[out].offset
        pixels = model.tensors[src].nbytes // ci
        # no write of output pixels p, p + 1 reaches input pixel p
        assert all((p + 2) * co <= delta + p * ci for p in range(pixels))
    assert plan.tensors[model.inputs[0]].space == "arena" and plan.caller_bytes == plan.output_bytes
    live = [sum(model.tensors[t].nbytes for t in {*low.inputs, low.output}
                if not model.tensors[t].is_const) for low in lowered]
    assert plan.lower_bound <= plan.arena_bytes and plan.arena_bytes < sum(live)


@requires_gcc
def test_pointwise_sharing_and_input_copy_match_tflm():
    data = _pointwise_chain_model()
    model = parse_tflite(data, "pointwise")
    _assert_same_as_tflm(data, tm.random_inputs(model, 8, seed=4))


def test_conv_weight_layout_is_a_per_model_choice_within_the_flash_budget(digits_cnn_int8):
    """Dense CONV_2D weights go int16 (wide kernel, twice the flash) while the extra flash
    fits the budget and the larger scratch leaves the arena as it was; over the
    budget, or asked not to, every call keeps the int8 layout; the summary says which and why."""
    from tinycompress.firmware.native import codegen
    model = parse_tflite(digits_cnn_int8[0], "digits_cnn")
    convs = [i for i, op in enumerate(model.operators) if op.op == "CONV_2D"]

    def wide_flags(lowered):
        return [lowered[i].params["wide"] for i in convs]

    narrow = lower_model(model, wide=False)
    wide = lower_model(model)
    assert wide_flags(narrow) == [0, 0] and wide_flags(wide) == [1, 1]
    assert plan_memory(model, wide).arena_bytes == plan_memory(model, narrow).arena_bytes
    extra = sum(int(a.nbytes) for i in convs for a in wide[i].arrays.values()) - \
        sum(int(a.nbytes) for i in convs for a in narrow[i].arrays.values())
    assert codegen.wide_summary(model) == (
        f"int16 pre-extended (2 pixel x 4 channel SMLAD core) in 2 of 2 dense CONV_2D "
        f"layer(s), +{extra:,} B flash")
    assert wide[convs[0]].scratch_bytes > narrow[convs[0]].scratch_bytes
    assert wide_flags(lower_model(model, wide_budget=extra - 1)) == [0, 0]
    assert codegen.wide_summary(model, wide_budget=extra - 1) == (
        f"int8 (2 pixel x 2 channel core) in 2 dense CONV_2D layer(s): int16 weights would "
        f"add {extra:,} B flash, over the {extra - 1:,} B budget")


def test_wide_layers_never_raise_the_arena():
    """A conv whose int16 scratch would sit on top of the plan's peak keeps int8: in this
    small chain every conv's live bytes are within a few bytes of the arena, so all stay
    int8 and the arena is the int8 one (forcing int16 would grow it)."""
    from tinycompress.firmware.native import codegen
    model = parse_tflite(_pointwise_chain_model(), "chain")
    narrow = lower_model(model, wide=False)
    assert codegen.wide_choice(model, narrow)[2] == set()
    assert [low.params.get("wide", 0) for low in lower_model(model)] == [0, 0, 0, 0]
    assert plan_memory(model, lower_model(model, wide=True)).arena_bytes > \
        plan_memory(model, narrow).arena_bytes
    assert codegen.wide_summary(model) == ("int8 (2 pixel x 2 channel core) in 3 dense CONV_2D "
                                           "layer(s): their wider scratch would raise the arena")


@pytest.mark.parametrize("board, layout", [("mps2-an386", "int16 pre-extended"),
                                           ("mps2-an385", "int8 (2 pixel x 2 channel core)")])
def test_int16_conv_weights_only_on_cores_with_smlad(digits_cnn_int8, tmp_path, board, layout):
    """The project writer asks for int16 conv weights only on a DSP core (an386: Cortex-M4)
    and within a quarter of the board's flash; on the M3 (an385) they would cost flash for
    no speed, so the int8 layout stays and project.json says why."""
    import json
    from tinycompress.firmware.project import generate_project, _wide_options
    from tinycompress.firmware.boards import get_board
    path = tmp_path / "m.tflite"
    path.write_bytes(digits_cnn_int8[0])
    generate_project(path, board, tmp_path / "fw", runtime="native", vectors=1)
    conv = json.loads((tmp_path / "fw" / "project.json").read_text())["conv_weights"]
    assert conv.startswith(layout), conv
    row = get_board(board)
    budget = _wide_options(row).get("wide_budget")
    assert (budget is None) == (not row.cpu_row.dsp)
    assert budget is None or budget <= row.flash_size // 4
