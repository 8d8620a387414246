# syndicate: `make run` (the main job) and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := ../shared/samples/rudaw-isis-final-moments.json

.PHONY: run test check lint typecheck pytest models bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,ops]'
	touch $(STAMP)

## Build demo gloss models for the configured pairs that no installed package serves,
## then translate the sample article into Arabic and Turkish.
run: $(STAMP)
	$(BIN)/syndicate models build-demo --preset base
	$(BIN)/syndicate translate $(SAMPLE) --to ar,tr

models: $(STAMP)
	$(BIN)/syndicate models build-demo --preset base

test: check pytest

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/translate.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
