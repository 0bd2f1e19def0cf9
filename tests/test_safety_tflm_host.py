"""The host TFLM interpreter's worker: bounded in memory and time, an arena sized from the
model, and an abort inside TFLM's Prepare named by op (issue 6, defects 3 and 4)."""
import numpy as np
import pytest

from tinycompress import tflm_host
from tinycompress.errors import TinyCompressError
from testmodels import TensorSpec, build_single_op
from tinycompress.tflite_model import parse_tflite

from test_safety_outputs import refused


def _softmax(input_scale):
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema
    options = schema.SoftmaxOptionsT()
    options.beta = 1.0
    return build_single_op("SOFTMAX", [TensorSpec((1, 10), scale=input_scale, zero_point=0)],
                           [TensorSpec((1, 10), scale=1 / 256, zero_point=-128)],
                           options, "SoftmaxOptions")


def _zeros(model_bytes):
    model = parse_tflite(model_bytes)
    return [[np.zeros(t.shape, np.int8) for t in model.input_tensors]]


def test_large_valid_model_gets_an_arena_sized_from_it():
    """1x1024x1024x4 int8 in and out: 8 MiB of activations (a fixed 4 MB arena refused it)."""
    spec = TensorSpec((1, 1024, 1024, 4), scale=0.1, zero_point=0)
    model = build_single_op("RELU", [spec], [spec])
    x = np.random.default_rng(0).integers(-128, 128, (1, 1024, 1024, 4), dtype=np.int8)
    result = tflm_host.run(model, [[x]])
    assert np.array_equal(result.outputs[0][0], np.maximum(x, 0))
    assert result.arena_bytes >= 2 * x.nbytes


def test_arena_grows_when_tflm_finds_it_too_small(monkeypatch):
    monkeypatch.setattr(tflm_host, "estimate_arena", lambda model: 512)
    result = tflm_host.run(_softmax(0.1), _zeros(_softmax(0.1)))
    assert result.arena_bytes > 512


def test_softmax_abort_is_named_by_op():
    model = _softmax(1e-8)
    with pytest.raises(TinyCompressError, match=r"op 0 SOFTMAX .*input scale 1e-08"):
        tflm_host.run(model, _zeros(model), source="soft.tflite")
    ok = _softmax(1e-7)              # just above TFLM's limit of 1/2^26
    assert tflm_host.run(ok, _zeros(ok)).outputs


def test_softmax_abort_through_the_cli(run_cli, tmp_path):
    (tmp_path / "soft.tflite").write_bytes(_softmax(1e-8))
    refused(run_cli("firmware", tmp_path / "soft.tflite", "-o", tmp_path / "p"), "soft.tflite",
            "SOFTMAX", "input scale")
    assert not (tmp_path / "p").exists()
    shown = run_cli("inspect", tmp_path / "soft.tflite")      # inspect reports it, exit 0
    assert shown.exit_code == 0 and "op 0 SOFTMAX" in shown.output


def test_memory_limit_stops_the_worker():
    model = _softmax(0.1)
    with pytest.raises(TinyCompressError, match="memory limit of 300 MB"):
        tflm_host.run(model, _zeros(model), arena_size=600 << 20, memory_limit=300 << 20)


def test_time_limit_stops_the_worker():
    model = _softmax(0.1)
    with pytest.raises(TinyCompressError, match=r"did not finish in 0\.05 s"):
        tflm_host.run(model, _zeros(model), timeout=0.05)
