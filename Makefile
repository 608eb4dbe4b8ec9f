# netsim — the two set-up-free commands of the README, plus lint.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SEED   ?= 1

.PHONY: demo test test-all lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files record which install the venv has, so both targets work on a fresh clone
# and re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/netsim compare scenarios/auto_enrollment.toml scenarios/goal_driven.toml \
		--reps 20 --seed $(SEED)
	$(BIN)/netsim run scenarios/auto_enrollment.toml scenarios/goal_driven.toml \
		--seed $(SEED) --out results/demo --format json > /dev/null
	@echo "one run of each scenario (seed $(SEED)) written to results/demo/"
	$(BIN)/netsim report scenarios/auto_enrollment.toml scenarios/goal_driven.toml \
		--reps 20 --seed $(SEED) -o results/demo/report.html > /dev/null
	$(BIN)/netsim teach --out results/demo/teach.html > /dev/null
	@echo "report for planners:   results/demo/report.html"
	@echo "teaching page:         results/demo/teach.html"

# The default run leaves out the tests marked slow (each has a faster twin in the default run);
# test-all runs them too.
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto -q

test-all: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto -q -m "slow or not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy netsim
	$(BIN)/lint-imports

# The reference site, from the docstrings and docs/*.md, into site/ (open site/index.html; it
# needs no network). Strict, as the test suite builds it: a warning or a broken reference fails.
docs: $(VENV)/.installed-docs
	$(BIN)/python -m sphinx -W -n --keep-going -q -b html -d build/doctrees docs site

# The full benchmark (about fifteen minutes on the 2-core VM): netsim against its naive reference at 2,000, 10,000
# and 45,000 employees; rewrites docs/performance.md and .json (after saying how far each
# number moved from the committed run). `make test` runs its smoke plan in-process, `make
# test-all` the real smoke run too.
# It runs in an environment of its own with netsim and what it installs only, as a user
# installs it: none of the development tools (pyarrow, dask, playwright...) in the measured
# processes.
BENCH := .venv-bench
$(BENCH)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH)/bin/python -m pip install --quiet -e .
	touch $@

bench: $(BENCH)/.installed
	$(BENCH)/bin/python experiments/benchmarks/bench.py

clean:
	rm -rf $(VENV) $(BENCH) results site build/doctrees .pytest_cache .mypy_cache .ruff_cache
