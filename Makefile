# bpcourse: `make lab` opens the course, `make test` proves it. Each does the whole set-up first.
# Python >= 3.11 (nbgrader 0.9.6 needs it): the first of PYTHON, python3.13 ... python3.11,
# pyenv's 3.13 ... 3.11, python3 that is new enough.
comma  := ,
ifndef PYTHON
PYTHON := $(firstword $(foreach p,python3.13 python3.12 python3.11 \
            $(wildcard $(HOME)/.pyenv/versions/3.1[321]*/bin/python3) python3,\
            $(shell command -v $(p) >/dev/null 2>&1 && $(p) -c \
              'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $(p))))
endif
VENV   := .venv
BIN    := $(VENV)/bin
CKSUM  := $(shell cksum < pyproject.toml | cut -d' ' -f1)
# Extras installed into .venv. `make lab` (learners): the course only. `make test`: everything CI
# proves: the test tools, the peers the cross-checks compare against (PyTorch CPU, micrograd),
# Dask for parallel grading, the PostgreSQL driver, and the grading tools (copydetect).
LAB_EXTRAS  ?= course
TEST_EXTRAS ?= course,dev,bench,scale,postgres,grading
stamp = $(VENV)/.installed-$(CKSUM)-$(subst $(comma),+,$(1))
# make test runs the suite on every core (pytest-xdist); a test file stays on one worker, so a
# module's shared fixture (a graded corpus, a running JupyterLab) is built once.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: help setup setup-lab lab lab-zh teach test test-fast test-pythons lint release grade bench i18n clean
help:
	@echo "make lab      set up and open the course in JupyterLab (your copy in work/)"
	@echo "make lab-zh   the same for the Chinese edition (中文版), with JupyterLab in Chinese"
	@echo "make test     set up and run every test CI runs (lint, package, notebooks, grading, browser)"
	@echo "make teach    instructor's JupyterLab on solutions/ with nbgrader's formgrader"
	@echo "make release  regenerate notebooks/ from solutions/ with nbgrader"
	@echo "make grade NB=work/en/04_layers/04_layers.ipynb   grade a notebook with the full tests"
	@echo "make bench    measure against PyTorch, micrograd and BLAS; writes benchmarks/REPORT.md"
	@echo "make i18n     extract the learner's messages to bpcourse/locale/, merge, compile"

$(VENV)/.installed-$(CKSUM)-%: pyproject.toml
	@test -n "$(PYTHON)" || { echo "bpcourse needs Python >= 3.11 (nbgrader 0.9.6 does): install \
	python3.11 or newer (apt install python3.11, pyenv install 3.12, or conda), or run \
	make PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(subst +,$(comma),$*)]'
	@find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '.installed-$(CKSUM)-*' -delete
	@touch $@

setup: $(call stamp,$(TEST_EXTRAS))
	@scripts/system-deps.sh graphviz fonts
	@scripts/system-deps.sh bubblewrap || echo "(no bwrap: bpcourse autograde would grade unsandboxed, and say so)"

setup-lab: $(call stamp,$(LAB_EXTRAS))
	@scripts/system-deps.sh graphviz fonts

lab: setup-lab
	@$(BIN)/python -m bpcourse lab

lab-zh: setup-lab
	@$(BIN)/python -m bpcourse lab --lang zh

teach: setup-lab
	@$(BIN)/python -m bpcourse teach

test: setup
	@scripts/system-deps.sh chromium postgresql bubblewrap
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "" $(PYTEST_PARALLEL) --cov=bpcourse --cov-report=term --durations=25

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_PARALLEL)

# The fast suite on every Python the project claims (pyenv's 3.11 ... 3.13), each in its own venv.
test-pythons:
	@for v in $(wildcard $(HOME)/.pyenv/versions/3.1[123]*); do \
	  py=$$v/bin/python3; venv=.venv-$$(basename $$v); echo "== $$py"; \
	  { test -x $$venv/bin/python || $$py -m venv $$venv; } && \
	  $$venv/bin/python -m pip install --quiet -e '.[course,dev]' && \
	  $$venv/bin/python -m pytest -q -m "not slow and not browser and not postgres" || exit 1; \
	done

lint: setup
	$(BIN)/ruff check .

release: setup-lab
	$(BIN)/python -m bpcourse release

grade: setup-lab
	@test -n "$(NB)" || { echo "usage: make grade NB=work/en/04_layers/04_layers.ipynb"; exit 2; }
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
	rm -rf $(VENV) .venv-3.* .pytest_cache .ruff_cache .hypothesis .coverage gradebook.db
