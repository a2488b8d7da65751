# `make demo` and `make test` each set everything up (system packages when missing, a .venv) and then run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install sysdeps-build sysdeps-test layers clean bench assets fuzz

# system packages: npm for the build (map assets), chromium + CJK fonts for the browser tests (Debian, as root)
sysdeps-build:
	@bash scripts/system_deps.sh build

sysdeps-test:
	@bash scripts/system_deps.sh test

# the editable install runs the build hook (setup.py), which fetches the map assets with npm pack once
$(STAMP): pyproject.toml setup.py eco12geo/map_assets.toml | sysdeps-build
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# fetch the map assets again (they normally come with the install)
assets: sysdeps-build
	$(PYTHON) scripts/fetch_map_assets.py

demo: $(STAMP)
	$(VENV)/bin/eco12geo demo --out demo_out

test: sysdeps-test $(STAMP)
	$(PY) -m pytest -q

# a long fuzz run of the readers (make test runs a short one): FUZZ_EXAMPLES mutations per format
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	ECO12GEO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

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
	rm -rf demo_out .pytest_cache build
