"""What a durable accept costs on ``POST /v1/articles`` (issue 9, item 5).

The accept path writes to Redis four times (the version and its states in one Lua script,
the ingest counter, the ingest message, the dispatch mark). With ``appendfsync always``
Redis fsyncs its append-only file before answering each write, so a 202 survives a
kill -9 of redis-server (docs/operations.md, "Durability"); ``everysec`` fsyncs once a
second and may lose the last second of answered writes; no AOF loses everything.

For each setting the benchmark starts its own redis-server (files in a temporary
directory on the disk the checkout is on, unless ``--dir``) and ``syndicate serve`` on it
(no worker: the POST alone is measured), posts one warm-up article, then N articles one
after another through the signed webhook, and reports the per-POST latency. The settings
take turns over ``--rounds`` rounds, so a slow moment of a shared machine hits all of
them; the medians of the rounds are compared as ratios against no AOF, in the same
process. The last line is one JSON object with the figures.

Run: ``.venv/bin/python benchmarks/durability.py`` (``--posts 200 --rounds 3``).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT

from syndicate.cli import launcher

SAMPLE = ROOT.parent / "shared" / "samples" / "rudaw-isis-final-moments.json"
SETTINGS: dict[str, list[str]] = {
    "no-aof": ["--appendonly", "no"],
    "everysec": ["--appendonly", "yes", "--appendfsync", "everysec"],
    "always": ["--appendonly", "yes", "--appendfsync", "always"],
}
START_SECONDS = 60.0


def _redis(stack: launcher.Stack, directory: Path, flags: Sequence[str]) -> str:
    """A redis-server with ``flags`` on a free port, files in ``directory``; its URL."""
    port = launcher.free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += [*flags, "--dir", str(directory)]
    child = stack.spawn("redis-server", command, {}, directory / "redis.log")
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + START_SECONDS
    while not launcher.answers_ping(url):
        stack.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"redis-server did not start (see {child.log})")
        time.sleep(launcher.POLL_SECONDS)
    return url


def _api_up(http: httpx.Client, base: str, stack: launcher.Stack) -> None:
    """Until the API answers at all (/healthz says 503 without a worker: that is fine)."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        stack.check_alive()
        try:
            http.get(f"{base}/healthz")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit(f"the API at {base} did not answer") from None
            time.sleep(launcher.POLL_SECONDS)


def _body(article: dict[str, Any], article_id: str) -> bytes:
    return json.dumps({**article, "id": article_id}).encode()


def measure(name: str, posts: int, work: Path, article: dict[str, Any]) -> list[float]:
    """Seconds per POST for ``posts`` articles against a fresh Redis with ``name``'s flags."""
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    stack, secret = launcher.Stack(), secrets.token_hex(16)
    try:
        url = _redis(stack, directory, SETTINGS[name])
        # the API refuses a store that does not fsync every write unless told otherwise
        extra = {"SYNDICATE_REQUIRE_DURABLE_STORE": "false", "SYNDICATE_LOG_LEVEL": "WARNING"}
        env = launcher.service_env(url, secret, secrets.token_hex(16), extra)
        port = launcher.free_port()
        launcher.start_api(stack, env, "127.0.0.1", port, directory / "api.log")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(timeout=30) as http:
            _api_up(http, base, stack)
            launcher.post_article(http, base, _body(article, f"warm-{name}"), secret)
            seconds = []
            for n in range(posts):
                body = _body(article, f"durable-bench-{name}-{n}")
                started = time.perf_counter()
                launcher.post_article(http, base, body, secret)
                seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        stack.stop()


def _ms(value: float) -> float:
    return round(value * 1000, 3)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="POSTs per setting and round")
    parser.add_argument("--rounds", type=int, default=3, help="turns each setting takes")
    parser.add_argument("--dir", type=Path, default=ROOT / "var", help="where Redis writes")
    args = parser.parse_args(argv)
    article = json.loads(SAMPLE.read_text("utf-8"))
    args.dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-durability-", dir=args.dir))
    rounds: dict[str, list[list[float]]] = {name: [] for name in SETTINGS}
    for number in range(args.rounds):
        for name in SETTINGS:
            seconds = measure(name, args.posts, work, article)
            rounds[name].append(seconds)
            median = statistics.median(seconds)
            print(f"round {number + 1} {name:>8}: median {_ms(median)} ms per POST")
    figures: dict[str, Any] = {"posts": args.posts, "rounds": args.rounds, "dir": str(work)}
    baseline = statistics.median([statistics.median(r) for r in rounds["no-aof"]])
    for name, runs in rounds.items():
        medians = [statistics.median(r) for r in runs]
        everything = sorted(s for r in runs for s in r)
        median = statistics.median(medians)
        figures[name] = {
            "median_ms": _ms(median),
            "p95_ms": _ms(everything[int(0.95 * (len(everything) - 1))]),
            "round_medians_ms": [_ms(m) for m in medians],
            "ratio_to_no_aof": round(median / baseline, 3),
        }
        print(f"{name:>8}: median {_ms(median)} ms per POST, x{median / baseline:.2f} no AOF")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
