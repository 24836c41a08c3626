# kg: the README's commands. `make serve` builds the bundled articles and serves them;
# `make test` runs the whole suite. Both create .venv with pinned dependencies first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: serve build test lint bench bench-quick clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The SPARQL editor (YASGUI, package.json): installed when npm is there, skipped otherwise.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts || echo "kg: npm ci failed; /query falls back to its plain form" >&2; \
	fi

build: $(STAMP)
	$(BIN)/kg build

serve: build $(NODE_STAMP)
	$(BIN)/kg serve

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench
	$(BIN)/mypy

# Every benchmark in one go, ending with one table of figures, anchors, ratios and goals
# (bench/all.py; under 15 minutes; rdflib-endpoint is pip-installed into .venv when missing,
# Virtuoso is measured when virtuoso-t is installed). bench-quick: the same scaled down, under 2.
bench: $(STAMP)
	$(BIN)/python bench/all.py

bench-quick: $(STAMP)
	$(BIN)/python bench/all.py --quick

clean:
	rm -rf $(VENV) data node_modules .pytest_cache .mypy_cache .ruff_cache
