"""Data sets: built-in names, .npz files in the keras.datasets layout, and zoo synthetic data.

`load_dataset(source)` gives a Dataset; `check_dataset(dataset, model)` checks it against the
model (input shape, dtype, labels) before any training and returns a float32 copy.
"""
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .errors import TinyCompressError

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass
class Dataset:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    task: str = "classify"    # "classify" (y = class index) | "autoencode" (y_test: 1 = anomalous)

    def subset(self, n_train=None, n_test=None):
        """The first n samples of each split (data sets are shuffled at load time)."""
        return replace(self, x_train=self.x_train[:n_train], y_train=self.y_train[:n_train],
                       x_test=self.x_test[:n_test], y_test=self.y_test[:n_test])


def _stratified_split(x, y, test_fraction, seed):
    """Per-class split so that every class has the same share in train and test."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(len(idx) * test_fraction))
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    train, test = rng.permutation(train), rng.permutation(test)
    return x[train], y[train], x[test], y[test]


def load_digits(test_fraction=0.25, seed=0):
    """scikit-learn's bundled 8x8 digits (1797 real images, offline), (N,8,8,1) float32 in [0,1]."""
    from sklearn.datasets import load_digits as sk_digits
    d = sk_digits()
    x = (d.images / 16.0).astype(np.float32)[..., None]
    y = d.target.astype(np.int32)
    xtr, ytr, xte, yte = _stratified_split(x, y, test_fraction, seed)
    return Dataset("digits", xtr, ytr, xte, yte, 10)


def _keras_loader(name, channels_last_axis):
    """A loader for keras.datasets.<name>, with a clear error when it cannot download."""
    def load():
        from .tfcompat import keras
        try:
            (xtr, ytr), (xte, yte) = getattr(keras.datasets, name).load_data()
        except Exception as exc:  # URLError, HTTPError, socket errors, corrupt cache
            raise TinyCompressError(
                f"data '{name}': could not download it through keras.datasets ({exc}); with no "
                f"network, fetch it elsewhere and save x_train, y_train, x_test, y_test in an "
                f".npz, then pass that file as the data source") from exc
        if channels_last_axis:
            xtr, xte = xtr[..., None], xte[..., None]
        return Dataset(name, _to_float(xtr), _labels(ytr, name, "y_train"),
                       _to_float(xte), _labels(yte, name, "y_test"), 10)
    return load


# Built-in sources: name -> loader. The large sets download once into ~/.keras/datasets.
BUILTIN = {
    "digits": load_digits,
    "mnist": _keras_loader("mnist", True),
    "fashion_mnist": _keras_loader("fashion_mnist", True),
    "cifar10": _keras_loader("cifar10", False),
}


def _to_float(x):
    """Images stored as integers (keras.datasets: uint8 0..255) are scaled to [0, 1]."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    return x


def _labels(y, source, key):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise TinyCompressError(f"data '{source}': {key} has shape {y.shape}; give one integer "
                                "class index per sample (not one-hot)")
    if y.dtype.kind == "f":
        if y.size and not np.all(np.isfinite(y) & (y == np.round(y))):
            raise TinyCompressError(f"data '{source}': {key} holds non-integer values; give "
                                    "integer class indices")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iub":
        raise TinyCompressError(f"data '{source}': {key} has dtype {y.dtype}; give integer "
                                "class indices")
    return y.astype(np.int32)


def load_npz(path):
    """An .npz with x_train, y_train, x_test, y_test (the keras.datasets layout)."""
    from .fileio import input_file
    path = Path(path)
    if not path.exists():
        raise TinyCompressError(f"data '{path}': no such file; give an .npz with "
                                f"{', '.join(NPZ_KEYS)} or one of {', '.join(BUILTIN)}")
    input_file(path, what=".npz file")
    if path.stat().st_size == 0:
        raise TinyCompressError(f"data '{path}': file is empty; save the arrays with "
                                "np.savez(path, x_train=..., y_train=..., x_test=..., y_test=...)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in NPZ_KEYS if k not in npz.files]
            if missing:
                raise TinyCompressError(f"data '{path}': missing key(s) {', '.join(missing)} "
                                        f"(found: {', '.join(npz.files) or 'none'}); save "
                                        f"{', '.join(NPZ_KEYS)}")
            arrays = {k: npz[k] for k in NPZ_KEYS}
    except TinyCompressError:
        raise
    except Exception as exc:  # BadZipFile, pickled objects, truncated members
        raise TinyCompressError(f"data '{path}': not a readable .npz file ({exc}); save the "
                                "arrays with np.savez") from exc
    for k in ("x_train", "x_test"):
        arrays[k] = _to_float(arrays[k])
    ytr = _labels(arrays["y_train"], path, "y_train")
    yte = _labels(arrays["y_test"], path, "y_test")
    top = max([int(y.max()) for y in (ytr, yte) if y.size] or [0])
    return Dataset(str(path), arrays["x_train"], ytr, arrays["x_test"], yte, top + 1)


def load_dataset(source):
    """A built-in name (digits, mnist, fashion_mnist, cifar10), `zoo:NAME` or an .npz path."""
    if isinstance(source, Dataset):
        return source
    source = str(source)
    if source in BUILTIN:
        return BUILTIN[source]()
    if source.startswith("zoo:"):
        from .zoo import ZOO
        name = source[4:]
        if name not in ZOO:
            raise TinyCompressError(f"data '{source}': no zoo model {name!r}; choose one of "
                                    f"{', '.join(ZOO)}")
        return ZOO[name].dataset()
    if source.endswith(".npz") or Path(source).exists():
        return load_npz(source)
    raise TinyCompressError(f"data '{source}': unknown source; give an .npz file or one of "
                            f"{', '.join(BUILTIN)}")


def check_samples(dataset, key):
    """dataset.<key> once it is known to hold numbers, all finite, at least one sample (in its
    own dtype: float64 keeps its exact values for quantization)."""
    x = np.asarray(getattr(dataset, key))
    if x.size == 0 or len(x) == 0:
        raise TinyCompressError(f"data '{dataset.name}': {key} is empty; give at least one sample")
    if x.dtype.kind not in "fiub":
        raise TinyCompressError(f"data '{dataset.name}': {key} has dtype {x.dtype}; give numbers "
                                "(float32)")
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        raise TinyCompressError(f"data '{dataset.name}': {key} holds NaN or infinite values")
    return x


def _x(dataset, key, model_shape, input_name):
    x = check_samples(dataset, key).astype(np.float32)  # float64 and integers are converted
    want = tuple(model_shape[1:])
    # a missing trailing channel axis of 1 (N,28,28 for a 28x28x1 model) is added
    if len(want) == x.ndim and want[-1] == 1 and _fits(x.shape[1:], want[:-1]):
        x = x[..., None]
    if not _fits(x.shape[1:], want):
        raise TinyCompressError(
            f"data '{dataset.name}': {key} samples have shape {tuple(x.shape[1:])} but the model "
            f"input '{input_name}' expects {tuple('?' if d is None else d for d in want)}; "
            "reshape the data or give a model for this data")
    return x


def _fits(shape, want):
    return len(shape) == len(want) and all(w is None or w == s for s, w in zip(shape, want))


def check_dataset(dataset, model, task=None):
    """Check `dataset` against `model` and return it with float32 inputs.

    Raises TinyCompressError naming the data source and key for an empty split, a shape the
    model does not take, a non-numeric dtype, a label count that differs from the sample
    count, or labels outside the model's output classes.
    """
    task = task or dataset.task
    if isinstance(model.input_shape, list):
        raise TinyCompressError(f"model '{model.name}' has {len(model.input_shape)} inputs; "
                                "tinycompress handles single-input models")
    name = model.inputs[0].name if getattr(model, "inputs", None) else "input"
    x_train = _x(dataset, "x_train", model.input_shape, name)
    x_test = _x(dataset, "x_test", model.input_shape, name)
    ys = {}
    for key, x in (("y_train", x_train), ("y_test", x_test)):
        y = _labels(getattr(dataset, key), dataset.name, key)
        if len(y) != len(x):
            raise TinyCompressError(f"data '{dataset.name}': {key} has {len(y)} labels for "
                                    f"{len(x)} samples; give one label per sample")
        ys[key] = y
    out = model.output_shape
    if task == "classify":
        classes = out[-1]
        for key, y in ys.items():
            bad = y[(y < 0) | (y >= classes)]
            if bad.size:
                raise TinyCompressError(
                    f"data '{dataset.name}': {key} holds label {int(bad[0])} but the model "
                    f"output '{model.output_names[0]}' has {classes} classes (0..{classes - 1}); "
                    "fix the labels or give a model with more outputs")
    elif tuple(out[1:]) != tuple(model.input_shape[1:]):
        raise TinyCompressError(f"model '{model.name}': an autoencoder's output shape "
                                f"{out[1:]} must equal its input shape {model.input_shape[1:]}")
    return replace(dataset, x_train=x_train, x_test=x_test, task=task, **ys)
