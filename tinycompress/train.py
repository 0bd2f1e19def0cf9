"""Training helpers shared by the zoo and the compression stages: seeding, compiling, fitting."""
import numpy as np


def set_seed(seed=0):
    """Seed Python, NumPy and TensorFlow so that stage results repeat run to run."""
    from .tfcompat import tf, keras
    keras.utils.set_random_seed(int(seed))
    try:  # only possible before TensorFlow starts its thread pools; modest on shared machines
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(2)
    except RuntimeError:
        pass


def loss_for(task):
    from .tfcompat import keras
    if task == "autoencode":
        return keras.losses.MeanSquaredError()
    return keras.losses.SparseCategoricalCrossentropy()


def compile_model(model, task="classify", learning_rate=1e-3):
    from .tfcompat import keras
    metrics = ["accuracy"] if task == "classify" else []
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss_for(task),
                  metrics=metrics)
    return model


def targets(dataset, split="train"):
    """What the model is trained to output: labels, or the input itself for autoencoders."""
    x, y = (dataset.x_train, dataset.y_train) if split == "train" else (dataset.x_test, dataset.y_test)
    return x if dataset.task == "autoencode" else y


def fit(model, dataset, epochs, batch_size=32, learning_rate=1e-3, callbacks=(), verbose=0,
        compile=True, label="train"):
    """Train on the training split (no shuffling randomness beyond the seeded one); with
    progress on, a bar per epoch named `label` shows loss and accuracy."""
    from . import progress
    if epochs <= 0:
        return model
    if compile:
        compile_model(model, dataset.task, learning_rate)
    bar = progress.epoch_callback(label)
    callbacks = list(callbacks) + ([bar] if bar else [])
    model.fit(dataset.x_train, np.asarray(targets(dataset)), epochs=int(epochs),
              batch_size=batch_size, callbacks=callbacks, verbose=0 if bar else verbose,
              shuffle=True)
    return model
