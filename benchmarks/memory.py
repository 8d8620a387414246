"""A worker's memory with one multilingual model serving four pairs (issue 17).

Starts a private redis-server and ``syndicate worker`` (one child, the models preloaded
after the fork for the configured targets) on the NLLB-shaped multilingual demo model
(``--preset base`` by default: Transformer-base, int8, an 8k vocabulary), and reads the
worker's PSS (``/proc/<pid>/smaps_rollup``, parent and child: shared pages split between
them) once the child logs "models loaded". Three layouts, each a fresh worker:

- ``four pairs``: targets ar, tr, ckb, kmr on the four packages of one model;
- ``one pair``: target ckb only;
- ``four copies``: the same four packages, each config.json made different by a space so
  that no two digests match: what loading per package (as Argos does) costs.

Run: ``.venv/bin/python benchmarks/memory.py``. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT
from service import worker_memory

from syndicate.cli import launcher
from syndicate.models.multidemo import install_family

TARGETS = ("ar", "tr", "ckb", "kmr")
LOADED_SECONDS = 300.0


def _copies(models: Path, into: Path) -> Path:
    """The packages again, hard-linked, each config.json rewritten apart (digests differ)."""
    shutil.copytree(models, into, copy_function=os.link)
    for k, config in enumerate(sorted(into.glob("*/model/config.json"))):
        text = config.read_text("utf-8")
        config.unlink()  # a hard link: write a file of its own
        config.write_text(text + " " * (k + 1), "utf-8")
    return into


def _measure(models: Path, targets: Sequence[str], run_dir: Path) -> dict[str, object]:
    stack = launcher.Stack()
    try:
        redis = launcher.start_redis(stack, run_dir / "redis")
        extra = {
            "SYNDICATE_MODELS_DIR": str(models),
            "SYNDICATE_DEFAULT_TARGETS": ",".join(targets),
            "SYNDICATE_WORKER_CONCURRENCY": "1",
            "SYNDICATE_LOG_FORMAT": "json",
        }
        env = launcher.service_env(redis.url, secrets.token_hex(8), secrets.token_hex(8), extra)
        log = run_dir / "worker.log"
        worker = launcher.start_worker(stack, env, log, ["--concurrency", "1"])
        deadline = time.monotonic() + LOADED_SECONDS
        while '"models loaded"' not in (log.read_text("utf-8") if log.exists() else ""):
            if time.monotonic() > deadline or worker.process.poll() is not None:
                raise SystemExit(f"the worker did not load its models: {worker.tail()}")
            time.sleep(0.2)
        loaded = next(
            json.loads(line)
            for line in log.read_text("utf-8").splitlines()
            if "models loaded" in line
        )
        return {"models_loaded": loaded.get("models"), **worker_memory(worker.process.pid)}
    finally:
        stack.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=("tiny", "base"), default="base")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "bench-models-nllb")
    args = parser.parse_args(argv)
    install_family(args.models_dir, "nllb", args.preset)
    with tempfile.TemporaryDirectory(prefix="syndicate-memory-") as tmp:
        root = Path(tmp)
        layouts = {
            "four pairs": (args.models_dir, TARGETS),
            "one pair": (args.models_dir, ("ckb",)),
            "four copies": (_copies(args.models_dir, root / "copies"), TARGETS),
        }
        result = {}
        for name, (models, targets) in layouts.items():
            result[name] = _measure(models, targets, root / name.replace(" ", "-"))
            print(f"{name}: {result[name]}", flush=True)
    size = sum(f.stat().st_size for f in args.models_dir.glob("*/model/model.bin")) // 4
    print(json.dumps({"preset": args.preset, "model_bin_mib": round(size / 2**20, 1), **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
