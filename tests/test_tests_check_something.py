"""Every test checks something that can fail: an assert, pytest.raises/warns/fail, a numpy
assert_*, or a helper of the tests that does one of these. Read from the test files' syntax."""
import ast
from pathlib import Path

CHECKS = {"raises", "warns", "fail", "approx"}


def _calls(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            yield f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _checks(node, helpers) -> bool:
    return (any(isinstance(n, ast.Assert) for n in ast.walk(node))
            or any(c in CHECKS or c.startswith("assert") or c in helpers for c in _calls(node)))


def test_every_test_function_checks_something():
    trees = {p: ast.parse(p.read_text()) for p in Path(__file__).parent.glob("*.py")}
    functions = [(p, fn) for p, t in trees.items() for fn in ast.walk(t)
                 if isinstance(fn, ast.FunctionDef)]
    helpers = set()
    for _ in range(4):          # helpers calling helpers
        helpers |= {fn.name for _, fn in functions
                    if not fn.name.startswith("test_") and _checks(fn, helpers)}
    silent = [f"{p.name}:{fn.lineno} {fn.name}" for p, fn in functions
              if fn.name.startswith("test_") and not _checks(fn, helpers)]
    assert len(functions) > 100                     # the walk found the suite
    assert not silent, "tests that check nothing: " + ", ".join(silent)


def test_the_check_finder_catches_a_silent_test():
    tree = ast.parse("def test_x():\n    y = 1 + 1\n\ndef test_y():\n    assert 2 == 2\n")
    found = {fn.name: _checks(fn, set()) for fn in tree.body}
    assert found == {"test_x": False, "test_y": True}
