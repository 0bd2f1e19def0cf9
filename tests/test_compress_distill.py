"""Distillation: the student learns from the teacher; bad pairs are refused."""
import pytest

from _compress_models import digits, small_cnn
from tinycompress.compress import distill
from tinycompress.compress.distill import DistillConfig
from tinycompress.errors import TinyCompressError


def _student(outputs=10, inputs=(8, 8, 1)):
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(1)
    inp = keras.Input(inputs)
    x = keras.layers.Flatten()(inp)
    x = keras.layers.Dense(8, activation="relu")(x)
    return keras.Model(inp, keras.layers.Dense(outputs, activation="softmax")(x), name="student")


def test_distilled_student_learns_from_teacher():
    student = _student()
    out, report = distill.apply(student, digits(), DistillConfig(epochs=10, learning_rate=3e-3), teacher=small_cnn())
    assert report.params < report.details["teacher_params"] / 5
    assert report.accuracy > 0.7                     # untrained: about 0.1
    assert student.get_weights()[0] is not out.get_weights()[0]


def test_teacher_path_and_missing_teacher(tmp_path):
    from tinycompress.keras_io import save_model
    path = save_model(small_cnn(), tmp_path / "teacher.keras")
    _, report = distill.apply(_student(), digits(), DistillConfig(teacher=str(path), epochs=1))
    assert report.details["teacher"] == str(path)
    with pytest.raises(TinyCompressError, match="no teacher"):
        distill.apply(_student(), digits(), DistillConfig())


def test_teacher_with_other_outputs_is_refused():
    with pytest.raises(TinyCompressError, match="teacher.*output"):
        distill.apply(_student(outputs=5), digits(), DistillConfig(epochs=1), teacher=small_cnn())


@pytest.mark.parametrize("kwargs", [{"temperature": 0}, {"alpha": 1.5}])
def test_bad_distill_config(kwargs):
    with pytest.raises(TinyCompressError):
        DistillConfig(**kwargs).validate()


def _softmax_layer_model(scale):
    """Dense(10) -> separate Softmax layer, with logits large enough that some probabilities
    underflow float32 (the case where log-probabilities lose the teacher's dark knowledge)."""
    from tinycompress import train
    from tinycompress.tfcompat import keras
    train.set_seed(2)
    inp = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inp)
    z = keras.layers.Dense(10, name="logits",
                           kernel_initializer=keras.initializers.RandomNormal(stddev=scale))(x)
    return keras.Model(inp, keras.layers.Softmax()(z))


def test_logits_of_model_ending_in_softmax_layer_are_its_input():
    import numpy as np
    from tinycompress.compress.distill import _logits_fn
    from tinycompress.tfcompat import keras
    model = _softmax_layer_model(scale=5.0)
    x = digits().x_train[:64]
    want = keras.Model(model.inputs, model.get_layer("logits").output)(x).numpy()
    assert np.ptp(want, axis=1).max() > 2 * 16.2     # beyond log(1e-7): clipping would bite
    got = _logits_fn(model)(x).numpy()
    np.testing.assert_array_equal(got, want)


def test_dense_softmax_logits_reproduce_the_model_output():
    import numpy as np
    from tinycompress.compress.distill import _logits_fn
    from tinycompress.tfcompat import tf
    model, x = small_cnn(), digits().x_test[:64]
    z = _logits_fn(model)(x).numpy()
    np.testing.assert_allclose(tf.nn.softmax(z).numpy(), model(x).numpy(), atol=1e-6)
    assert not np.allclose(z, np.log(model(x).numpy()))  # logits, not log-probabilities


def test_alpha_one_is_training_alone_whatever_the_teacher():
    """alpha = 1 ignores the teacher: same init, batches and steps give the same weights, so a
    'student alone' baseline trained this way differs from the distilled one only in the loss."""
    import numpy as np
    from tinycompress.compress.distill import distill_fit
    data = digits().subset(n_train=200)
    cfg = DistillConfig(alpha=1.0, epochs=2, seed=3)
    rng = np.random.default_rng(0)
    weights = []
    for scale in (1.0, 30.0):
        s = _student()
        distill_fit(s, scale * rng.standard_normal((200, 10)).astype("float32"), data, cfg)
        weights.append(s.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    s = _student()
    distill_fit(s, rng.standard_normal((200, 10)).astype("float32"), data,
                DistillConfig(alpha=0.5, epochs=2, seed=3))
    assert not np.array_equal(s.get_weights()[0], weights[0][0])   # and alpha < 1 does use it
