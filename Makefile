# syndicate: `make run` (the main job) and `make test` work on a fresh machine.
# Each target installs only the extras it needs into .venv, once (a stamp file per set):
# run and flower `.[ops]`, test `.[test,ops]`, bench and bench-service `.[ops,bench]`.
# `make help` prints the ## lines below.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := ../shared/samples/rudaw-isis-final-moments.json

FLOWER_PORT ?= 5555
# Flower has no authentication of its own: loopback unless you say otherwise (and then put
# it behind --basic-auth or an authenticating proxy: docs/operations.md, "Flower").
FLOWER_ADDRESS ?= 127.0.0.1
FLOWER_ARGS ?=
RUN_ARGS ?=
POLL_ARGS ?=
MODELS ?= bilingual
CLUSTER_ARGS ?=

.PHONY: help run flower test check lint typecheck pytest models bench bench-service bench-push fidelity poll cluster clean

# The stamp of a larger set implies the smaller ones (pip adds to what is installed).
OPS_STAMP := $(VENV)/.installed-ops
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(OPS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[ops]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,ops]'
	touch $@ $(OPS_STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[ops,bench]'
	touch $@ $(OPS_STAMP)

help:
	@sed -n 's/^## \{0,1\}//p' Makefile

## make run: the whole service on this machine (syndicate run: src/syndicate/cli/run.py over
## src/syndicate/cli/launcher.py): reuse the Redis at SYNDICATE_REDIS_URL or start a private
## redis-server, install or build a model per configured pair, start a worker and the API on
## 127.0.0.1:8000, post the sample through the signed webhook, print the time to published
## per language, the feed URLs and the shell exports for the commands of docs/operations.md;
## serve until Ctrl-C. Options: make run RUN_ARGS="--port 8001 --article other.json --offline --once"
## make run MODELS=multilingual: one multilingual demo model (NLLB-shaped, a target prefix
## chooses the language; MODELS=madlad: MADLAD-shaped) serves en -> ar, tr, ckb and kmr.
run: $(OPS_STAMP)
	$(BIN)/syndicate run --models $(MODELS) $(RUN_ARGS)

## make flower: Flower, the Celery monitor, on the configured Redis (the one make run uses by default),
## listening on 127.0.0.1:5555 only (FLOWER_ADDRESS, FLOWER_PORT; FLOWER_ARGS="--basic-auth=user:pass");
## the app is worker.py at the root (celery -A worker), built by src/syndicate/worker/app.py.
flower: $(OPS_STAMP)
	$(BIN)/celery -A worker --broker="$$($(BIN)/python -c 'from syndicate.config import settings; print(settings().redis_url)')" flower --address=$(FLOWER_ADDRESS) --port=$(FLOWER_PORT) $(FLOWER_ARGS)

## make models: base demo gloss models for the configured pairs (src/syndicate/cli/models.py).
models: $(OPS_STAMP)
	$(BIN)/syndicate models build-demo --preset base

## make test: ruff, mypy --strict, then the whole pytest suite (.ci/run calls this in CI).
test: check pytest

check: lint typecheck

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP)
	$(BIN)/pytest -q

## make bench, make bench-service: benchmarks/translate.py and benchmarks/service.py (docs/performance.md).
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/translate.py

bench-service: $(BENCH_STAMP)
	$(BIN)/python benchmarks/service.py

## make bench-push: benchmarks/push.py, POST -> a partner's receiver has the item, for 1 and 20
## push endpoints, one slow and one failing half the time (docs/performance.md, "Push").
bench-push: $(OPS_STAMP)
	$(BIN)/python benchmarks/push.py

## make fidelity: benchmarks/fidelity.py, tag placement with noisy and reordering models (docs/performance.md).
fidelity: $(BENCH_STAMP)
	$(BIN)/python benchmarks/fidelity.py

## make poll: benchmarks/poll.py, the partner poll path against a bare Starlette app serving the
## same bytes, driven by wrk (installed from Debian's packages when missing; docs/performance.md).
## Options: make poll POLL_ARGS="--workers 2 --connections 32 --rounds 3"
poll: $(OPS_STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/poll.py $(POLL_ARGS)

## make cluster: the service as hosts in network namespaces joined by a bridge (root; iproute2):
## redis-1 and redis-2 with three sentinels, api-1 and api-2, worker-a (ar, tr) and worker-k
## (ckb, kmr); kill -9 the Redis master under load, kill -9 api-1 under poll load, cut
## worker-k off mid-translation; one JSON line per fault, and nothing left behind (tests/cluster/).
cluster: $(OPS_STAMP)
	@command -v ip >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2)
	$(BIN)/python tests/cluster/cluster.py $(CLUSTER_ARGS)

## make clean: delete .venv, var/ (models, run logs) and the tool caches.
clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
