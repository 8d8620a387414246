"""Push timing (issue 19, item 6): from ``POST /v1/articles`` to a partner's receiver
having the item, for 1 and for 20 partner endpoints.

Each run starts its own redis-server (AOF, fsync always, as the API requires), a worker,
a push worker (``syndicate worker --push``) and the API (cli/launcher.py), and HTTP
receivers in this process on loopback (``push_allow_networks = 127.0.0.0/8``). Articles
carry no targets: the item pushed is the source language's, published by the ingest task,
so the figures are the push path's (webhook, ingest, announce, nudge, claim, signed POST),
not a model's. Every partner is entitled to English and pushed ninjs.

- ``one``: one endpoint, answering 200 at once;
- ``twenty-healthy``: twenty endpoints, each answering 200 at once;
- ``twenty``: twenty endpoints: 18 answering 200 at once, one slow (200 after 2 s), one
  failing half the time (500 to every other request, so each of its items is sent once
  or more).

A run posts N articles through the signed webhook, one every ``--interval`` seconds, and
notes, for every endpoint and article, when the endpoint answered its first 2xx (the same
monotonic clock as the POST's start, in this process). Reported per group (healthy, slow,
failing): p50 and p95 of POST -> 2xx; and, measured in the same process, the healthy
endpoints' p50 and p95 in ``twenty`` as ratios of ``twenty-healthy`` (what a slow and a
failing partner cost the others) and of ``one`` (what twenty endpoints cost in all).

Run: ``.venv/bin/python benchmarks/push.py`` (``--articles 30 --interval 1``). The last
line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT

from syndicate.api.credentials import key_digest, new_partner_key
from syndicate.cli import launcher
from syndicate.store import partners
from syndicate.store.client import connect

SAMPLE = ROOT.parent / "shared" / "samples" / "rudaw-isis-final-moments.json"
SLOW_SECONDS = 2.0
ITEM_HEADER = "x-syndicate-item"


@dataclass
class Endpoint:
    """One partner's receiver: ``behaviour`` picks the status of the n-th request (from 1),
    and when each item first got a 2xx (monotonic seconds)."""

    name: str
    group: str  # healthy, slow, failing
    behaviour: Callable[[int], int]
    url: str = ""
    requests: int = 0
    arrived: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, item: str) -> int:
        with self.lock:
            self.requests += 1
            status = self.behaviour(self.requests)
        if self.group == "slow":
            time.sleep(SLOW_SECONDS)
        return status

    def got(self, item: str) -> None:
        with self.lock:
            self.arrived.setdefault(item, time.monotonic())


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            item = self.headers.get(ITEM_HEADER, "")
            status = endpoint.answer(item)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if 200 <= status <= 299:
                endpoint.got(item)  # the answer is written: the sender has its 2xx

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Handler


@contextmanager
def serving(endpoints: Sequence[Endpoint]) -> Iterator[None]:
    """Each endpoint's receiver on a free loopback port, until the block ends."""
    servers = []
    try:
        for endpoint in endpoints:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
            server.daemon_threads = True
            endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        yield
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def endpoints_of(layout: str) -> list[Endpoint]:
    """``one``: a healthy endpoint; ``twenty-healthy``: twenty; ``twenty``: 18 healthy,
    one slow, one failing."""
    healthy = [Endpoint(f"partner-{n:02}", "healthy", lambda n: 200) for n in range(1, 21)]
    if layout != "twenty":
        return healthy[:1] if layout == "one" else healthy
    slow = Endpoint("partner-slow", "slow", lambda n: 200)
    failing = Endpoint("partner-failing", "failing", lambda n: 500 if n % 2 else 200)
    return [*healthy[:18], slow, failing]


@dataclass(frozen=True, slots=True)
class Service:
    base: str
    secret: str


def start_service(stack: launcher.Stack, run_dir: Path, endpoints: Sequence[Endpoint]) -> Service:
    """Private Redis, a worker, a push worker, the API, and a partner per endpoint."""
    redis = launcher.start_redis(stack, run_dir / "redis")
    port = launcher.free_port()
    base = f"http://127.0.0.1:{port}"
    secret, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    extra = {"SYNDICATE_DEFAULT_TARGETS": "", "SYNDICATE_PUBLIC_BASE_URL": base}
    extra |= {"SYNDICATE_PUSH_ALLOW_NETWORKS": "127.0.0.0/8", "SYNDICATE_MODELS_DIR": str(run_dir)}
    env = launcher.service_env(redis.url, secret, token, extra)
    launcher.start_worker(stack, env, run_dir / "worker.log")
    launcher.start_push_worker(stack, env, run_dir / "push-worker.log")
    launcher.start_api(stack, env, "127.0.0.1", port, run_dir / "api.log")
    launcher.wait_healthy(base, stack, 300)
    client = connect(redis.url)
    try:
        for e in endpoints:
            push = partners.Push(e.url, "ninjs", secrets.token_urlsafe(24))
            digest = key_digest(new_partner_key())
            partner = partners.Partner(e.name, digest, ("en",), ("ninjs",), datetime.now(UTC), push)
            partners.add_partner(client, partner)
    finally:
        client.close()
    return Service(base, secret)


def _body(article: dict[str, Any], article_id: str) -> bytes:
    return json.dumps({**article, "id": article_id, "targets": [], "version": 1}).encode()


def post_all(service: Service, count: int, interval: float) -> dict[str, float]:
    """Post ``count`` articles, one every ``interval`` s; when each POST started."""
    article = json.loads(SAMPLE.read_text("utf-8"))
    started: dict[str, float] = {}
    with httpx.Client(timeout=30) as client:
        launcher.post_article(client, service.base, _body(article, "push-warm-up"), service.secret)
        time.sleep(max(interval, 2.0))  # the warm-up's pushes out of the way
        begin = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, begin + n * interval - time.monotonic()))
            posted = launcher.post_article(
                client, service.base, _body(article, f"push-{n:03}"), service.secret
            )
            started[posted.article_id] = posted.at
    return started


def wait_arrived(
    endpoints: Sequence[Endpoint], ids: Sequence[str], stack: launcher.Stack, seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while any(i not in e.arrived for e in endpoints for i in ids):
        stack.check_alive()
        if time.monotonic() > deadline:
            missing = {e.name: sum(i not in e.arrived for i in ids) for e in endpoints}
            raise launcher.LaunchError(f"not pushed after {seconds:.0f} s: {missing}")
        time.sleep(launcher.POLL_SECONDS)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latencies(endpoints: Sequence[Endpoint], started: dict[str, float]) -> dict[str, Any]:
    """p50 and p95 of POST -> first 2xx, in ms, per group of endpoints."""
    figures: dict[str, Any] = {}
    for group in ("healthy", "slow", "failing"):
        found = [
            e.arrived[i] - at for e in endpoints if e.group == group for i, at in started.items()
        ]
        if found:
            figures[group] = {
                "endpoints": sum(e.group == group for e in endpoints),
                "p50_ms": round(1000 * percentile(found, 0.50), 1),
                "p95_ms": round(1000 * percentile(found, 0.95), 1),
                "max_ms": round(1000 * max(found), 1),
            }
    return figures


def run(layout: str, args: argparse.Namespace) -> dict[str, Any]:
    endpoints = endpoints_of(layout)
    stack = launcher.Stack()
    with tempfile.TemporaryDirectory(prefix="syndicate-push-") as tmp, serving(endpoints):
        try:
            service = start_service(
                stack, args.log_dir / layout if args.log_dir else Path(tmp), endpoints
            )
            print(f"{layout}: service up at {service.base}, {len(endpoints)} endpoints", flush=True)
            started = post_all(service, args.articles, args.interval)
            wait_arrived(endpoints, list(started), stack, 300)
        finally:
            stack.stop()
    return latencies(endpoints, started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30, help="timed articles per run")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between POSTs")
    parser.add_argument("--log-dir", type=Path, help="keep each run's logs here")
    args = parser.parse_args(argv)
    runs = {layout: run(layout, args) for layout in ("one", "twenty-healthy", "twenty")}
    report: dict[str, Any] = {"articles": args.articles, "interval_s": args.interval, **runs}
    for base in ("twenty-healthy", "one"):
        for q in ("p50", "p95"):
            ratio = runs["twenty"]["healthy"][f"{q}_ms"] / runs[base]["healthy"][f"{q}_ms"]
            report[f"healthy_{q}_twenty_vs_{base}"] = round(ratio, 2)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
