"""Service throughput: signed webhook -> Celery worker on Redis -> feeds, against the one-shot
translate stage on the same articles (issue 4, item 8).

Starts its own redis-server, a worker and the API (src/syndicate/launcher.py) on the ``base``
gloss models (Transformer-base, int8, built into var/bench-models if needed), posts one
warm-up article, then N articles through the signed webhook as fast as it can, and waits
until each is in every language's ninjs feed: the moment a partner can see it. The feeds
are polled with ETags (one cheap request per language per 0.1 s, not one per article, so
the poller does not steal the worker's CPU); the statuses are checked at the end. Then the
worker's resident memory is sampled, everything is stopped, and the same articles go
through ``translate_article`` in-process (as benchmarks/translate.py runs its pipeline
path: intra 1, inter 2, two articles in flight), without Redis, Celery or HTTP.

Generated articles draw their sentences from a pool of 40, and the service keeps a shared
translation memory in Redis, so without care most sentences would come from memory and the
run would measure Redis, not the model. By default every sentence of a generated article
is therefore made unique (``, ref <n>`` before its full stop); ``--repeat-sentences``
keeps the corpus as it is. ``model_segments`` reports what the model actually translated.

Run: ``.venv/bin/python benchmarks/service.py`` (``make bench-service``); compare worker
layouts with ``--concurrency 2 --inter-threads 1`` against ``--concurrency 1
--inter-threads 2``. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, benchmark_articles

from syndicate.api.credentials import key_digest, new_partner_key
from syndicate.cli import launcher
from syndicate.config import read_glossary, settings
from syndicate.markup.alignment import AlignedTranslation
from syndicate.models.demo import install_demo_models
from syndicate.models.engine import Engine
from syndicate.news.article import Article, parse_article
from syndicate.store import ops, partners
from syndicate.store.client import connect
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article

BEAM = 4
FEED_POLL_SECONDS = 0.1
_SENTENCE_END = re.compile(r"(?<=[a-z]{3})\.(?=[\s<\"”]|$)")


@dataclass(frozen=True, slots=True)
class Service:
    """What the benchmark talks to: the API, the credentials, and the worker process."""

    base: str
    secret: str
    token: str
    partner_key: str
    redis_url: str
    worker: launcher.Child


def _distinct(article: dict[str, Any], serial: Iterator[int]) -> dict[str, Any]:
    """A generated article whose every sentence is unique (see the module docstring)."""
    if not str(article["id"]).startswith("bench-"):
        return article

    def tag(match: re.Match[str]) -> str:
        return f", ref {next(serial)}."

    changed = dict(article)
    for name in ("summary", "body_html"):
        changed[name] = _SENTENCE_END.sub(tag, str(article[name]))
    changed["headline"] = f"{article['headline']}, ref {next(serial)}"
    return changed


def corpus(count: int, languages: Sequence[str], repeat: bool) -> list[dict[str, Any]]:
    """The warm-up article first, then ``count`` benchmark articles, targets ``languages``."""
    raw = benchmark_articles(count + 1)
    warm_up = dict(raw.pop(), id="bench-warm-up")
    serial = itertools.count(1)
    chosen = [warm_up, *raw]
    if not repeat:
        chosen = [_distinct(a, serial) for a in chosen]
    return [dict(a, targets=list(languages), version=1) for a in chosen]


def _demo_partner(redis_url: str, languages: Sequence[str]) -> str:
    key = new_partner_key()
    client = connect(redis_url)
    try:
        partner = partners.Partner(
            "bench", key_digest(key), tuple(languages), ("ninjs",), datetime.now(UTC)
        )
        partners.add_partner(client, partner)
    finally:
        client.close()
    return key


def start_service(
    stack: launcher.Stack, args: argparse.Namespace, targets: Sequence[str], run_dir: Path
) -> Service:
    """Private Redis, one worker with the chosen layout, the API; returns once healthy."""
    redis = launcher.start_redis(stack, run_dir / "redis")
    port = launcher.free_port()
    base = f"http://127.0.0.1:{port}"
    secret, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    extra = {
        "SYNDICATE_MODELS_DIR": str(args.models_dir),
        "SYNDICATE_DEFAULT_TARGETS": ",".join(targets),
        "SYNDICATE_WORKER_CONCURRENCY": str(args.concurrency),
        "SYNDICATE_INTRA_THREADS": str(args.intra_threads),
        "SYNDICATE_INTER_THREADS": str(args.inter_threads),
        "SYNDICATE_BEAM_SIZE": str(BEAM),
        "SYNDICATE_FEED_SIZE": str(max(50, args.articles + 10)),
        "SYNDICATE_PUBLIC_BASE_URL": base,
    }
    env = launcher.service_env(redis.url, secret, token, extra)
    worker_args = ["--concurrency", str(args.concurrency), "--pool", args.pool]
    worker = launcher.start_worker(stack, env, run_dir / "worker.log", worker_args)
    launcher.start_api(stack, env, "127.0.0.1", port, run_dir / "api.log")
    launcher.wait_healthy(base, stack, 300)
    key = _demo_partner(redis.url, ["en", *targets])
    return Service(base, secret, token, key, redis.url, worker)


def _item_id(uri: str) -> str:
    """The article id inside a guid ``urn:newsml:<domain>:<day>:<id>:<lang>``."""
    return uri.split(":", 4)[4].rsplit(":", 1)[0]


class FeedWatch:
    """When each article first appeared in each language's ninjs feed (monotonic)."""

    def __init__(self, client: httpx.Client, service: Service, languages: Sequence[str]):
        self.client, self.service, self.languages = client, service, list(languages)
        self.etags: dict[str, str] = {}
        self.seen: dict[tuple[str, str], float] = {}

    def poll(self) -> None:
        for lang in self.languages:
            headers = {"Authorization": f"Bearer {self.service.partner_key}"}
            if lang in self.etags:
                headers["If-None-Match"] = self.etags[lang]
            answer = self.client.get(f"{self.service.base}/v1/feeds/{lang}.json", headers=headers)
            now = time.monotonic()
            if answer.status_code != 200:
                continue  # 304 unchanged, 404 nothing published yet
            self.etags[lang] = answer.headers.get("ETag", "")
            for item in answer.json()["items"]:
                self.seen.setdefault((_item_id(item["uri"]), lang), now)

    def wait(self, ids: Sequence[str], seconds: float, stack: launcher.Stack) -> None:
        wanted = {(i, lang) for i in ids for lang in self.languages}
        deadline = time.monotonic() + seconds
        while not wanted <= set(self.seen):
            if time.monotonic() > deadline:
                missing = sorted(wanted - set(self.seen))[:5]
                raise launcher.LaunchError(f"not published after {seconds:.0f} s: {missing}")
            stack.check_alive()
            time.sleep(FEED_POLL_SECONDS)
            self.poll()


def _post(client: httpx.Client, service: Service, article: dict[str, Any]) -> launcher.Posted:
    body = json.dumps(article, ensure_ascii=False).encode()
    return launcher.post_article(client, service.base, body, service.secret)


def _check_published(
    client: httpx.Client, service: Service, posted: Sequence[launcher.Posted]
) -> None:
    """Every language of every article ends ``published`` (a feed can show an item a
    moment before its own publish task marks it, so this waits, briefly)."""
    for p in posted:
        done = launcher.wait_final(client, service.base, p, service.token, 120)
        states = {lang: outcome.state for lang, outcome in done.items()}
        if set(states.values()) != {"published"}:
            raise launcher.LaunchError(f"{p.article_id}: {states}")


def _percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with ``fraction`` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_service(
    service: Service,
    articles: Sequence[dict[str, Any]],
    languages: Sequence[str],
    stack: launcher.Stack,
) -> dict[str, Any]:
    """Warm up with the first article, then post the rest at once and time them."""
    with httpx.Client(timeout=30.0) as client:
        watch = FeedWatch(client, service, languages)
        warm = _post(client, service, articles[0])
        watch.wait([warm.article_id], 600, stack)
        warm_segments = _model_segments(service.redis_url, languages)
        posted = [_post(client, service, a) for a in articles[1:]]
        watch.wait([p.article_id for p in posted], 3600, stack)
        _check_published(client, service, posted)
        segments = _model_segments(service.redis_url, languages) - warm_segments
    done = {
        p.article_id: max(watch.seen[(p.article_id, lang)] for lang in languages) for p in posted
    }
    latencies = [done[p.article_id] - p.at for p in posted]
    return {
        "service_seconds": max(done.values()) - posted[0].at,
        "post_seconds": posted[-1].at - posted[0].at,
        "latency_p50_s": round(_percentile(latencies, 0.5), 2),
        "latency_p95_s": round(_percentile(latencies, 0.95), 2),
        "latency_max_s": round(max(latencies), 2),
        "model_segments": segments,
    }


def _proc_kib(pid: int, name: str, field: str) -> int:
    """One ``<field>: N kB`` line of /proc/<pid>/<name>; 0 once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc), parents first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat:
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        tree.append(current)
        todo.extend(sorted(children.get(current, [])))
    return tree


def worker_memory(pid: int) -> dict[str, Any]:
    """VmRSS of the worker's process tree (the sum counts shared pages once per process,
    so it is an upper bound) and PSS (shared pages split between processes)."""
    tree = process_tree(pid)
    rss = [_proc_kib(p, "status", "VmRSS") for p in tree]
    return {
        "worker_processes": len(tree),
        "worker_rss_mib": round(sum(rss) / 1024, 1),
        "worker_rss_mib_each": [round(r / 1024, 1) for r in rss],
        "worker_pss_mib": round(sum(_proc_kib(p, "smaps_rollup", "Pss") for p in tree) / 1024, 1),
    }


def _model_segments(redis_url: str, languages: Sequence[str]) -> int:
    client = connect(redis_url)
    try:
        metrics = ops.read_metrics(client)
    finally:
        client.close()
    return int(
        sum(metrics.get(f'syndicate_segments_total{{lang="{lang}"}}', 0) for lang in languages)
    )


def _one_shot(engine: Engine, target: str, sent: list[int]) -> Callable[[Article], Article]:
    glossary = read_glossary(settings().glossary)
    models = engine.models_for("en", target)
    translator = engine.translator("en", target)

    def deduplicated(texts: Sequence[str]) -> list[AlignedTranslation]:
        results, fresh = translate_with_memory(texts, translator, {})
        sent.append(len(fresh))
        return results

    def one(article: Article) -> Article:
        return translate_article(article, target, deduplicated, models, glossary)

    return one


def run_one_shot(
    models_dir: Path, articles: Sequence[Article], targets: Sequence[str]
) -> dict[str, Any]:
    """The translate stage alone: intra 1, inter 2, two articles in flight, per language;
    one article first as warm-up (model load excluded)."""
    engine = Engine(models_dir, intra_threads=1, inter_threads=2, beam_size=BEAM)
    seconds, sentences = 0.0, 0
    for target in targets:
        _one_shot(engine, target, [])(articles[0])
        sent: list[int] = []
        one = _one_shot(engine, target, sent)
        started = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(one, articles[1:]))
        seconds += time.perf_counter() - started
        sentences += sum(sent)
    return {"oneshot_seconds": seconds, "sentences": sentences}


@contextmanager
def _stack() -> Iterator[launcher.Stack]:
    stack = launcher.Stack()
    try:
        yield stack
    finally:
        stack.stop()


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20, help="timed articles (>= 1)")
    parser.add_argument("--languages", default="ar,tr", help="target languages (en-<lang>)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker children")
    parser.add_argument("--pool", default="prefork", choices=("prefork", "threads", "solo"))
    parser.add_argument("--intra-threads", type=int, default=1)
    parser.add_argument("--inter-threads", type=int, default=1)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "bench-models")
    parser.add_argument("--repeat-sentences", action="store_true")
    parser.add_argument("--skip-one-shot", action="store_true")
    parser.add_argument("--log-dir", type=Path, help="keep worker.log and api.log here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    targets = [t.strip() for t in args.languages.split(",") if t.strip()]
    install_demo_models(args.models_dir, preset="base", pairs=[f"en-{t}" for t in targets])
    raw = corpus(args.articles, targets, args.repeat_sentences)
    with tempfile.TemporaryDirectory(prefix="syndicate-bench-") as tmp, _stack() as stack:
        service = start_service(stack, args, targets, args.log_dir or Path(tmp))
        print(f"service up: {service.base}, worker pid {service.worker.process.pid}", flush=True)
        timed = run_service(service, raw, ["en", *targets], stack)
        memory = worker_memory(service.worker.process.pid)
    articles = [parse_article(a) for a in raw]
    shot = {} if args.skip_one_shot else run_one_shot(args.models_dir, articles, targets)
    print(json.dumps(_report(args, targets, timed, memory, shot)))
    return 0


def _report(
    args: argparse.Namespace,
    targets: Sequence[str],
    timed: dict[str, Any],
    memory: dict[str, Any],
    shot: dict[str, Any],
) -> dict[str, Any]:
    seconds = timed["service_seconds"]
    sentences = shot.get("sentences")
    figures: dict[str, Any] = {
        "articles": args.articles,
        "languages": list(targets),
        "pool": args.pool,
        "concurrency": args.concurrency,
        "intra_threads": args.intra_threads,
        "inter_threads": args.inter_threads,
        "distinct_sentences": not args.repeat_sentences,
        "service_seconds": round(seconds, 2),
        "articles_per_s": round(args.articles / seconds, 3),
        "sentences": sentences,
        "sentences_per_s": round(sentences / seconds, 2) if sentences else None,
        "model_segments": timed["model_segments"],
        **{k: v for k, v in timed.items() if k.startswith("latency")},
        **memory,
    }
    if sentences:
        oneshot = sentences / shot["oneshot_seconds"]
        figures["oneshot_sentences_per_s"] = round(oneshot, 2)
        figures["oneshot_config"] = "intra=1 inter=2, two articles in flight"
        figures["service_vs_oneshot"] = round(figures["sentences_per_s"] / oneshot, 2)
    return figures


if __name__ == "__main__":
    sys.exit(main())
