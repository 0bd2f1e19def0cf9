"""Keras 3 models in: rebuilt layer by layer in tf_keras (which TF-MOT needs) with their weights.

A Keras 3 model (in memory, or a .keras/.h5 file Keras 3 saved) whose layers tf_keras also has
becomes the same tf_keras model: each layer's config, cut to the arguments the tf_keras class
takes (initializers, regularizers and constraints dropped: the weights are copied), the same
graph, the same weights. Any other layer is named in a TinyCompressError. Keras 3's Flatten
comes back as tf_keras's, which the converter writes as one RESHAPE.
"""
from __future__ import annotations

import inspect

from .errors import TinyCompressError

# Layers both Kerases have, with the same weights in the same order.
LAYERS = frozenset({
    "InputLayer", "Conv1D", "Conv2D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
    "SeparableConv2D", "Dense", "BatchNormalization", "LayerNormalization", "MaxPooling1D",
    "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Activation", "ReLU",
    "LeakyReLU", "Softmax", "ELU", "Add", "Subtract", "Multiply", "Maximum", "Minimum", "Average",
    "Concatenate", "Flatten", "Reshape", "Permute", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "GaussianNoise", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D",
    "Cropping2D", "UpSampling1D", "UpSampling2D", "Rescaling"})
# Keras 3 argument names tf_keras spells differently.
RENAMED = {"LeakyReLU": {"negative_slope": "alpha"}}
_BASE_ARGS = ("name", "trainable", "dtype")


def is_keras3(model) -> bool:
    """A Keras 3 model object (its classes live in the `keras` package, tf_keras's in `tf_keras`)."""
    return type(model).__module__.split(".")[0] == "keras" and hasattr(model, "layers")


def load(path):
    """A Keras 3 model file loaded with Keras 3 and rebuilt in tf_keras."""
    try:
        import keras
    except ImportError as exc:
        raise TinyCompressError(f"{path}: was saved by Keras 3, which is not installed here; "
                                "run `pip install keras` (Keras 3) to read it") from exc
    _check_saved_layers(path)   # before Keras 3 fails on a custom class without naming it
    try:
        model = keras.saving.load_model(str(path), compile=False)
    except Exception as exc:  # Keras raises many types for unreadable files
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TinyCompressError(f"{path}: Keras 3 cannot load it ({first}); check that it is a "
                                "complete Keras 3 model file") from exc
    return to_tf_keras(model, source=str(path))


def _check_saved_layers(path):
    """Name the first layer in the file's config that is not rebuilt (read without Keras)."""
    import json
    import zipfile
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                config = json.loads(zf.read("config.json"))
        else:
            import h5py
            with h5py.File(path, "r") as f:
                config = json.loads(f.attrs["model_config"])
        rows = config["config"]["layers"]
    except (KeyError, TypeError, ValueError, OSError):
        return                      # not readable here: Keras 3's own load reports it
    for row in rows:
        cls = row.get("class_name")
        if cls not in LAYERS or row.get("registered_name") not in (None, cls):
            name = (row.get("config") or {}).get("name") or row.get("name") or "?"
            raise _unsupported(path, name, cls)


def _unsupported(source, name, cls):
    return TinyCompressError(f"{source}: layer '{name}' ({cls}) has no tf_keras counterpart "
                             f"tinycompress rebuilds; supported: "
                             f"{', '.join(sorted(LAYERS - {'InputLayer'}))}; replace it or "
                             "rebuild the model with `import tf_keras as keras`")


def as_tf_keras(model):
    """`model` itself, or its tf_keras rebuild when it is a Keras 3 model."""
    return to_tf_keras(model) if is_keras3(model) else model


def _config(layer, tf_class) -> dict:
    """The Keras 3 layer's config as the tf_keras class's arguments."""
    config = layer.get_config()
    for old, new in RENAMED.get(type(layer).__name__, {}).items():
        if old in config:
            config[new] = config.pop(old)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):                       # a DTypePolicy: its name
        config["dtype"] = dtype.get("config", {}).get("name", "float32")
    accepted = set(inspect.signature(tf_class.__init__).parameters) | set(_BASE_ARGS)
    return {key: value for key, value in config.items()
            if key in accepted and not (isinstance(value, dict) and "class_name" in value)}


def _rebuild_layer(layer, source):
    import tf_keras
    name = type(layer).__name__
    tf_class = getattr(tf_keras.layers, name, None)
    if name not in LAYERS or tf_class is None:
        raise _unsupported(source, layer.name, name)
    return tf_class(**_config(layer, tf_class))


def _history(value) -> list:
    """The (layer, node, tensor) references in a Keras 3 node argument, in order."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return [tuple(value["config"]["keras_history"])]
    if isinstance(value, (list, tuple)):
        return [ref for item in value for ref in _history(item)]
    return []


def _refs(spec) -> list:
    """input_layers / output_layers: one [name, node, tensor] or a list of them."""
    return [tuple(spec)] if spec and isinstance(spec[0], str) else [tuple(s) for s in spec]


def to_tf_keras(model, source: str | None = None):
    """The tf_keras model with the same layers, graph and weights as Keras 3 `model`."""
    import tf_keras

    source = source or f"model '{model.name}'"
    config = model.get_config()
    by_name = {layer.name: layer for layer in model.layers}
    tensors = {}                                      # (layer name, node) -> tf_keras tensor(s)
    for entry in config["layers"]:
        if entry["class_name"] == "InputLayer":      # (a Sequential model's is not in .layers)
            name = entry["config"]["name"]
            shape = entry["config"].get("batch_shape") or entry["config"].get("batch_input_shape")
            tensors[(name, 0)] = tf_keras.Input(shape=tuple(shape[1:]), name=name)
            continue
        layer = by_name[entry["config"]["name"]]
        new = _rebuild_layer(layer, source)
        nodes = entry.get("inbound_nodes") or []
        if not nodes and not tensors:                 # a Sequential model's first layer
            tensors[("input", 0)] = tf_keras.Input(shape=tuple(model.input_shape[1:]))
        for k, node in enumerate(nodes or [None]):
            if node is None:                          # Sequential: the previous layer's output
                inputs = list(tensors.values())[-1]
            else:
                refs = _history(node.get("args", []))
                args = [tensors[(n, i)] for n, i, _ in refs]
                inputs = args[0] if len(args) == 1 and not isinstance(node["args"][0], list) else args
            tensors[(layer.name, k)] = new(inputs)
        new.set_weights(layer.get_weights())
    if "input_layers" in config:
        inputs = [tensors[(n, i)] for n, i, _ in _refs(config["input_layers"])]
        outputs = [tensors[(n, i)] for n, i, _ in _refs(config["output_layers"])]
    else:
        inputs = [next(iter(tensors.values()))]
        outputs = [list(tensors.values())[-1]]
    return tf_keras.Model(inputs[0] if len(inputs) == 1 else inputs,
                          outputs[0] if len(outputs) == 1 else outputs, name=model.name)
