"""The model zoo: Keras builders and their recipes (installed as tinycompress.zoo).

`ZOO` maps a name to a ZooEntry: how to build the model, where its data come from (a built-in
data source, or a seeded synthetic generator where the real set is not on disk), the task and
the default number of training epochs. Recipes live in models/<name>/recipe.toml.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Union

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ZooEntry:
    name: str
    build: Callable                    # () -> keras.Model
    data: Union[str, Callable]         # data source name, or (seed) -> Dataset (synthetic)
    task: str                          # "classify" | "autoencode"
    description: str
    epochs: int = 10                   # default training epochs
    batch_size: int = 32
    learning_rate: float = 1e-3
    extra: dict = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return callable(self.data)

    @property
    def recipe(self) -> Path:
        return ROOT / self.name / "recipe.toml"

    def dataset(self, seed=0):
        from tinycompress.data import load_dataset
        return self.data(seed) if callable(self.data) else load_dataset(self.data)


def _arch(name):
    def build():
        from . import architectures
        return getattr(architectures, name)()
    return build


def _classes(shape, classes, n_train, n_test, name):
    def make(seed=0):
        from .synthetic import classification
        return classification(shape, classes, n_train, n_test, seed=seed, name=name)
    return make


def _frames(seed=0):
    from .synthetic import machine_frames
    return machine_frames(1000, 200, seed=seed, name="synthetic-machine-frames")


ZOO = {e.name: e for e in [
    ZooEntry("digits-cnn", _arch("digits_cnn"), "digits", "classify",
             "small CNN, scikit-learn 8x8 digits (real data), 10 classes", epochs=30),
    ZooEntry("kws-dscnn", _arch("kws_dscnn"), _classes((49, 10, 1), 12, 1200, 300, "synthetic-kws"),
             "classify", "MLPerf Tiny keyword spotting DS-CNN, 49x10x1 MFCC, 12 classes",
             epochs=10),
    ZooEntry("vww-mbv1", _arch("vww_mbv1"), _classes((96, 96, 3), 2, 400, 100, "synthetic-vww"),
             "classify", "MLPerf Tiny visual wake words MobileNetV1-0.25, 96x96x3, 2 classes",
             epochs=8),
    ZooEntry("resnet8", _arch("resnet8"), _classes((32, 32, 3), 10, 1000, 250, "synthetic-cifar"),
             "classify", "MLPerf Tiny image classification ResNet-8, 32x32x3, 10 classes",
             epochs=10),
    ZooEntry("ad-fc", _arch("ad_fc"), _frames, "autoencode",
             "MLPerf Tiny anomaly detection FC autoencoder 640-128x4-8-128x4-640", epochs=20,
             batch_size=64),
]}


def get(name) -> ZooEntry:
    from tinycompress.errors import TinyCompressError
    if name not in ZOO:
        raise TinyCompressError(f"zoo: no model named {name!r}; choose one of {', '.join(ZOO)}")
    return ZOO[name]


def train(name, epochs=None, data=None, seed=0, verbose=0):
    """Build and train zoo model `name`; returns (model, checked dataset, test metric dict)."""
    from tinycompress import train as training
    from tinycompress.data import check_dataset, load_dataset
    entry = get(name)
    training.set_seed(seed)
    model = entry.build()
    dataset = load_dataset(data) if data is not None else entry.dataset(seed)
    dataset = check_dataset(dataset, model, task=entry.task)
    training.fit(model, dataset, epochs if epochs is not None else entry.epochs,
                 batch_size=entry.batch_size, learning_rate=entry.learning_rate, verbose=verbose,
                 label=name)
    from tinycompress.evaluate import evaluate_model
    return model, dataset, evaluate_model(model, dataset)
