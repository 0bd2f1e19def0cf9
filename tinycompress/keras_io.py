"""Load and save Keras models (tf_keras, Keras 2) with clear errors for files that are not one.

Files Keras 3 saved are loaded by Keras 3 and rebuilt in tf_keras (keras3.py).

Formats: `.keras` (zip), `.h5` (HDF5) and SavedModel folders. Models that still carry TF-MOT
wrappers (quantization-aware models) load inside TF-MOT's scopes.
"""
import json
import warnings
import zipfile
from pathlib import Path

from .errors import TinyCompressError
from .fileio import atomic_file, check_output_file, input_file

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"


def _custom_objects():
    """TF-MOT classes a saved (QAT / pruned / clustered) model may name."""
    import tensorflow_model_optimization as tfmot
    from tensorflow_model_optimization.python.core.quantization.keras.collab_opts.cluster_preserve import (
        cluster_preserve_quantize_registry as cpq)
    from tensorflow_model_optimization.python.core.quantization.keras.collab_opts.prune_preserve import (
        prune_preserve_quantize_registry as ppq)
    objects = {}
    for module in (cpq, ppq):
        for name in dir(module):
            obj = getattr(module, name)
            if isinstance(obj, type) and (name.endswith("Quantizer") or name.endswith("QuantizeConfig")):
                objects[name] = obj
    with tfmot.quantization.keras.quantize_scope() as q:
        objects.update(q if isinstance(q, dict) else {})
    return objects


def _sniff(path: Path) -> str:
    """'savedmodel' | 'zip' | 'hdf5', or a TinyCompressError saying what the file is not."""
    if not path.exists():
        raise TinyCompressError(f"{path}: no such file or folder; give the path of a Keras model "
                                "(.keras, .h5 or a SavedModel folder)")
    if path.is_dir():
        if not (path / "saved_model.pb").exists() and not (path / "keras_metadata.pb").exists():
            raise TinyCompressError(f"{path}: folder holds no saved_model.pb; give a .keras/.h5 "
                                    "file or a SavedModel folder")
        input_file(path, folder_ok=True, what="SavedModel folder")
        return "savedmodel"
    input_file(path, what="Keras model file")
    size = path.stat().st_size
    if size == 0:
        raise TinyCompressError(f"{path}: file is empty (0 bytes); save the model again "
                                "with model.save()")
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_HDF5_MAGIC):
        return "hdf5"
    if head.startswith(b"version https://git-lfs"):
        raise TinyCompressError(f"{path}: is a Git LFS pointer, not the model; run `git lfs pull`")
    if len(head) >= 8 and head[4:8] == b"TFL3":
        raise TinyCompressError(f"{path}: is a TFLite flatbuffer, not a Keras model; give the "
                                "Keras model it was converted from")
    raise TinyCompressError(f"{path}: is not a Keras model (neither a .keras zip nor an HDF5 "
                            "file); save the model with model.save('model.keras')")


def _check_zip(path: Path):
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "config.json" not in names:
                raise TinyCompressError(f"{path}: zip file without config.json is not a Keras "
                                        "model; save the model with model.save('model.keras')")
            bad = zf.testzip()
            if bad is not None:
                raise TinyCompressError(f"{path}: member {bad} is corrupt; save the model again")
            meta = json.loads(zf.read("metadata.json")) if "metadata.json" in names else {}
    except zipfile.BadZipFile as exc:
        raise TinyCompressError(f"{path}: truncated or corrupt .keras file ({exc}); "
                                "save the model again") from exc
    return str(meta.get("keras_version", ""))


def _check_hdf5(path: Path):
    import h5py
    try:
        with h5py.File(path, "r") as f:
            if "model_config" not in f.attrs:
                raise TinyCompressError(f"{path}: HDF5 file holds weights only, no model "
                                        "architecture; save the whole model with model.save()")
            return str(f.attrs.get("keras_version", ""))
    except OSError as exc:
        raise TinyCompressError(f"{path}: truncated or corrupt HDF5 file ({exc}); "
                                "save the model again") from exc


def load_model(path):
    """Load a Keras model for tf_keras; TinyCompressError naming the file when it cannot."""
    path = Path(path)
    kind = _sniff(path)
    version = ""
    if kind == "zip":
        version = _check_zip(path)
    elif kind == "hdf5":
        version = _check_hdf5(path)
    if version.startswith("3"):     # tf_keras cannot read it: Keras 3 loads it, we rebuild it
        from . import keras3
        return keras3.load(path)
    from .tfcompat import keras
    import tensorflow_model_optimization as tfmot
    try:
        with tfmot.quantization.keras.quantize_scope(), tfmot.clustering.keras.cluster_scope(), \
                tfmot.sparsity.keras.prune_scope(), keras.utils.custom_object_scope(_custom_objects()):
            model = keras.models.load_model(path, compile=False)
    except TinyCompressError:
        raise
    except Exception as exc:  # tf_keras raises many types for unreadable files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TinyCompressError(f"{path}: cannot be loaded as a Keras model ({first}); check "
                                "that it is a complete tf_keras model file") from exc
    if not isinstance(model, keras.Model):
        raise TinyCompressError(f"{path}: holds a {type(model).__name__}, not a Keras model; "
                                "save a keras.Model with model.save()")
    return model


def _is_qat(model):
    return any(type(layer).__name__.startswith(("QuantizeWrapper", "QuantizeLayer"))
               for layer in model.layers)


def check_model_path(path) -> Path:
    """A path save_model can write (checked before any training is spent on the model)."""
    path = Path(path)
    if path.suffix not in (".keras", ".h5"):
        raise TinyCompressError(f"{path}: use a .keras or .h5 file name for the saved model")
    return check_output_file(path)


def save_model(model, path):
    """Save `model` to `path` (.keras or .h5) whole or not at all.

    A quantization-aware model is written in HDF5 layout even under a .keras name: tf_keras
    cannot reload TF-MOT quantize wrappers from its zip format (the quantize layer's
    variables are lost), while HDF5 round-trips them exactly. load_model reads either
    layout whatever the suffix.
    """
    path = check_model_path(path)
    layout = ".h5" if path.suffix == ".h5" or _is_qat(model) else ".keras"
    with atomic_file(path) as tmp:
        # tf_keras picks the format from the suffix, so save under the layout's suffix
        real = tmp.with_name(tmp.name + layout)
        try:
            with warnings.catch_warnings():  # tf_keras calls HDF5 'legacy'; it is deliberate here
                warnings.simplefilter("ignore", UserWarning)
                model.save(real)
            real.rename(tmp)
        finally:
            real.unlink(missing_ok=True)
    return path
