# bpcourse: `make lab` opens the course, `make test` proves it. Each does the whole set-up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Extras installed into .venv: the course itself, the test tools, and the peers (PyTorch CPU,
# micrograd) that the cross-check tests and benchmarks compare against.
EXTRAS ?= course,dev,bench
# make test runs the suite on every core (pytest-xdist); a test file stays on one worker, so a
# module's shared fixture (a graded corpus, a running JupyterLab) is built once.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: help setup lab lab-zh teach test test-fast lint release grade bench i18n clean
help:
	@echo "make lab      set up and open the course in JupyterLab (your copy in work/)"
	@echo "make lab-zh   the same for the Chinese edition (中文版), with JupyterLab in Chinese"
	@echo "make test     set up and run every test CI runs (lint, package, notebooks, grading, browser)"
	@echo "make teach    instructor's JupyterLab on solutions/ with nbgrader's formgrader"
	@echo "make release  regenerate notebooks/ from solutions/ with nbgrader"
	@echo "make grade NB=notebooks/04_layers/04_layers.ipynb   grade a notebook with the full tests"
	@echo "make bench    measure against PyTorch, micrograd and BLAS; writes benchmarks/REPORT.md"
	@echo "make i18n     extract the learner's messages to bpcourse/locale/, merge, compile"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)
	@scripts/system-deps.sh graphviz fonts

lab: setup
	@$(BIN)/python -m bpcourse lab

lab-zh: setup
	@$(BIN)/python -m bpcourse lab --lang zh

teach: setup
	@$(BIN)/python -m bpcourse teach

test: setup
	@scripts/system-deps.sh chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "" $(PYTEST_PARALLEL) --cov=bpcourse --cov-report=term

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_PARALLEL)

lint: setup
	$(BIN)/ruff check .

release: setup
	$(BIN)/python -m bpcourse release

grade: setup
	@test -n "$(NB)" || { echo "usage: make grade NB=notebooks/04_layers/04_layers.ipynb"; exit 2; }
	$(BIN)/python -m bpcourse grade "$(NB)"

bench: setup
	$(BIN)/python benchmarks/run.py

# gettext: messages wrapped in _() -> bpcourse/locale/bpcourse.pot -> each language's .po (where
# the translator writes) -> the .mo files the package reads. tests/test_i18n.py fails on a message
# without a translation, or on a .mo older than its .po.
LOCALE := bpcourse/locale
i18n: setup
	$(BIN)/pybabel extract --no-location --omit-header --sort-output --project=bpcourse \
		-o $(LOCALE)/bpcourse.pot bpcourse
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
		-D bpcourse -i $(LOCALE)/bpcourse.pot -d $(LOCALE)
	$(BIN)/pybabel compile --statistics -D bpcourse -d $(LOCALE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .coverage gradebook.db
