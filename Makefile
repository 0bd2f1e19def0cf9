# tinycompress: `make setup` once, then `make demo` (the main job) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3
OUT    ?= out/demo

.PHONY: setup toolchain test test-device test-matrix test-search test-slow demo clean

setup: $(VENV)/.installed toolchain

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,search]"
	touch $@

toolchain:
	@bash tools/install_toolchain.sh

test: setup
	$(PY) -m pytest -q

# The device matrix CI runs after `make test`: the TFLM harness for every zoo and baseline
# model on both TFLM kernel sets (QEMU), and every board with a Renode platform through
# simulate and renode-test. Needs ../shared (tflm/, renode/) or skips saying so; ~7 min.
test-device: setup
	$(PY) -m pytest -q -m slow tests/test_tflm_device.py tests/test_renode.py

# The core matrix: every zoo model (trained once, seeded) and every shared baseline model
# as native firmware on M3 (portable path), M4, M7 and M33 in QEMU, golden vectors byte for
# byte. Needs ../shared (baselines/) for the baseline half; ~25 min on 2 busy cores.
test-matrix: setup
	$(PY) -m pytest -q -m slow -k m3_m4_m7_m33 tests/test_zoo_firmware.py tests/test_simulate.py

# `tinycompress search` end to end (local Ray, a `ray start` cluster, kill and resume, failed
# trials): short digits searches, ~15 min on a quiet 2-core machine. Not run by CI.
test-search: setup
	$(PY) -m pytest -q -m slow tests/test_search_slow.py

test-slow: setup
	$(PY) -m pytest -q -m slow

demo: setup
	$(VENV)/bin/tinycompress run models/digits/recipe.toml -o $(OUT)

clean:
	rm -rf out build *.egg-info
