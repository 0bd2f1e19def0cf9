"""Post-training prune + cluster (compress/snap.py): DepthwiseConv2D kernels too, which TF-MOT
leaves dense; the zeros and value counts the weight formats rely on."""
import numpy as np
import pytest

from tinycompress.compress.snap import snap_kernel, snap_model


def test_snap_kernel_prunes_the_smallest_and_keeps_at_most_clusters_values():
    w = np.random.default_rng(0).normal(size=(3, 3, 8, 16)).astype(np.float32)
    s = snap_kernel(w, 0.75, 16)
    assert s.dtype == w.dtype and s.shape == w.shape
    assert abs(np.mean(s == 0) - 0.75) < 0.01
    assert len(np.unique(s[s != 0])) <= 16
    kept = s != 0      # the survivors are the largest magnitudes
    assert np.abs(w[kept]).min() >= np.abs(w[~kept]).max()


def test_snap_model_reaches_depthwise_kernels():
    from tinycompress.tfcompat import keras
    inp = keras.Input((8, 8, 4))
    x = keras.layers.DepthwiseConv2D(3, name="dw")(inp)
    x = keras.layers.Conv2D(6, 1, name="pw")(x)
    model = keras.Model(inp, keras.layers.Dense(3, name="fc")(keras.layers.Flatten()(x)))
    assert snap_model(model, 0.5, 4, scale_aware=False) == ["dw", "pw", "fc"]
    dw = model.get_layer("dw").depthwise_kernel.numpy()
    assert np.mean(dw == 0) >= 0.5 and len(np.unique(dw)) <= 5


def _int8_per_channel(w, axis):
    """What the int8 converter does to a per-channel kernel: q = round(w / (max |w_c| / 127))."""
    scale = np.abs(w).max(axis=tuple(i for i in range(w.ndim) if i != axis), keepdims=True) / 127
    return np.round(w / np.where(scale == 0, 1, scale)).astype(np.int8)


def test_scale_aware_snap_leaves_one_int8_codebook_for_all_channels():
    # channels of very different magnitudes: clustered as they are, per-channel quantization
    # turns shared centroids into a different int8 set per channel; scale-aware, one set
    rng = np.random.default_rng(1)
    w = (rng.normal(size=(3, 3, 8, 32)) * rng.uniform(0.1, 3.0, 32)).astype(np.float32)
    plain = _int8_per_channel(snap_kernel(w, 0.75, 16), 3)
    aware = _int8_per_channel(snap_kernel(w, 0.75, 16, channel_axis=3), 3)
    assert len(np.unique(aware[aware != 0])) <= 16 < len(np.unique(plain[plain != 0]))
    assert abs(np.mean(aware == 0) - 0.75) < 0.01
    snapped = snap_kernel(w, 0.75, 16, 3)
    kept = [c for c in range(32) if np.any(snapped[..., c])]
    assert len(kept) > 16
    for c in kept:      # every channel not pruned away keeps its own largest magnitude
        assert np.abs(snapped[..., c]).max() == pytest.approx(np.abs(w[..., c]).max())


def test_snap_stage_fine_tunes_and_keeps_zeros_and_values():
    from tinycompress.compress import STAGES, make_config
    from tinycompress.data import load_dataset
    from tinycompress.tfcompat import keras
    from tinycompress import train
    train.set_seed(0)
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv")(inp)
    x = keras.layers.DepthwiseConv2D(3, activation="relu", name="dw")(x)
    model = keras.Model(inp, keras.layers.Dense(10, activation="softmax", name="fc")(
        keras.layers.Flatten()(x)))
    data = load_dataset("digits")
    train.fit(model, data, 1)
    config = make_config("snap", {"sparsity": 0.5, "clusters": 8, "epochs": 1})
    out, report = STAGES["snap"][1](model, data, config)
    assert report.details["snapped_layers"] == ["conv", "dw", "fc"]
    assert report.details["fine_tune_epochs"] == 1
    dw = _int8_per_channel(out.get_layer("dw").depthwise_kernel.numpy().reshape(3, 3, 8), 2)
    assert np.mean(dw == 0) >= 0.5 and len(np.unique(dw[dw != 0])) <= 8
    fc = _int8_per_channel(out.get_layer("fc").kernel.numpy(), 1)
    assert np.mean(fc == 0) >= 0.5 and len(np.unique(fc[fc != 0])) <= 8


@pytest.mark.parametrize("values,match", [({"kinds": ["LSTM"]}, "kinds LSTM unknown"),
                                          ({"sparsity": 1.0}, "sparsity"),
                                          ({"clusters": 1}, "clusters")])
def test_snap_config_names_the_bad_key(values, match):
    from tinycompress.compress import make_config
    from tinycompress.errors import TinyCompressError
    with pytest.raises(TinyCompressError, match=match):
        make_config("snap", values)
