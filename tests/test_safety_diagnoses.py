"""Diagnoses that say what is wrong and what to do (issue 6, defect 4)."""
import numpy as np
import pytest

from tinycompress.firmware.boards import get_board
from tinycompress.firmware.build import _overflow_message, check_fit
from tinycompress.errors import TinyCompressError

from test_safety_outputs import refused


@pytest.fixture(scope="module")
def float_io_int8(tmp_path_factory):
    """Full-int8 inside, float32 input and output (QUANTIZE/DEQUANTIZE at the edges), as
    MLPerf Tiny's AD model ships."""
    from tinycompress.tfcompat import tf
    rng = np.random.default_rng(0)
    w = tf.constant(rng.normal(size=(16, 8)).astype(np.float32))
    fn = tf.function(lambda x: tf.nn.relu(tf.matmul(x, w)),
                     input_signature=[tf.TensorSpec((1, 16), tf.float32)])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 16)).astype(np.float32)]
                                                for _ in range(16))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    path = tmp_path_factory.mktemp("ad") / "float_io.tflite"
    path.write_bytes(converter.convert())
    return path


@pytest.mark.parametrize("command", ["export", "firmware"])
def test_int8_model_with_float_io_is_called_what_it_is(run_cli, float_io_int8, tmp_path, command):
    line = refused(run_cli(command, float_io_int8, "-o", tmp_path / "out"),
                   "full-integer int8 model with float I/O", "inference_input_type = tf.int8")
    assert "hybrid" not in line


def test_unsupported_ops_list_the_supported_ops_once(tmp_path, monkeypatch):
    from tinycompress.firmware.native import check_supported
    from tinycompress.firmware.native.ops import OPS
    from testmodels import build_int8
    from tinycompress.tflite_model import parse_tflite
    from tinycompress.tfcompat import tf
    monkeypatch.delitem(OPS, "TANH", raising=False)    # an op the runtime does not have
    model = parse_tflite(build_int8(lambda x: tf.math.tanh(tf.math.tanh(x) * 3.0), [(1, 8)]))
    problems = check_supported(model)
    assert sum("TANH is not supported" in p for p in problems) == 2
    assert sum("CONV_2D" in p for p in problems) == 1, problems


def _meta(weights, vectors, per_vector):
    return {"weight_bytes": weights, "golden_bytes": vectors * per_vector, "vectors": vectors,
            "arena_bytes": 1000, "output_bytes": 10}


def test_flash_full_of_golden_vectors_says_fewer_vectors():
    board = get_board("nucleo-g071rb")       # 128 KB flash
    with pytest.raises(TinyCompressError, match=r"golden vectors take 200,000 B .*--vectors \d+"):
        check_fit(_meta(20_000, 2000, 100), board)
    with pytest.raises(TinyCompressError, match="model weights take most"):
        check_fit(_meta(200_000, 10, 100), board)
    text = _overflow_message("FLASH", 5_000, board, _meta(30_000, 900, 100))
    assert "golden vectors 90,000 B" in text and "--vectors 850 " in text


def test_flash_advice_through_the_cli(run_cli, tiny_int8, tmp_path):
    assert run_cli("firmware", tiny_int8[0], "--board", "nucleo-g071rb", "--vectors", "2000",
                   "-o", tmp_path / "p").exit_code == 0
    refused(run_cli("build", tmp_path / "p"), "golden vectors", "--vectors")
