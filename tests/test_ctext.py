"""tinycompress.ctext: the one formatter of C literals and the one template loader."""
import numpy as np
import pytest

from tinycompress.ctext import c_array, c_bytes, c_float, c_int, c_rows, c_string, c_value, render


def test_float_literals_parse_back_to_the_same_float32():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(size=200) * 10.0 ** rng.integers(-8, 8, 200),
                             [1 / 256, 0.1, 1e-30, 3.4e38]]).astype(np.float32)
    for v in values:
        text = c_float(v)
        assert text.endswith("f")
        assert np.float32(text[:-1]) == v, text


def test_int_min_has_no_literal_so_it_is_an_expression():
    assert c_int(-2 ** 31) == "(-2147483647 - 1)" and c_int(7) == "7"


def test_values_strings_and_arrays():
    assert c_value(True) == "1" and c_value([1, -2]) == "{1, -2}" and c_value("x + 1") == "x + 1"
    assert c_string('a"b\\c\nd') == '"a\\"b\\\\c d"'
    assert c_bytes(bytes(range(14)), per_line=12).splitlines()[1] == "  0x0c, 0x0d"
    assert c_rows(map(str, range(5)), 2, "> ", sep="|") == "> 0, 1|> 2, 3|> 4"
    text = c_array("w", np.array([1, -1, 3], np.int8))
    assert text == "static const int8_t w[3] TC_ALIGNED = {\n    1, -1, 3\n};"
    with pytest.raises(TypeError, match="no C type"):
        c_array("w", np.array([1.0]))          # float64 has no C type here


def test_template_placeholders_must_all_be_filled(tmp_path):
    path = tmp_path / "t.tmpl"
    path.write_text("int ${name} = ${value};\n")
    assert render(path, name="x", value=3) == "int x = 3;\n"
    with pytest.raises(KeyError, match="value"):
        render(path, name="x")
