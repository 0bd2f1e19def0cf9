"""Model evaluation on a Dataset: top-1 accuracy, autoencoder reconstruction error and AUC,
robustness under Gaussian input noise, and weight statistics.

The metric functions take a `predict` callable (float32 batch -> float outputs), so the same
code measures a Keras model (`keras_predict(model)`) and an int8 model run elsewhere (for
example the TFLM host interpreter: quantize inputs, run, dequantize outputs, return floats).
"""
import numpy as np

from . import weightstats

DEFAULT_SIGMAS = (0.0, 0.05, 0.1, 0.2)


def keras_predict(model, batch_size=256):
    def predict(x):
        return np.asarray(model.predict(np.asarray(x, np.float32), batch_size=batch_size,
                                        verbose=0))
    return predict


def top1_accuracy(predict, x, y) -> float:
    out = predict(x)
    return float(np.mean(np.argmax(out, axis=-1) == np.asarray(y)))


def reconstruction_errors(predict, x) -> np.ndarray:
    """Per-sample mean squared error between input and reconstruction."""
    x = np.asarray(x, np.float32)
    out = np.asarray(predict(x), np.float32).reshape(x.shape)
    return np.mean((out - x).reshape(len(x), -1) ** 2, axis=1)


def auc(scores, labels) -> float:
    """Area under the ROC curve: the chance that an anomalous sample (label 1) scores higher
    than a normal one (ties count half). NaN when one class is absent."""
    scores, labels = np.asarray(scores, np.float64), np.asarray(labels).astype(bool)
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    allv = np.concatenate([pos, neg])[order]
    # average ranks over ties
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def metrics(predict, dataset) -> dict:
    """The task's metrics on the test split: {"accuracy"} or {"reconstruction_mse", "auc"}."""
    if dataset.task == "autoencode":
        err = reconstruction_errors(predict, dataset.x_test)
        normal = np.asarray(dataset.y_test) == 0
        return {"reconstruction_mse": float(np.mean(err[normal] if normal.any() else err)),
                "auc": auc(err, dataset.y_test)}
    return {"accuracy": top1_accuracy(predict, dataset.x_test, dataset.y_test)}


def primary_metric(dataset) -> str:
    """The number that stands for quality: accuracy for classifiers, AUC for autoencoders."""
    return "auc" if dataset.task == "autoencode" else "accuracy"


def robustness(predicts: dict, dataset, sigmas=DEFAULT_SIGMAS, seed=1234) -> dict:
    """{model name: {sigma: primary metric}} with Gaussian noise N(0, sigma) added to the test
    inputs; every model sees the same noisy inputs at a given sigma (float vs compressed)."""
    key = primary_metric(dataset)
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
