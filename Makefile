# bpcourse: `make lab` opens the course, `make test` proves it. Each does the whole set-up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Extras installed into .venv: the course itself, the test tools, the instructor's grading tools
# (copydetect), and the peers (PyTorch CPU, micrograd) that the cross-checks and benchmarks use.
EXTRAS ?= course,dev,grading,bench

.PHONY: help setup lab teach test test-fast lint release grade bench clean
help:
	@echo "make lab      set up and open the course in JupyterLab (your copy in work/)"
	@echo "make test     set up and run every test CI runs (lint, package, notebooks, grading, browser)"
	@echo "make teach    instructor's JupyterLab on solutions/ with nbgrader's formgrader"
	@echo "make release  regenerate notebooks/ from solutions/ with nbgrader"
	@echo "make grade NB=notebooks/04_layers/04_layers.ipynb   grade a notebook with the full tests"
	@echo "make bench    measure against PyTorch, micrograd and BLAS; writes benchmarks/REPORT.md"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)
	@scripts/system-deps.sh graphviz
	@scripts/system-deps.sh bubblewrap || echo "(no bwrap: bpcourse autograde would grade unsandboxed, and say so)"

lab: setup
	@$(BIN)/python -m bpcourse lab

teach: setup
	@$(BIN)/python -m bpcourse teach

test: setup
	@scripts/system-deps.sh chromium bubblewrap
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "" --cov=bpcourse --cov-report=term

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: setup
	$(BIN)/ruff check .

release: setup
	$(BIN)/python -m bpcourse release

grade: setup
	@test -n "$(NB)" || { echo "usage: make grade NB=notebooks/04_layers/04_layers.ipynb"; exit 2; }
	$(BIN)/python -m bpcourse grade "$(NB)"

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .coverage gradebook.db
