"""Small trained models shared by the compression tests (built once per test session)."""
import functools


@functools.lru_cache(maxsize=None)
def digits():
    from tinycompress.data import load_digits
    return load_digits()


@functools.lru_cache(maxsize=None)
def small_cnn(epochs=4):
    """Conv2D(8) -> Conv2D(16) -> pool -> Dense(32) -> Dense(10) on digits, briefly trained."""
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(0)
    L = keras.layers
    inp = keras.Input((8, 8, 1), name="image")
    x = L.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(inp)
    x = L.Conv2D(16, 3, padding="same", activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(32, activation="relu", name="fc1")(x)
    model = keras.Model(inp, L.Dense(10, activation="softmax", name="classes")(x), name="small")
    train.fit(model, digits(), epochs)
    return model
