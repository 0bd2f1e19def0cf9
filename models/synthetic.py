"""Seeded synthetic data for zoo models whose real data sets are not on disk.

Each class gets its own pattern (a few Gaussian blobs with per-channel weights); samples are
that pattern shifted, scaled and noised, so training has something real to learn and test
accuracy says whether it did. The autoencoder data are 'machine spectrogram' frames: normal
samples share a set of harmonic peaks, anomalous ones add or move peaks.
"""
import numpy as np

from tinycompress.data import Dataset


def _blobs(rng, shape, count=3):
    h, w, c = shape
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros(shape, np.float32)
    for _ in range(count):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        sy, sx = rng.uniform(0.08, 0.25) * h, rng.uniform(0.08, 0.25) * w
        blob = np.exp(-((yy - cy) ** 2 / (2 * sy ** 2) + (xx - cx) ** 2 / (2 * sx ** 2)))
        img += blob[..., None] * rng.uniform(0.3, 1.0, size=c)
    return img / img.max()


def classification(shape, classes, n_train, n_test, seed=0, noise=0.25, name="synthetic"):
    """Class-dependent blob patterns with random shift (±1/10 of the size), scale and noise."""
    rng = np.random.default_rng(seed)
    templates = [_blobs(rng, shape) for _ in range(classes)]

    def draw(n):
        y = rng.integers(0, classes, size=n).astype(np.int32)
        x = np.empty((n,) + tuple(shape), np.float32)
        max_shift = (max(1, shape[0] // 10), max(1, shape[1] // 10))
        for i, c in enumerate(y):
            t = np.roll(templates[c], rng.integers(-max_shift[0], max_shift[0] + 1), axis=0)
            t = np.roll(t, rng.integers(-max_shift[1], max_shift[1] + 1), axis=1)
            x[i] = t * rng.uniform(0.7, 1.3) + rng.normal(0, noise, size=shape)
        return x, y

    xtr, ytr = draw(n_train)
    xte, yte = draw(n_test)
    return Dataset(name, xtr, ytr, xte, yte, classes)


def machine_frames(n_train, n_test, frames=5, bins=128, seed=0, name="synthetic-ad"):
    """Autoencoder data: normal frames hold fixed harmonic peaks; anomalies add or move peaks.

    y_train is all 0 (normal); y_test marks anomalous samples with 1 (half of the test set).
    """
    rng = np.random.default_rng(seed)
    freqs = np.arange(bins)
    base = rng.uniform(8, 20)
    peaks = [base * k for k in range(1, 5) if base * k < bins - 4]

    def frame_set(n, anomalous):
        x = np.empty((n, frames * bins), np.float32)
        for i in range(n):
            centres = [p + rng.normal(0, 0.5) for p in peaks]
            if anomalous:  # an extra peak where normal machines have none, or a moved harmonic
                if rng.random() < 0.5:
                    centres.append(rng.uniform(4, bins - 4))
                else:
                    j = rng.integers(len(centres))
                    centres[j] += rng.choice([-1, 1]) * rng.uniform(4, 10)
            level = rng.uniform(0.8, 1.2)
            spec = sum(level * np.exp(-(freqs - c) ** 2 / 4.0) for c in centres)
            x[i] = np.tile(spec, frames) + rng.normal(0, 0.05, size=frames * bins)
        return x

    xtr = frame_set(n_train, False)
    half = n_test // 2
    xte = np.concatenate([frame_set(half, False), frame_set(n_test - half, True)])
    yte = np.concatenate([np.zeros(half), np.ones(n_test - half)]).astype(np.int32)
    order = rng.permutation(n_test)
    return Dataset(name, xtr, np.zeros(n_train, np.int32), xte[order], yte[order], 2,
                   task="autoencode")
