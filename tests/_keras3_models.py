"""Run as a script with Keras 3 (not tf_keras): builds the Keras 3 test models, saves each as
OUT/<name>.keras with OUT/<name>.npz (inputs and Keras 3's outputs on them). Kept apart from
the tests because a pytest process runs tf_keras."""
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "0"
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers


def cnn(x):
    x = L.Rescaling(0.5, offset=-0.25)(x)
    x = L.Conv2D(8, 3, padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    x = L.MaxPooling2D()(x)
    x = L.Dropout(0.2)(x)
    return L.Dense(10, activation="softmax")(L.Flatten()(x))


def ds_cnn(x):
    x = L.ZeroPadding2D(1)(x)
    x = L.Conv2D(8, 3, strides=2, activation="relu")(x)
    x = L.DepthwiseConv2D(3, padding="same")(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("relu")(x)
    x = L.SeparableConv2D(12, 3, padding="same", activation="relu")(x)
    x = L.AveragePooling2D(2)(x)
    return L.Dense(10, activation="softmax")(L.GlobalAveragePooling2D()(x))


def conv1d(x):   # input (8, 8): 8 steps of 8 features (a Reshape layer from (8, 8, 1) would
    # convert to SHAPE/STRIDED_SLICE/PACK, which the native runtime folds: native/fold.py)
    x = L.Conv1D(12, 3, padding="causal", activation="relu")(x)
    x = L.MaxPooling1D()(x)
    x = L.Conv1D(8, 3)(x)
    x = L.LeakyReLU(negative_slope=0.1)(x)
    return L.Dense(10, activation="softmax")(L.Flatten()(x))


def mlp(_):   # a Sequential model (the others are functional)
    return keras.Sequential([keras.Input((8, 8, 1)), L.Flatten(), L.Dense(32, activation="relu"),
                             L.Dense(16, activation="relu6"), L.Dense(10, activation="softmax")],
                            name="mlp")


def residual(x):
    x = L.Conv2D(8, 3, padding="same", activation="relu")(x)
    y = L.Conv2D(8, 3, padding="same")(x)
    y = L.BatchNormalization()(y)
    x = L.ReLU()(L.Add()([x, y]))
    z = L.Conv2D(4, 1)(x)
    x = L.Concatenate()([x, z])
    x = L.MaxPooling2D()(x)
    x = L.GlobalAveragePooling2D()(x)
    return L.Dense(10, activation="softmax")(x)


MODELS = {"cnn": cnn, "ds_cnn": ds_cnn, "conv1d": conv1d, "mlp": mlp, "residual": residual}


class Scale(L.Layer):   # a custom layer: tf_keras has no such class
    def call(self, x):
        return 2.0 * x


def main(out):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    for name, body in MODELS.items():
        shape = (8, 8) if name == "conv1d" else (8, 8, 1)
        x = rng.uniform(0, 16, size=(16,) + shape).astype(np.float32)
        inp = keras.Input(shape)
        model = body(inp)
        model = model if isinstance(model, keras.Model) else keras.Model(inp, model, name=name)
        for layer in model.layers:        # BN statistics away from 0/1 so they are exercised
            if isinstance(layer, L.BatchNormalization):
                n = layer.moving_mean.shape[0]
                layer.moving_mean.assign(rng.normal(0, 0.5, n).astype(np.float32))
                layer.moving_variance.assign(rng.uniform(0.5, 2, n).astype(np.float32))
        model.save(os.path.join(out, f"{name}.keras"))
        np.savez(os.path.join(out, f"{name}.npz"), x=x, y=model.predict(x, verbose=0))
    inp = keras.Input((4,))
    custom = keras.Model(inp, L.Dense(2)(Scale(name="twice")(inp)), name="custom")
    custom.save(os.path.join(out, "custom.keras"))
    print(keras.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
