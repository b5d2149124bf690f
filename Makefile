# Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# PuLP 4.x needs Python >= 3.12. Take the first interpreter that really runs
# (pyenv shims exist for versions that are installed but not activated).
PYTHON ?= $(shell for p in python3.13 python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null) \
	python3; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p || echo $$p; break; fi; \
	done)

.PHONY: demo test test-slow lint format schema clean bench

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "bestshore needs Python 3.12 or newer (PuLP 4 requires it)."; \
	  echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12', then re-run."; \
	  exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebook]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/bestshore solve scenarios/demo.yaml --out out

# Test files run in parallel on every core (pytest-xdist; a file stays on one worker,
# so its module fixtures are built once).
test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile

test-slow: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile -m slow

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,notebook,bench]'
	$(PY) -m bench.run --out bench/results.md --chart-dir docs $(BENCH_ARGS)
	$(PY) -m bench.limits --out bench/limits.md

schema: $(STAMP)
	$(VENV)/bin/bestshore schema --out docs/scenario.schema.json

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
