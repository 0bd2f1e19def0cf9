# tinycompress: `make setup` once, then `make demo` (the main job) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3
OUT    ?= out/demo

.PHONY: setup toolchain test test-slow demo clean

setup: $(VENV)/.installed toolchain

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

toolchain:
	@bash tools/install_toolchain.sh

test: setup
	$(PY) -m pytest -q

test-slow: setup
	$(PY) -m pytest -q -m slow

demo: setup
	$(VENV)/bin/tinycompress run models/digits/recipe.toml -o $(OUT)

clean:
	rm -rf out build *.egg-info
