# `make demo` and `make test` each set everything up (a .venv) and then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Leaflet JS/CSS the offline map pages inline, fetched once with npm pack (build time only)
ASSETS := eco12geo/_assets/.fetched

.PHONY: demo test install layers clean bench assets fuzz

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(ASSETS): eco12geo/assets.py scripts/fetch_map_assets.py
	$(PYTHON) scripts/fetch_map_assets.py
	touch $(ASSETS)

assets: $(ASSETS)

demo: $(STAMP) $(ASSETS)
	$(VENV)/bin/eco12geo demo --out demo_out

test: $(STAMP) $(ASSETS)
	$(PY) -m pytest -q

# a long fuzz run of the readers (make test runs a short one): FUZZ_EXAMPLES mutations per format
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	ECO12GEO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

layers: $(STAMP)
	$(PY) scripts/make_demo_layers.py
	$(PY) scripts/make_demo_landcover.py

bench: $(STAMP)
	$(PY) scripts/benchmark.py

clean:
	rm -rf demo_out .pytest_cache
