# incident-trends: set-up, tests, report and benchmarks.
# Every target creates .venv itself and installs pinned dependencies
# (requirements/constraints.txt), so a fresh machine needs only Python >= 3.11 and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
CONSTRAINTS := requirements/constraints.txt
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check -c $(CONSTRAINTS)
# Two cores on the reference machine: run the suite on both, one BLAS thread per
# worker (OpenBLAS threads contending on 2 cores made small solves 100x slower).
PYTEST_ARGS ?= -n 2
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: all venv report lab browser browser-deps test lint unit bench bench-smoke validate benchmark-annotated fetch clean distclean lock

all: test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The stamp files record which extras are installed; they are remade when
# pyproject.toml or the constraints change.
$(VENV)/.dev-installed: pyproject.toml $(CONSTRAINTS) | $(VENV)/bin/python
	$(PIP_INSTALL) -e ".[dev]"
	@touch $@

$(VENV)/.bench-installed: $(VENV)/.dev-installed pyproject.toml $(CONSTRAINTS)
	$(PIP_INSTALL) -e ".[dev,bench]"
	@touch $@

# compile every change-point kernel once into the package's numba cache (a folder keyed on
# the hash of the compiled sources), so the first call in a fresh process loads, not compiles
$(VENV)/.numba-warm: $(VENV)/.dev-installed $(shell grep -rl numba analysis --include=*.py)
	$(PY) -m analysis.changepoints._warm --quiet
	@touch $@

venv: $(VENV)/.dev-installed $(VENV)/.numba-warm

$(VENV)/.notebook-installed: $(VENV)/.dev-installed pyproject.toml $(CONSTRAINTS)
	$(PIP_INSTALL) -e ".[dev,notebook]"
	@touch $@

## make report: execute every notebooks/NN-*.ipynb and render the report, entry reports/index.html
## (built aside, swapped in only when every notebook succeeded; prints how long it took).
## INCIDENTS=path/to/incidents.csv runs it on your own canonical incidents file.
INCIDENTS ?=
report: venv
	@start=$$(date +%s); \
	$(VENV)/bin/incident-trends report --output reports/index.html \
	  $(if $(INCIDENTS),--incidents "$(INCIDENTS)") && \
	echo "make report: $$(( $$(date +%s) - start )) s in all"

## make lab: JupyterLab in the project environment on notebooks/ (each notebook is paired
## with a jupytext percent script, notebooks/jupytext.toml; saving one updates the other)
lab: $(VENV)/.notebook-installed $(VENV)/.numba-warm
	$(VENV)/bin/jupyter lab notebooks/

## make browser: the report in headless Chromium (desktop and phone widths, screenshots in
## reports/screenshots/); installs Debian's chromium and chromium-driver when missing, where
## apt is available and we are root; without them the browser tests skip and say why
browser: venv browser-deps
	MPLBACKEND=Agg $(PY) -m pytest -p no:xdist -q tests/report/test_browser.py

# Debian's chromium and chromium-driver for the browser tests (make test needs them too):
# installed when missing where apt is available and we are root, else the tests say why they skip
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing chromium and chromium-driver for the browser tests (apt)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null || \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; } || \
	    echo "chromium could not be installed: the browser tests will skip and say why"; \
	else \
	  echo "chromium/chromedriver missing and cannot be installed here (needs apt and root):"; \
	  echo "  apt-get install chromium chromium-driver; the browser tests will skip"; \
	fi

## make test: lint (ruff, mypy), the whole test suite and a smoke run of the benchmarks
test: lint unit bench-smoke

unit: venv browser-deps
	MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS)

LINT_PATHS := $(wildcard analysis tests benchmarks)

lint: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy

## make bench: every benchmark, each figure as a ratio to a reference timed in the same
## run (change points against ruptures and skchange; first calls and rates; counting,
## validation and loading); results in reports/bench/*.json
bench: $(VENV)/.bench-installed
	@mkdir -p reports/bench
	$(PY) benchmarks/bench_package.py --json reports/bench/package.json
	$(PY) benchmarks/bench_data.py --json reports/bench/data.json
	$(PY) benchmarks/bench_changepoints.py --json reports/bench/changepoints.json
	$(PY) benchmarks/bench_batch.py --json reports/bench/batch.json

# the benchmarks run at a small size (checks that they run, never a time)
bench-smoke: venv
	$(PY) benchmarks/bench_package.py --quick
	$(PY) benchmarks/bench_data.py --quick
	$(PY) benchmarks/bench_batch.py --quick

## make validate: the validation study on simulated series (fixed seeds, a few minutes)
validate: venv
	$(PY) -m analysis.validation --out reports/validation

## make benchmark-annotated: change-point defaults on the real annotated TCPD series.
## Reads the TCPD files from $$INCIDENT_TRENDS_TCPD (default: the download cache's tcpd/)
## and downloads missing ones once (needs network: CI has none, and then this target
## stops with a message saying where to put the files). The data are never committed.
benchmark-annotated: venv
	$(PY) -m analysis.validation._annotated --out reports/validation

## make fetch: download the newest alert history into the user cache
fetch: venv
	$(VENV)/bin/incident-trends data fetch oref

## make lock: re-pin every dependency (needs the package registry)
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[dev,bench,notebook]"
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > $(CONSTRAINTS)
	rm -rf .lock-venv

clean:
	rm -rf reports/*.html .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
