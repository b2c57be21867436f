# smtk: `make demo` runs the kit, `make test` runs the whole test suite. Both set themselves up from nothing.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_PORT ?= 8888
TRAINER_PORT ?= 8889
VOILA_PORT ?= 8866
# One worker per core, at most 4 (pytest-xdist): most tests wait on kernels, servers and the browser.
PYTEST_ARGS ?= --numprocesses=auto --maxprocesses=4 --dist=loadgroup --durations=15

FRONTEND := graders/serving/frontend
LIGHT := graders/serving/jupyter/voila/templates/smtk-light/static/smtk.js
PROXY_DIR := graders/serving/proxy
PROXY := $(PROXY_DIR)/node_modules/.bin/configurable-http-proxy
LAB_A11Y_DIR := graders/serving/lab_a11y
LAB_A11Y := graders/serving/jupyter/labextensions/smtk-lab-a11y/package.json
HUB_PORT ?= 8000

.PHONY: demo hub hub-proxy test lint pango browser node postgres kernels frontend lab-a11y clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps make a second run skip pip entirely unless pyproject.toml changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python pango
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# The test extra, and the cluster extra (Dask) so the --scheduler test runs too.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python pango
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,cluster]'
	touch $@ $(VENV)/.installed

# The dashboards' light front end (graders/serving/frontend/src/index.ts), from the exact versions in package-lock.json.
$(LIGHT): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(wildcard $(FRONTEND)/src/*)
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Without Node.js the dashboards still run, on Voilà's own (slower) front end.
frontend:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(LIGHT); \
	else echo "smtk: npm not found, so the dashboards use Voilà's own front end (install Node.js for the light one)"; fi

# The learners' JupyterLab fixes (graders/serving/lab_a11y), from the exact versions in package-lock.json: a prebuilt
# extension, built by JupyterLab's own builder (@jupyterlab/builder) against the installed JupyterLab's core packages
# (its staging/package.json, so nothing is downloaded) into graders/serving/jupyter/labextensions/, which is on the
# learner's JUPYTER_PATH. `jupyter-builder build` is what `jupyter labextension build` hands over to since JupyterLab
# 4.6 (found on PATH, after some 10 s of starting JupyterLab's extension manager); it is called directly.
$(LAB_A11Y): $(LAB_A11Y_DIR)/package.json $(LAB_A11Y_DIR)/package-lock.json $(wildcard $(LAB_A11Y_DIR)/src/*) | $(VENV)/.installed
	cd $(LAB_A11Y_DIR) && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/jupyter-builder build --core-package-file="$$($(BIN)/python -c \
	    'import jupyterlab, pathlib; print(pathlib.Path(jupyterlab.__file__).parent / "staging" / "package.json")')" \
	    $(LAB_A11Y_DIR)
	touch $@

# Without Node.js learners' JupyterLab still runs, without the kit's accessibility fixes.
lab-a11y:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(LAB_A11Y); \
	else echo "smtk: npm not found, so learners' JupyterLab runs without the kit's accessibility fixes (install Node.js)"; fi

# configurable-http-proxy for `smtk hub`, from the exact versions in package-lock.json.
$(PROXY): $(PROXY_DIR)/package.json $(PROXY_DIR)/package-lock.json
	cd $(PROXY_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.bin/configurable-http-proxy

hub-proxy: $(PROXY)

kernels: $(VENV)/.installed
	$(BIN)/smtk kernels install

demo: $(VENV)/.installed frontend lab-a11y
	$(BIN)/smtk demo --lab-port $(LAB_PORT) --trainer-port $(TRAINER_PORT) --voila-port $(VOILA_PORT)

# The demo organisation on JupyterHub, with the demo roster: sign in as ana (a learner) or tom (the trainer).
hub: $(VENV)/.installed frontend node
	$(MAKE) --no-print-directory $(PROXY) $(LAB_A11Y)
	$(BIN)/smtk kernels install
	$(BIN)/smtk hub courses/orgs/demo.yaml --roster courses/orgs/demo-roster.csv --port $(HUB_PORT)

# WeasyPrint lays out the tagged PDFs (certificates, briefs) with the system's Pango.
pango:
	@bash .ci/ensure-apt '/usr/lib/*/libpangoft2-1.0.so.0' "the PDF certificates and briefs (WeasyPrint)" libpango-1.0-0 libpangoft2-1.0-0

browser:
	@bash .ci/ensure-apt /usr/bin/chromium "the browser tests (skipped without it, failed under CI=true)" chromium

# The shared-log tests start their own PostgreSQL server from Debian's package, in a temporary folder.
postgres:
	@bash .ci/ensure-apt '/usr/lib/postgresql/*/bin/initdb' "the PostgreSQL tests (skipped without it, failed under CI=true)" postgresql

node:
	@bash .ci/ensure-apt npm "the dashboards' light front end" nodejs npm

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: $(VENV)/.installed-test browser node postgres lint
	$(MAKE) --no-print-directory $(LIGHT) $(PROXY) $(LAB_A11Y)
	$(BIN)/smtk kernels install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache .ruff_cache $(FRONTEND)/node_modules $(PROXY_DIR)/node_modules $(dir $(LIGHT)) \
		$(LAB_A11Y_DIR)/node_modules $(dir $(LAB_A11Y))
