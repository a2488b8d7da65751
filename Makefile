# `make demo` and `make test` each set everything up (a .venv) and then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install layers clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/eco12geo demo --out demo_out

test: $(STAMP)
	$(PY) -m pytest -q

layers: $(STAMP)
	$(PY) scripts/make_demo_layers.py

bench: $(STAMP)
	$(PY) scripts/benchmark.py

clean:
	rm -rf demo_out .pytest_cache
