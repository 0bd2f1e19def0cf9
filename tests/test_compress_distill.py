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
