"""Post-training prune + cluster (compress/snap.py): DepthwiseConv2D kernels too, which TF-MOT
leaves dense; the zeros and value counts the weight formats rely on."""
import numpy as np

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
    assert snap_model(model, 0.5, 4) == ["dw", "pw", "fc"]
    dw = model.get_layer("dw").depthwise_kernel.numpy()
    assert np.mean(dw == 0) >= 0.5 and len(np.unique(dw)) <= 5
