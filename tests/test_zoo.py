"""The model zoo: architectures, synthetic data, recipes, and the zoo commands."""
import numpy as np
import pytest

from tinycompress.zoo import ZOO

SHAPES = {  # name -> (input shape, output shape, parameter range)
    "digits-cnn": ((8, 8, 1), (10,), (10_000, 100_000)),
    "kws-dscnn": ((49, 10, 1), (12,), (20_000, 30_000)),
    "vww-mbv1": ((96, 96, 3), (2,), (150_000, 300_000)),
    "resnet8": ((32, 32, 3), (10,), (70_000, 90_000)),
    "ad-fc": ((640,), (640,), (250_000, 300_000)),
}


def test_zoo_has_the_five_models():
    assert sorted(ZOO) == sorted(SHAPES)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_zoo_model_shapes_and_size(name):
    model = ZOO[name].build()
    inp, out, (lo, hi) = SHAPES[name]
    assert tuple(model.input_shape[1:]) == inp and tuple(model.output_shape[1:]) == out
    assert lo <= model.count_params() <= hi


@pytest.mark.parametrize("name", [n for n in sorted(ZOO) if ZOO[n].synthetic])
def test_synthetic_data_is_seeded_and_fits_the_model(name):
    from tinycompress.data import check_dataset
    entry = ZOO[name]
    a, b, c = entry.dataset(0), entry.dataset(0), entry.dataset(1)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    check_dataset(a.subset(8, 8), entry.build(), task=entry.task)


@pytest.mark.parametrize("name", [n for n in sorted(ZOO) if ZOO[n].synthetic and
                                  ZOO[n].task == "classify"])
def test_synthetic_classes_are_learnable(name):
    """A nearest-class-mean classifier beats chance by far: labels depend on the inputs."""
    d = ZOO[name].dataset(0)
    flat = lambda x: x.reshape(len(x), -1)
    means = np.stack([flat(d.x_train)[d.y_train == c].mean(0) for c in range(d.num_classes)])
    pred = np.argmin(((flat(d.x_test)[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(pred == d.y_test) > min(0.9, 3 / d.num_classes)


def test_synthetic_anomalies_differ_from_normal():
    d = ZOO["ad-fc"].dataset(0)
    mean = d.x_train.mean(0)
    err = ((d.x_test - mean) ** 2).mean(1)
    from tinycompress.metrics import auc
    assert auc(err, d.y_test) > 0.6


@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_zoo_model_has_a_valid_recipe(name):
    from tinycompress.recipe import load_recipe
    entry = ZOO[name]
    text = entry.recipe.read_text()
    recipe = load_recipe(entry.recipe)
    assert recipe.model.zoo == name
    assert recipe.data.synthetic == entry.synthetic
    if entry.synthetic:
        assert "synthetic = true" in text and "#" in text.split("synthetic = true")[1].splitlines()[0]


def test_zoo_list_command(run_cli):
    result = run_cli("zoo", "list")
    assert result.exit_code == 0
    for name in ZOO:
        assert name in result.output


def test_zoo_train_command_writes_a_loadable_model(run_cli, tmp_path):
    from tinycompress.keras_io import load_model
    out = tmp_path / "digits.keras"
    result = run_cli("zoo", "train", "digits-cnn", "-o", out, "--epochs", "2")
    assert result.exit_code == 0, result.output
    assert "test accuracy" in result.output
    assert load_model(out).output_shape == (None, 10)


def test_zoo_train_unknown_name_exits_1(run_cli, tmp_path):
    result = run_cli("zoo", "train", "alexnet", "-o", tmp_path / "x.keras")
    assert result.exit_code == 1 and "alexnet" in result.output and "digits-cnn" in result.output


def test_digits_cnn_trains_to_95_percent_quickly():
    from tinycompress.zoo import train
    _, _, metrics = train("digits-cnn")
    assert metrics["accuracy"] >= 0.95
