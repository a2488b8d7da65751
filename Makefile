# `make demo` and `make test` each set everything up (a .venv) and then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Leaflet JS/CSS the offline map pages inline, fetched once with npm pack (build time only)
ASSETS := eco12geo/_assets/.fetched

.PHONY: demo test install layers clean bench assets

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

layers: $(STAMP)
	$(PY) scripts/make_demo_layers.py
	$(PY) scripts/make_demo_landcover.py

# sizes: 10k, 100k, 1m (e.g. make bench BENCH_SIZES=1m BENCH_REPEAT=1)
BENCH_SIZES ?= 10k 100k
BENCH_REPEAT ?= 3
bench: $(STAMP)
	$(PY) -m pip install -q -e '.[dask]'
	$(PY) scripts/benchmark.py --size $(BENCH_SIZES) --repeat $(BENCH_REPEAT)

clean:
	rm -rf demo_out .pytest_cache
