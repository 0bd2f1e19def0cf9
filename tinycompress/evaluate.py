"""Model evaluation on a Dataset: top-1 accuracy, autoencoder reconstruction error and AUC,
robustness under Gaussian input noise, and weight statistics.

The metric functions take a `predict` callable (float32 batch -> float outputs), so the same
code measures a Keras model (`keras_predict(model)`) and an int8 model run elsewhere (for
example the TFLM host interpreter: quantize inputs, run, dequantize outputs, return floats).
"""
import gzip
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import weightstats
from .errors import TinyCompressError
from .metrics import dequantize, infer_task, metrics, primary_metric, quantize, top1_accuracy

DEFAULT_SIGMAS = (0.0, 0.05, 0.1, 0.2)
DEFAULT_SEED = 1234           # the noise draw: the same noisy inputs for every model


def keras_predict(model, batch_size=256):
    def predict(x):
        return np.asarray(model.predict(np.asarray(x, np.float32), batch_size=batch_size,
                                        verbose=0))
    return predict


def robustness(predicts: dict, dataset, sigmas=DEFAULT_SIGMAS, seed=DEFAULT_SEED) -> dict:
    """{model name: {sigma: primary metric}} with Gaussian noise N(0, sigma) added to the test
    inputs; every model sees the same noisy inputs at a given sigma (float vs compressed)."""
    key = primary_metric(dataset.task)
    result = {name: {} for name in predicts}
    for sigma in sigmas:
        rng = np.random.default_rng(seed)
        noisy = dataset.x_test + rng.normal(0, sigma, size=dataset.x_test.shape).astype(np.float32)
        from dataclasses import replace
        noisy_set = replace(dataset, x_test=noisy)
        for name, predict in predicts.items():
            if dataset.task == "autoencode":
                # score the reconstruction of the noisy input against the noisy input itself
                result[name][float(sigma)] = metrics(predict, noisy_set)[key]
            else:
                result[name][float(sigma)] = top1_accuracy(predict, noisy, dataset.y_test)
    return result


def evaluate_model(model, dataset) -> dict:
    """Task metrics plus parameter count and weight statistics of a Keras model."""
    out = metrics(keras_predict(model), dataset)
    out["params"] = int(model.count_params())
    out["sparsity"] = round(weightstats.overall_sparsity(model), 4)
    out["layers"] = weightstats.layer_stats(model)
    return out


# --- int8 models: the TFLM host interpreter as a predict function ---------------------------

def tflite_predict(tflite_bytes: bytes, source: str = "model"):
    """A predict function for an int8 .tflite: quantize the float inputs with the model's input
    scale and zero point (values outside the int8 range saturate at -128/127, as on the device),
    run the whole batch in one TFLM host call, dequantize the outputs to float."""
    from . import tflite_eval, tflm_host
    _, inp, out = tflite_eval.int8_io(tflite_bytes, source)
    s_in, z_in = float(inp.quant.scale[0]), int(inp.quant.zero_point[0])
    s_out, z_out = float(out.quant.scale[0]), int(out.quant.zero_point[0])

    def predict(x):
        x = np.asarray(x, np.float32)
        if int(np.prod(x.shape[1:], dtype=np.int64)) != inp.size:
            raise TinyCompressError(f"{source}: input '{inp.name}' has shape {list(inp.shape)} "
                                    f"but the data samples have shape {list(x.shape[1:])}")
        q = quantize(x, s_in, z_in).reshape((len(x),) + tuple(inp.shape))
        result = tflm_host.run(tflite_bytes, [[sample] for sample in q], source=source)
        outputs = np.stack([o[0].reshape(-1) for o in result.outputs])
        return dequantize(outputs, s_out, z_out)
    return predict


# --- robustness as a table (recipe step, CLI, report) ---------------------------------------

def noise_levels(sigmas) -> list:
    """Sorted, distinct noise levels, always with 0 (the clean baseline); negatives fail."""
    levels = set()
    for s in sigmas:
        s = float(s)
        if not np.isfinite(s) or s < 0:
            raise TinyCompressError(f"noise level {s!r}: give standard deviations >= 0 in the "
                                    "units of the model input (e.g. 0.05,0.1,0.2 for [0, 1] pixels)")
        levels.add(s)
    return sorted(levels | {0.0})


def robustness_table(predicts: dict, dataset, sigmas=DEFAULT_SIGMAS, seed=DEFAULT_SEED) -> dict:
    """robustness() as plain data for report.json: the metric, the seed and one row per sigma
    ({"sigma": s, <model name>: value, ...}), sigma in the units of the model input."""
    sigmas = noise_levels(sigmas)
    result = robustness(predicts, dataset, sigmas, seed)
    return {"metric": primary_metric(dataset.task), "seed": int(seed),
            "samples": int(len(dataset.x_test)), "models": list(predicts),
            "rows": [{"sigma": s, **{name: result[name][s] for name in predicts}}
                     for s in sigmas]}


@dataclass
class EvaluateSection:
    """[evaluate] in a recipe: robustness of the float, compressed and int8 models."""
    noise: list[float] = field(default_factory=lambda: list(DEFAULT_SIGMAS))  # sigmas, input units
    seed: int = DEFAULT_SEED
    samples: int = 0            # test samples scored (0: the whole test split)

    def validate(self):
        if not self.noise:
            raise TinyCompressError("key 'noise' is empty; give noise levels, e.g. [0.05, 0.1]")
        self.noise = noise_levels(self.noise)
        if self.samples < 0:
            raise TinyCompressError(f"key 'samples' is {self.samples}; give 0 (all) or more")


def wants_evaluate(recipe) -> bool:
    return getattr(recipe, "evaluate", None) is not None


def step_evaluate(ctx):
    """The primary metric under Gaussian input noise: float and compressed Keras models and
    the int8 .tflite (TFLM host), every model on the same noisy inputs; into report.json/md."""
    cfg = ctx.recipe.evaluate
    dataset = ctx.dataset.subset(n_test=cfg.samples) if cfg.samples else ctx.dataset
    ctx.log(f"evaluate: robustness under Gaussian noise sigma {', '.join(map(str, cfg.noise))} "
            f"on {len(dataset.x_test)} test samples")
    int8 = (ctx.out / "model_int8.tflite").read_bytes()
    predicts = {"float": keras_predict(ctx.float_model), "compressed": keras_predict(ctx.model),
                "int8": tflite_predict(int8, "model_int8.tflite")}
    ctx.robustness = robustness_table(predicts, dataset, cfg.noise, cfg.seed)


# --- one model file: evaluate_file (the `tinycompress evaluate` command) --------------------

@dataclass
class WeightTensor:
    name: str
    shape: list
    params: int
    sparsity: float
    unique: int
    unique_per_channel: int


@dataclass
class FileEvaluation:
    source: str
    kind: str                   # "keras" | "int8 tflite"
    task: str                   # "classify" | "autoencode"
    samples: int
    metrics: dict               # {"accuracy"} or {"reconstruction_mse", "auc"}
    file_bytes: int
    gzip_bytes: int             # the file gzipped (level 9)
    weight_bytes: int           # Keras: float32 weights; .tflite: constant tensor data
    weight_gzip_bytes: int      # those weight bytes gzipped: what pruning and clustering save
    params: int
    sparsity: float             # zeros over all weight tensors
    weights: list               # WeightTensor per kernel / constant weight tensor
    robustness: dict | None     # robustness_table()

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        from .report import render_evaluation
        return render_evaluation(self)


def _gzip_len(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _is_tflite(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(8)
    return len(head) == 8 and head[4:8] == b"TFL3"


def evaluate_file(path, data, noise=DEFAULT_SIGMAS, seed: int = DEFAULT_SEED,
                  samples: int | None = None) -> FileEvaluation:
    """Metrics, sizes, weight statistics and robustness of a Keras model file (.keras, .h5,
    SavedModel) or an int8 .tflite, on the test split of `data` (a source name, .npz or Dataset).
    `noise` empty or None: no robustness table."""
    from .data import load_dataset
    path = Path(path)
    if not path.exists():
        raise TinyCompressError(f"{path}: no such file; give a Keras model (.keras, .h5) or an "
                                "int8 .tflite")
    from .fileio import input_file
    input_file(path, folder_ok=True, what="model file")
    dataset = load_dataset(data)
    if path.is_file() and _is_tflite(path):
        blob = path.read_bytes()
        predict, dataset, stats = _tflite_parts(path, blob, dataset)
        kind = "int8 tflite"
    else:
        predict, dataset, stats, blob = _keras_parts(path, dataset)
        kind = "keras"
    if samples:
        dataset = dataset.subset(n_test=samples)
    weights, weight_blob, zeros = stats
    total = sum(w.params for w in weights)
    return FileEvaluation(
        source=str(path), kind=kind, task=dataset.task, samples=int(len(dataset.x_test)),
        metrics=metrics(predict, dataset), file_bytes=len(blob), gzip_bytes=_gzip_len(blob),
        weight_bytes=len(weight_blob), weight_gzip_bytes=_gzip_len(weight_blob), params=total,
        sparsity=round(zeros / total, 4) if total else 0.0, weights=weights,
        robustness=robustness_table({kind: predict}, dataset, noise, seed) if noise else None)


def _keras_parts(path: Path, dataset):
    from .data import check_dataset
    from .keras_io import load_model
    model = load_model(path)
    dataset = check_dataset(dataset, model, infer_task(model))
    blob = path.read_bytes() if path.is_file() else b"".join(
        p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())
    kernels = weightstats.weight_kernels(model)
    weights = [WeightTensor(name, list(k.shape), int(k.size), round(weightstats.sparsity(k), 4),
                            weightstats.unique_values(k), weightstats.unique_values(k, axis=axis))
               for name, k, axis in kernels]
    zeros = sum(int(np.count_nonzero(k == 0)) for _, k, _ in kernels)
    weight_blob = b"".join(np.asarray(w, np.float32).tobytes() for w in model.get_weights())
    return keras_predict(model), dataset, (weights, weight_blob, zeros), blob


def _tflite_parts(path: Path, blob: bytes, dataset):
    from dataclasses import replace

    from . import tflite_eval
    from .tflite_model import parse_tflite
    model = parse_tflite(blob, str(path))
    predict = tflite_predict(blob, str(path))
    task = infer_task(model)
    inp, out = model.input_tensors[0], model.output_tensors[0]
    x = np.asarray(dataset.x_test, np.float32)
    if len(x) == 0:
        raise TinyCompressError(f"data '{dataset.name}': x_test is empty; give test samples")
    if int(np.prod(x.shape[1:], dtype=np.int64)) != inp.size:
        raise TinyCompressError(f"{path}: input '{inp.name}' has shape {list(inp.shape)} but "
                                f"data '{dataset.name}' samples have shape {list(x.shape[1:])}; "
                                "give the data the model was trained on")
    y = np.asarray(dataset.y_test).reshape(-1)
    if task == "classify" and len(y) and (y.min() < 0 or y.max() >= out.size):
        raise TinyCompressError(f"data '{dataset.name}': y_test holds label {int(y.max())} but "
                                f"{path} has {out.size} outputs; give the matching data")
    dataset = replace(dataset, x_test=x.reshape((len(x),) + tuple(inp.shape[1:])), task=task)
    weights, zeros = [], 0
    for t in model.tensors:
        if not (t.is_const and t.type == "INT8" and len(t.shape) >= 2):
            continue       # weights only: biases (int32) and small constants are not compressed
        axis = t.quant.axis if t.quant is not None and t.quant.per_channel else None
        weights.append(WeightTensor(t.name.split(";")[0], list(t.shape), int(t.size),
                                    round(weightstats.sparsity(t.data), 4),
                                    weightstats.unique_values(t.data),
                                    weightstats.unique_values(t.data, axis=axis)))
        zeros += int(np.count_nonzero(t.data == 0))
    weight_blob = b"".join(np.ascontiguousarray(t.data).tobytes()
                           for t in model.tensors if t.is_const)
    return predict, dataset, (weights, weight_blob, zeros)
