"""The stages as Python functions (what `import tinycompress` offers; see README "Python API").

Each function is the stage the CLI command of the same name runs; the heavy modules
(TensorFlow, the firmware generator) are imported only when a function is first called.
"""
from .convert import convert_to_int8 as convert
from .export import export_c as export
from .firmware.build import build
from .firmware.project import generate_project as firmware
from .inspect import inspect_model as inspect
from .keras_io import load_model


def compress(model, data, stages: dict, output=None, progress=None):
    """Compress a Keras model (or model file) with the named stages, in pipeline order.

    `stages` maps stage name ("distill", "lowrank", "prune", "cluster", "qat") to its options
    (the recipe's [compress.<stage>] table), e.g. {"prune": {"sparsity": 0.5}}. Returns
    (compressed model, [StageReport]); also saves the model to `output` (.keras/.h5) when given.
    """
    from .compress import make_config, run_pipeline
    from .data import check_dataset, load_dataset
    from .keras_io import check_model_path, save_model
    configs = {name: make_config(name, values) for name, values in stages.items()}
    if output is not None:
        check_model_path(output)   # before training is spent
    from .keras3 import as_tf_keras
    keras_model = load_model(model) if not hasattr(model, "layers") else as_tf_keras(model)
    dataset = data if hasattr(data, "x_train") else load_dataset(data)
    model, reports = run_pipeline(keras_model, check_dataset(dataset, keras_model), configs,
                                  progress=progress)
    if output is not None:
        save_model(model, output)
    return model, reports


def simulate(project, engine: str = "qemu", **options):
    """Run a built firmware project in an emulator ("qemu" or "renode") -> SimReport."""
    from .errors import TinyCompressError
    from .simulate import SIMULATORS
    if engine not in SIMULATORS:
        raise TinyCompressError(f"simulate: unknown engine '{engine}'; engines: "
                                f"{', '.join(SIMULATORS)}")
    return SIMULATORS[engine](project, **options)


def search(recipe, board: str, output=None, **options):
    """Search a recipe's compression space for the most accurate model that fits `board`
    (Ray Tune + Optuna; `pip install tinycompress[search]`) -> SearchResult with .front,
    .best and .trials; writes report.md, front.png, trials.csv/json and best.toml into
    `output`. Options as the CLI's: max_flash, max_ram ("24KB" or bytes), max_latency,
    trials, epochs, seed, concurrency, address, resume, log. Raises SearchFailed (a
    TinyCompressError whose .result holds the best-effort front) when nothing fits."""
    from .search import search as run_search
    return run_search(recipe, board, output, **options)


__all__ = ["compress", "convert", "inspect", "export", "firmware", "build", "simulate",
           "search", "load_model"]
