# syndicate: `make run` (the main job) and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := ../shared/samples/rudaw-isis-final-moments.json

FLOWER_PORT ?= 5555
RUN_ARGS ?=

.PHONY: run flower test check lint typecheck pytest models bench bench-service clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,ops]'
	touch $(STAMP)

## The whole service on this machine (syndicate run, src/syndicate/cli_run.py): reuse the
## Redis at SYNDICATE_REDIS_URL or start a private redis-server, install or build a model per
## configured pair, start a worker and the API on 127.0.0.1:8000, post the sample through the
## signed webhook, print the time to published per language and the feed URLs; serve until
## Ctrl-C. Options: make run RUN_ARGS="--port 8001 --article other.json --offline --once"
run: $(STAMP)
	$(BIN)/syndicate run $(RUN_ARGS)

## Flower, the Celery monitor, on the configured Redis (the one make run uses by default).
flower: $(STAMP)
	$(BIN)/celery -A worker --broker="$$($(BIN)/python -c 'from syndicate.config import settings; print(settings().redis_url)')" flower --port=$(FLOWER_PORT)

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

bench-service: $(STAMP)
	$(BIN)/python benchmarks/service.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
