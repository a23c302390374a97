# Two commands do all set-up: `make demo` and `make test` create .venv from pyproject.toml
# when it is missing or older than pyproject.toml, then run.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: demo test lint benchmark clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m mlp.demo

test: $(STAMP)
	$(PY) -m ruff check mlp autograder tests
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(PY) -m ruff check mlp autograder tests

benchmark: $(STAMP)
	$(PY) -m mlp.benchmark

clean-venv:
	rm -rf $(VENV)
