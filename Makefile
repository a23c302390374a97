# Two commands do all set-up: `make demo` and `make test` create .venv from pyproject.toml
# when it is missing or older than pyproject.toml, then run.

PYTHON := $(shell command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# One BLAS thread per process: the test suite and the grader run two processes on two cores,
# and small matrix products get many times slower when BLAS threads compete for them.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# nbgrader runs the `alembic` command, which lives next to the venv's python.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test test-catalogue test-postgres test-cluster lab hub hub-env test-hub lint benchmark mutants clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m mlp.demo
	$(PY) -m autograder demo

test: $(STAMP)
	$(PY) -m ruff check mlp autograder benchmarks tests source_notebooks
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not hub and not postgres and not cluster and not catalogue"

# The course gradebook on a real PostgreSQL server (Debian's postgresql; tests/postgres starts and removes it).
test-postgres: $(STAMP)
	$(PY) -m pytest -p no:xdist -m postgres tests/postgres

# Every catalogue entry of every lesson run in-process: wrong ones must lose points, correct ones keep them all.
test-catalogue: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m catalogue tests/notebooks/test_catalogue.py

# Grading through --scheduler on a real Dask scheduler and two workers on 127.0.0.1 (tests/cluster starts and kills them).
test-cluster: $(STAMP)
	$(PY) -m pytest -p no:xdist -m cluster tests/cluster

# A student's JupyterLab: the release notebooks copied into workspace/ (rebuilt when a lesson changed).
# Files already in workspace/ are never overwritten, so running it again keeps the student's work.
# Extra JupyterLab options: make lab LAB_ARGS="--port 8890 --no-browser"
LAB_ARGS ?=
RELEASE_STAMP := course/.release-built
$(RELEASE_STAMP): $(STAMP) $(wildcard source_notebooks/*/*.ipynb)
	$(PY) -m autograder build --no-solutions
	@touch $@

# The student's role (autograder/hub/jupyter_config/student, as on the hub): the Assignments panel and
# Validate, no Formgrader, Create Assignment or Course List.
lab: $(RELEASE_STAMP)
	@mkdir -p workspace
	@cp -Rn course/release/. workspace/
	cd workspace && JUPYTER_CONFIG_PATH=$(CURDIR)/autograder/hub/jupyter_config/student ../$(PY) -m jupyter lab $(LAB_ARGS)

# The course on JupyterHub (as root; see "Running a course" in README.md). Every user's server and
# kernel runs the kit's home, $(HUB_HOME): a root-owned, world-readable copy of this checkout (its
# tracked files, KaTeX, the proxy) and its venv, made from the system Python, wherever the checkout is
# (a clone in a 0700 folder included). `make hub-env` makes or refreshes it (only what changed; pip
# again only when pyproject.toml changed). HUB_PYTHON=/other/env/bin/python uses another environment.
#   make hub HUB_ARGS="--instructor teacher --students alice,bob --create-exchange"
HUB_HOME ?= /opt/nn-course-kit
HUB_PYTHON ?= $(HUB_HOME)/venv/bin/python
HUB_ARGS ?= --instructor instructor --students student1,student2 --create-exchange
HUB_PROXY := autograder/hub/proxy/node_modules/.bin/configurable-http-proxy
HUB_KATEX := autograder/pages/static/node_modules/katex/dist/katex.min.js
$(HUB_PROXY): autograder/hub/proxy/package-lock.json
	npm ci --prefix autograder/hub/proxy --no-audit --no-fund --loglevel=error
	@touch $@
$(HUB_KATEX): autograder/pages/static/package-lock.json
	npm ci --prefix autograder/pages/static --no-audit --no-fund --loglevel=error
	@touch $@

hub-env: $(HUB_PROXY) $(HUB_KATEX)
	/usr/bin/python3 autograder/hub/kit_home.py --home $(HUB_HOME) --checkout $(CURDIR)

# HUB_PYTHON set by the caller: that environment as it is (nothing is installed).
HUB_ENV := $(if $(filter file,$(origin HUB_PYTHON)),hub-env)
# PYTHONSAFEPATH: the hub imports the kit of $(HUB_PYTHON), not this folder's.
hub: $(HUB_ENV)
	PYTHONSAFEPATH=1 $(HUB_PYTHON) -m autograder hub --python $(HUB_PYTHON) $(HUB_ARGS)

# The hub tests (root: they create and remove throwaway unix users) against $(HUB_HOME), refreshed
# from this checkout first (the tests check that it holds this checkout's files). Not as root: skipped.
test-hub: $(STAMP)
	@if [ "$$(id -u)" = 0 ] && [ -n "$(HUB_ENV)" ]; then $(MAKE) --no-print-directory hub-env; fi
	HUB_PYTHON=$(HUB_PYTHON) $(PY) -m pytest -p no:xdist -m hub tests/hub

lint: $(STAMP)
	$(PY) -m ruff check mlp autograder benchmarks tests source_notebooks

# The conv/MLP benchmark runs in a user's conditions: the thread settings exported above and any
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE of this workplace are unset for that command alone (never in
# tests or CI). Options pass through: make benchmark BENCHMARK_ARGS=--profile
BENCHMARK_ARGS ?=
USER_CONDITIONS := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS -u MKL_NUM_THREADS
benchmark: $(STAMP)
	$(USER_CONDITIONS) $(PY) -m benchmarks.layers $(BENCHMARK_ARGS)
	$(PY) -m benchmarks.grading

# Every automatic mutant of every answer cell of every lesson, graded through the real pipeline
# (make test grades a sample). Survivors are printed with their diffs; long: see README, Contributing.
mutants: $(STAMP)
	$(PY) -m autograder selfcheck --mutants --no-progress $(MUTANTS_ARGS)

clean-venv:
	rm -rf $(VENV)
