"""The partner poll path against a bare ASGI app serving the same bytes (issue 20, item 5).

Starts its own redis-server, stores real feeds (``--articles`` generated articles published
in English and rendered by the pipeline's own render step), adds a partner, then starts
``syndicate serve`` (``--workers``) and a bare ASGI app on the same uvicorn server options
(api/server.py), the bare one holding the feed's bytes, gzip bytes and ETag in memory. One
load generator, wrk (Debian's package; ``make poll`` installs it), drives both in one run:
for each kind of poll (a 200, a 304 with the ETag the partner holds, a gzip 200) the two
servers take turns over ``--rounds`` rounds of ``--seconds`` each at ``--connections``
connections; each server's median round counts, and so does the median of the rounds'
ratios (``paired_ratio``: a round's two runs are next to each other in time). ``--pin``
puts each server on CPU 0 and wrk and Redis on the last CPU (taskset, sched_setaffinity):
the server measured then has a core to itself in its turn, as each side equally. Before
the load every kind is checked once on both servers: the same status, ETag and bytes.

The two servers share this machine's cores with wrk and Redis, so absolute figures move
with the machine; the ratio of ours to the bare app, measured side by side, is the figure
to compare (docs/performance.md, "Polls"). The last line is one JSON object.

Run: ``make poll`` or ``.venv/bin/python benchmarks/poll.py [--workers 2]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import benchmark_articles

from syndicate.api.credentials import key_digest, new_partner_key
from syndicate.cli import launcher
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.news.article import parse_article
from syndicate.store import articles, partners
from syndicate.store.client import connect
from syndicate.worker.rendering import render_language

LANG = "en"
FEED = "rss"
PATH = f"/v1/feeds/{LANG}.rss"
KINDS = ("200", "304", "gzip")
# wrk prints this one line when a run ends (its Lua ``done`` hook): requests, time, p99.
_WRK_SCRIPT = """
wrk.headers["Authorization"] = [==[Bearer %(key)s]==]
%(headers)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%.6f, "p99_ms": %%.3f, '
    .. '"p50_ms": %%.3f, "errors": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(99) / 1e3, latency:percentile(50) / 1e3,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _bare_app(body: bytes, packed: bytes, etag: str, media: str) -> Starlette:
    """The least a Starlette app can do to serve this feed as ours does: one route, the
    bytes in memory, 304 on the ETag, gzip when accepted (the framework ours runs on)."""
    zipped_etag = etag[:-1] + '-gzip"'

    async def feed(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        if "gzip" in request.headers.get("accept-encoding", ""):
            out = {"ETag": zipped_etag, "Content-Encoding": "gzip"}
            return Response(packed, headers=out, media_type=media)
        return Response(body, headers={"ETag": etag}, media_type=media)

    return Starlette(routes=[Route(PATH, feed), Route("/openapi.json", feed)])


def serve_bare(redis_url: str, port: int) -> None:
    """The bare app's process: the stored feed's bytes once, then uvicorn as ``serve``."""
    import uvicorn

    from syndicate.api.server import server_options

    client = connect(redis_url)
    found = client.hmget(f"syn:feed:{LANG}:{FEED}", ["body", "etag"])
    body, etag = bytes(found[0]), bytes(found[1]).decode()
    client.close()
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    app = _bare_app(body, packed, etag, "application/rss+xml; charset=utf-8")
    uvicorn.run(app, host="127.0.0.1", port=port, **server_options(10))


def _store_feed(redis_url: str, count: int, base: str) -> int:
    """Publish ``count`` generated articles in English and render the feeds once; the size
    of the RSS body a poll serves."""
    client = connect(redis_url)
    now = datetime.now(UTC)
    try:
        for i, raw in enumerate(benchmark_articles(count)):
            raw = {**raw, "language": LANG, "version": 1}
            article = parse_article(raw)
            moment = now - timedelta(minutes=count - i)
            articles.save_version(client, article, [LANG], moment)
            articles.publish_item(client, article, moment, mark_done=True)
        provider = make_provider("Bench", "bench.example.org", "", base)
        render_language(client, LANG, FeedSite(provider, base, 5, count), now)
        return len(bytes(client.hget(f"syn:feed:{LANG}:{FEED}", "body") or b""))
    finally:
        client.close()


def _add_partner(redis_url: str) -> str:
    key = new_partner_key()
    client = connect(redis_url)
    try:
        record = partners.Partner("poll", key_digest(key), (LANG,), ("rss",), datetime.now(UTC))
        partners.add_partner(client, record)
    finally:
        client.close()
    return key


def _headers(kind: str, etag: str) -> dict[str, str]:
    if kind == "304":
        return {"If-None-Match": etag}
    return {"Accept-Encoding": "gzip"} if kind == "gzip" else {}


def _check(bases: Mapping[str, str], key: str) -> str:
    """Both servers answer each kind alike (status, ETag, decoded bytes); the ETag."""
    auth = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
    with httpx.Client(timeout=10) as http:
        first = http.get(bases["ours"] + PATH, headers=auth)
        first.raise_for_status()
        etag = first.headers["etag"]
        for kind in KINDS:
            seen = []
            for name, base in bases.items():
                r = http.get(base + PATH, headers={**auth, **_headers(kind, etag)})
                seen.append((r.status_code, r.headers.get("etag"), r.content))
                print(f"check {kind} {name}: {r.status_code} {len(r.content)} bytes", flush=True)
            if seen[0] != seen[1]:
                raise SystemExit(
                    f"the two servers differ on a {kind} poll: {seen[0][:2]} {seen[1][:2]}"
                )
    return etag


@dataclass(frozen=True, slots=True)
class Run:
    rps: float
    p99_ms: float
    p50_ms: float
    errors: int


def _wrk(url: str, script: Path, args: argparse.Namespace) -> Run:
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
    if args.pin:
        command = ["taskset", "-c", str(_last_cpu()), *command]
    out = subprocess.run([*command, "-s", str(script), url], capture_output=True, text=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    r = json.loads(line.removeprefix("RESULT "))
    return Run(r["requests"] / r["seconds"], r["p99_ms"], r["p50_ms"], r["errors"])


def _measure(
    bases: Mapping[str, str], key: str, etag: str, args: argparse.Namespace, work: Path
) -> dict[str, dict[str, list[Run]]]:
    """For each kind, the servers in turn for ``rounds`` rounds: each server's runs."""
    found: dict[str, dict[str, list[Run]]] = {k: {n: [] for n in bases} for k in KINDS}
    for kind in KINDS:
        lines = [f'wrk.headers["{k}"] = [==[{v}]==]' for k, v in _headers(kind, etag).items()]
        script = work / f"{kind}.lua"
        script.write_text(_WRK_SCRIPT % {"key": key, "headers": "\n".join(lines)}, "utf-8")
        for _ in range(args.rounds):
            for name, base in bases.items():
                run = _wrk(base + PATH, script, args)
                found[kind][name].append(run)
                figures = f"{run.rps:8.0f} req/s  p99 {run.p99_ms:6.2f} ms  errors {run.errors}"
                print(f"{kind:>4} {name:<4} {figures}", flush=True)
    return found


def _median(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.rps)
    return ordered[len(ordered) // 2]


def _paired(ours: list[Run], bare: list[Run]) -> float:
    """The median of each round's ratio: a round's two runs are next to each other in
    time, so a machine whose load drifts (other sessions' tests) moves both alike."""
    ratios = sorted(o.rps / b.rps for o, b in zip(ours, bare, strict=True))
    return ratios[len(ratios) // 2]


def _summary(found: dict[str, dict[str, list[Run]]], args: argparse.Namespace, size: int) -> Any:
    out: dict[str, Any] = {
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "workers": args.workers,
        "pinned": args.pin,
        "feed_bytes": size,
    }
    for kind, runs in found.items():
        ours, bare = _median(runs["ours"]), _median(runs["bare"])
        out[kind] = {
            "paired_ratio": round(_paired(runs["ours"], runs["bare"]), 3),
            "ours_rps": round(ours.rps),
            "bare_rps": round(bare.rps),
            "ratio": round(ours.rps / bare.rps, 3),
            "ours_p99_ms": round(ours.p99_ms, 2),
            "bare_p99_ms": round(bare.p99_ms, 2),
            "ours_p50_ms": round(ours.p50_ms, 2),
            "errors": ours.errors + bare.errors,
        }
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not on PATH: apt-get install wrk (make poll does)")
    stack = launcher.Stack()
    with tempfile.TemporaryDirectory(prefix="syndicate-poll-") as tmp:
        work = Path(tmp)
        try:
            redis = launcher.start_redis(stack, work / "redis")
            ours_port, bare_port = launcher.free_port(), launcher.free_port()
            base = f"http://127.0.0.1:{ours_port}"
            size = _store_feed(redis.url, args.articles, base)
            key = _add_partner(redis.url)
            secret, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            extra = {"SYNDICATE_PUBLIC_BASE_URL": base}
            env = launcher.service_env(redis.url, secret, token, extra)
            command = [*launcher.syndicate_command(), "serve", "--port", str(ours_port)]
            command += ["--workers", str(args.workers)]
            api = stack.spawn("api", command, env, work / "api.log")
            bare = [sys.executable, __file__, "--serve-bare", redis.url, str(bare_port)]
            servers = [api, stack.spawn("bare", bare, env, work / "bare.log")]
            bases = {"ours": base, "bare": f"http://127.0.0.1:{bare_port}"}
            for url in bases.values():
                _wait_up(url, stack)
            if args.pin:
                _pin(servers, redis.child)
            etag = _check(bases, key)
            results = _measure(bases, key, etag, args, work)
        finally:
            stack.stop()
    return _summary(results, args, size)


def _last_cpu() -> int:
    return max(os.sched_getaffinity(0))


def _pin(servers: list[launcher.Child], redis: launcher.Child | None) -> None:
    """``--pin``: each server on CPU 0, Redis and wrk (``_wrk``) on the last CPU, so the
    server measured has a core to itself in its turn and neither waits behind wrk; ours
    shares nothing with its Redis either, as on a machine of its own."""
    for child in servers:
        _set_cpus(child.process.pid, {0})
    if redis is not None:
        _set_cpus(redis.process.pid, {_last_cpu()})


def _set_cpus(pid: int, cpus: set[int]) -> None:
    for thread in Path(f"/proc/{pid}/task").iterdir():  # threads started already, too
        os.sched_setaffinity(int(thread.name), cpus)


def _wait_up(base: str, stack: launcher.Stack) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=2) as http:
        while time.monotonic() < deadline:
            stack.check_alive()
            try:
                http.get(base + "/openapi.json")
                return
            except httpx.HTTPError:
                time.sleep(0.1)
    raise SystemExit(f"{base} did not answer in 60 s")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        serve_bare(sys.argv[2], int(sys.argv[3]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--articles", type=int, default=20, help="items in the feed polled")
    p.add_argument("--workers", type=int, default=1, help="syndicate serve --workers N")
    p.add_argument("--pin", action="store_true", help="servers on CPU 0, wrk and Redis apart")
    args = p.parse_args()
    if args.pin and (args.workers != 1 or _last_cpu() == 0):
        p.error("--pin needs --workers 1 and two CPUs")
    summary = run(args)
    for kind in KINDS:
        k = summary[kind]
        rates = f"{k['ours_rps']} / {k['bare_rps']} req/s"
        p99 = f"p99 {k['ours_p99_ms']} ms (bare {k['bare_p99_ms']} ms)"
        ratios = f"{k['ratio']:.2f}, paired {k['paired_ratio']:.2f}"
        print(f"{kind:>4}: ours/bare {ratios} ({rates}), {p99}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
