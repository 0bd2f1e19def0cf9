"""Data sources and the checks against the model that run before any training."""
from unittest import mock

import numpy as np
import pytest

from tinycompress.data import check_dataset, load_dataset
from tinycompress.errors import TinyCompressError


@pytest.fixture(scope="module")
def model():
    from tinycompress.tfcompat import keras
    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Flatten()(inp)
    return keras.Model(inp, keras.layers.Dense(10, activation="softmax", name="out")(x))


def _npz(tmp_path, name="d.npz", n=20, **overrides):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.random((n, 8, 8, 1), np.float32), "y_train": rng.integers(0, 10, n),
              "x_test": rng.random((n // 2, 8, 8, 1), np.float32),
              "y_test": rng.integers(0, 10, n // 2)}
    arrays.update(overrides)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_digits_is_real_shaped_scaled_and_stratified():
    d = load_dataset("digits")
    assert d.x_train.shape[1:] == (8, 8, 1) and d.x_train.dtype == np.float32
    assert len(d.x_train) + len(d.x_test) == 1797
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0 and d.x_train.max() > 0.9
    train_share = np.bincount(d.y_train, minlength=10) / len(d.y_train)
    test_share = np.bincount(d.y_test, minlength=10) / len(d.y_test)
    assert np.abs(train_share - test_share).max() < 0.01
    assert d.num_classes == 10


def test_npz_in_keras_layout_loads_and_checks(model, tmp_path):
    d = check_dataset(load_dataset(_npz(tmp_path)), model)
    assert d.x_train.shape == (20, 8, 8, 1) and d.y_test.shape == (10,)


def test_uint8_images_are_scaled_and_channel_axis_added(model, tmp_path):
    x = np.full((4, 8, 8), 255, np.uint8)
    d = check_dataset(load_dataset(_npz(tmp_path, x_train=x, x_test=x, y_train=np.arange(4),
                                        y_test=np.arange(4))), model)
    assert d.x_train.shape == (4, 8, 8, 1) and d.x_train.max() == 1.0


def test_float64_is_converted_not_rejected(model, tmp_path):
    x = np.random.default_rng(1).random((6, 8, 8, 1))  # float64
    d = check_dataset(load_dataset(_npz(tmp_path, x_train=x, x_test=x, y_train=np.arange(6),
                                        y_test=np.arange(6))), model)
    assert d.x_train.dtype == np.float32 and d.x_test.dtype == np.float32
    np.testing.assert_allclose(d.x_train, x.astype(np.float32))


def test_labels_with_trailing_axis_are_flattened(model, tmp_path):
    d = check_dataset(load_dataset(_npz(tmp_path, y_train=np.zeros((20, 1), np.uint8))), model)
    assert d.y_train.shape == (20,)


@pytest.mark.parametrize("overrides,match", [
    ({"x_train": np.zeros((5, 7, 7, 1), np.float32), "y_train": np.zeros(5, int)},
     r"x_train samples have shape \(7, 7, 1\).*'image' expects \(8, 8, 1\)"),
    ({"x_test": np.zeros((0, 8, 8, 1), np.float32), "y_test": np.zeros(0, int)}, "x_test is empty"),
    ({"y_train": np.full(20, 10)}, "y_train holds label 10.*10 classes"),
    ({"y_test": np.full(10, -1)}, "y_test holds label -1"),
    ({"y_train": np.zeros(3, int)}, "y_train has 3 labels for 20 samples"),
    ({"x_train": np.array(["a"] * 20).reshape(20, 1, 1, 1)}, "x_train has dtype <U1"),
    ({"y_test": np.full(10, 0.5)}, "y_test holds non-integer"),
])
def test_bad_data_names_the_key(model, tmp_path, overrides, match):
    path = _npz(tmp_path, **overrides)
    with pytest.raises(TinyCompressError, match=match) as info:
        check_dataset(load_dataset(path), model)
    assert str(path) in str(info.value)


def test_npz_missing_key_names_it(tmp_path):
    path = _npz(tmp_path, y_test=None)
    with pytest.raises(TinyCompressError, match=r"missing key\(s\) y_test"):
        load_dataset(path)


@pytest.mark.parametrize("content,match", [(b"", "empty"), (b"not a zip", "not a readable .npz")])
def test_broken_npz_files(tmp_path, content, match):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(TinyCompressError, match=match):
        load_dataset(path)


def test_missing_npz_and_unknown_name(tmp_path):
    with pytest.raises(TinyCompressError, match="no such file"):
        load_dataset(tmp_path / "none.npz")
    with pytest.raises(TinyCompressError, match="unknown source.*digits, mnist"):
        load_dataset("imagenet")


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_download_failure_says_what_to_do(name):
    from urllib.error import URLError
    from tinycompress.tfcompat import keras
    loader = getattr(keras.datasets, name)
    with mock.patch.object(loader, "load_data", side_effect=URLError("no network")):
        with pytest.raises(TinyCompressError, match=f"'{name}'.*no network.*npz"):
            load_dataset(name)


def test_keras_loaders_shape_their_data(model):
    """The real loader code path on small fake downloads (no network used)."""
    from tinycompress.tfcompat import keras
    fake = ((np.zeros((3, 8, 8), np.uint8), np.array([1, 2, 3], np.uint8)),
            (np.full((2, 8, 8), 255, np.uint8), np.array([4, 5], np.uint8)))
    with mock.patch.object(keras.datasets.mnist, "load_data", return_value=fake):
        d = check_dataset(load_dataset("mnist"), model)
    assert d.x_train.shape == (3, 8, 8, 1) and d.x_test.max() == 1.0 and list(d.y_test) == [4, 5]


def test_zoo_synthetic_source_is_seeded():
    a, b = load_dataset("zoo:ad-fc"), load_dataset("zoo:ad-fc")
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.task == "autoencode" and set(np.unique(a.y_test)) == {0, 1}
