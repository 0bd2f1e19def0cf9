"""Knowledge distillation: train the (smaller) model on a teacher's softened outputs.

Loss = alpha * CE(labels, softmax(z_s)) + (1 - alpha) * T^2 * KL(softmax(z_t/T) || softmax(z_s/T))
(Hinton et al. 2015; T^2 keeps the soft term's gradients on the scale of the hard term's as T
changes). z are logits: the values before the final softmax, whether the softmax is a Dense
layer's activation or a separate Softmax / Activation("softmax") layer. Models without a final
softmax fall back to log-probabilities. Autoencoders distil by regressing the student's
reconstruction onto the teacher's.

With alpha = 1 the teacher is ignored and the loop is plain training on the labels, so a
"student alone" baseline trained by distill_fit(alpha=1) sees exactly the same initial weights,
batches and optimizer steps as the distilled student.
"""
import time
from dataclasses import dataclass

import numpy as np

from ..errors import TinyCompressError
from .. import train
from .common import evaluate_stage


@dataclass
class DistillConfig:
    teacher: str = ""             # path of the teacher model (or pass teacher= to apply)
    temperature: float = 4.0
    alpha: float = 0.1            # weight of the hard-label loss; 1 - alpha goes to the teacher
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0

    def validate(self):
        if self.temperature <= 0:
            raise TinyCompressError("distill: temperature must be > 0")
        if not 0.0 <= self.alpha <= 1.0:
            raise TinyCompressError("distill: alpha must be in [0, 1]")


def _check_pair(teacher, student, where):
    if tuple(teacher.input_shape[1:]) != tuple(student.input_shape[1:]):
        raise TinyCompressError(f"distill: teacher {where} takes input {teacher.input_shape[1:]} "
                                f"but the student takes {student.input_shape[1:]}")
    if tuple(teacher.output_shape[1:]) != tuple(student.output_shape[1:]):
        raise TinyCompressError(f"distill: teacher {where} gives output "
                                f"{teacher.output_shape[1:]} but the student gives "
                                f"{student.output_shape[1:]}")


def _is_softmax(layer, keras):
    if isinstance(layer, keras.layers.Softmax):
        return True
    return (isinstance(layer, keras.layers.Activation)
            and layer.get_config().get("activation") == "softmax")


def _logits_fn(model):
    """A function x -> logits, computed with the model's own variables (so gradients reach
    them). Probabilities lose the teacher's "dark knowledge" to float32 underflow and clipping
    (a clipped log-probability also gives the student no gradient); logits keep it."""
    from ..tfcompat import tf, keras
    last = model.layers[-1]
    if _is_softmax(last, keras):                 # ... -> Softmax(): its input are the logits
        return keras.Model(model.inputs, last.input)
    if isinstance(last, keras.layers.Dense) and last.get_config()["activation"] == "softmax":
        body = keras.Model(model.inputs, last.input)

        def logits(x, training=False):
            z = tf.tensordot(body(x, training=training), last.kernel, [[-1], [0]])
            return z + last.bias if last.use_bias else z
        return logits
    return lambda x, training=False: tf.math.log(
        tf.clip_by_value(model(x, training=training), 1e-7, 1.0))


def distill_fit(student, teacher_out, dataset, config):
    """Train `student` in place against precomputed teacher outputs on the training split."""
    from ..tfcompat import tf, keras
    T, alpha = float(config.temperature), float(config.alpha)
    autoencode = dataset.task == "autoencode"
    x = dataset.x_train.astype(np.float32)
    y = (x if autoencode else dataset.y_train.astype(np.int32))
    data = tf.data.Dataset.from_tensor_slices((x, y, teacher_out.astype(np.float32)))
    data = data.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
    data = data.batch(config.batch_size)
    opt = keras.optimizers.Adam(config.learning_rate)

    @tf.function
    def step(xb, yb, tb):
        with tf.GradientTape() as tape:
            if autoencode:
                out = student(xb, training=True)
                hard = tf.reduce_mean(tf.square(out - yb))
                soft = tf.reduce_mean(tf.square(out - tb))
                loss = alpha * hard + (1 - alpha) * soft
            else:
                z = student_logits(xb, training=True)
                hard = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, z))
                log_t = tf.nn.log_softmax(tb / T)
                kl = tf.reduce_mean(tf.reduce_sum(
                    tf.exp(log_t) * (log_t - tf.nn.log_softmax(z / T)), axis=-1))
                loss = alpha * hard + (1 - alpha) * T * T * kl
        grads = tape.gradient(loss, student.trainable_variables)
        opt.apply_gradients(zip(grads, student.trainable_variables))
        return loss

    from .. import progress
    student_logits = _logits_fn(student)
    batches = -(-len(x) // config.batch_size)
    for epoch in range(int(config.epochs)):
        with progress.step(f"distill epoch {epoch + 1}/{config.epochs}", batches) as advance:
            for xb, yb, tb in data:
                loss = step(xb, yb, tb)
                advance(status=f"loss {float(loss):.4f}" if progress.enabled() else "")
    return student


def apply(model, dataset, config: DistillConfig = None, teacher=None, verbose=0):
    """Distil `teacher` (a model, or config.teacher's path) into `model` (the student)."""
    from ..keras_io import load_model
    from ..evaluate import metrics, keras_predict
    from .common import copy_model
    config = config or DistillConfig()
    config.validate()
    started = time.time()
    where = "model"
    if teacher is None:
        if not config.teacher:
            raise TinyCompressError("distill: no teacher; set [compress.distill] teacher = "
                                    "\"teacher.keras\" or pass --distill-teacher")
        where = f"'{config.teacher}'"
        teacher = load_model(config.teacher)
    _check_pair(teacher, model, where)
    train.set_seed(config.seed)
    if dataset.task == "autoencode":
        teacher_out = teacher.predict(dataset.x_train, batch_size=256, verbose=0)
    else:  # teacher logits, batch by batch
        logits = _logits_fn(teacher)
        teacher_out = np.concatenate([logits(dataset.x_train[i:i + 256]).numpy()
                                      for i in range(0, len(dataset.x_train), 256)])
    student = copy_model(model)
    distill_fit(student, teacher_out, dataset, config)
    details = {"teacher": config.teacher or "(given)", "teacher_params": int(teacher.count_params()),
               "teacher_metrics": metrics(keras_predict(teacher), dataset),
               "temperature": config.temperature, "alpha": config.alpha}
    return student, evaluate_stage("distill", student, dataset, [], details, started)
