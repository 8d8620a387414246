"""The cluster's three faults (issue 20), each reporting its time to recovery and the
accepted / published / duplicated counts.

"Published twice" is counted, not assumed: ``publish_item`` counts every write of an item
in the article's hash, per (version, lang) (``store.articles.item_writes``); a second write
of the same item would show as 2. The counts are read from whichever Redis is master at
the end, through the sentinels: what the partners' feeds are rendered from.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from syndicate.store import articles
from syndicate.worker.recovery import message_ids

from rig import APIS, Cluster, wait_until

ARTICLE: Final = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
PUBLISH_SECONDS: Final = 300.0
POST_SECONDS: Final = 120.0  # how long the newsroom keeps retrying one article


@dataclass
class Report:
    fault: str
    recovery_seconds: float
    accepted: int
    published: int
    duplicated: int
    errors: int = 0  # errors partners saw where they must see none
    notes: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return json.dumps(asdict(self))

    @property
    def holds(self) -> bool:
        return self.accepted == self.published and self.duplicated == self.errors == 0


def article(article_id: str, paragraphs: int = 0) -> dict[str, Any]:
    """The test article under a new id; ``paragraphs`` more make its translation longer."""
    data: dict[str, Any] = json.loads(ARTICLE.read_text("utf-8"))
    data.pop("targets", None)  # the configured four
    extra = "".join(
        f"<p>Officials said {n} families had returned home after the water fell.</p>"
        for n in range(paragraphs)
    )
    return {**data, "id": article_id, "version": 1, "body_html": data["body_html"] + extra}


def counts(cluster: Cluster, ids: list[str]) -> tuple[int, int]:
    """(published, duplicated): articles published in every language, and items written
    more than once."""
    with cluster.client() as store:
        published = sum(cluster.published(store, i) for i in ids)
        writes = [n for i in ids for n in articles.item_writes(store, i).values()]
    return published, sum(1 for n in writes if n > 1)


def wait_published(cluster: Cluster, ids: list[str], seconds: float = PUBLISH_SECONDS) -> float:
    def done() -> bool:
        cluster.check_alive()
        return counts(cluster, ids)[0] == len(ids)

    return wait_until(f"{len(ids)} articles published in every language", done, seconds, 0.5)


# --- 1. the Redis master killed while articles are posted and translated ----------------


@dataclass
class Poster:
    """The newsroom: posts each article until it is acknowledged, taking turns between the
    APIs and retrying a 503 or a dead connection as a CMS would (after a pause)."""

    cluster: Cluster
    ids: list[str]
    accepted: list[tuple[str, float]] = field(default_factory=list)
    refused: int = 0
    rejected: list[str] = field(default_factory=list)  # a final answer: not retried

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            for n, article_id in enumerate(self.ids):
                deadline = time.monotonic() + POST_SECONDS
                while time.monotonic() < deadline:
                    status = self.cluster.post(http, APIS[n % 2], article(article_id))
                    if status in (200, 202):
                        self.accepted.append((article_id, time.monotonic()))
                        break
                    if 400 <= status < 500:
                        self.rejected.append(f"{article_id}: {status}")
                        break
                    self.refused += 1
                    time.sleep(0.25)  # a CMS's retry pause, not synchronisation


def kill_the_master(cluster: Cluster, count: int, kill_after: int) -> Report:
    """Post ``count`` articles; once ``kill_after`` are acknowledged, kill -9 redis-1, let
    Sentinel promote redis-2, start redis-1 again (a supervisor's restart: it rejoins as a
    replica); every acknowledged article must be published in every language once."""
    ids = [f"cluster-failover-{n}" for n in range(count)]
    poster = Poster(cluster, ids)
    thread = threading.Thread(target=poster.run, daemon=True)
    thread.start()
    wait_until(
        f"{kill_after} articles acknowledged", lambda: len(poster.accepted) >= kill_after, 120
    )
    cluster.kill("redis-1")
    killed = time.monotonic()

    def promoted() -> bool:
        with cluster.client() as store:
            return bool(store.info("replication")["role"] == "master") and bool(store.ping())

    wait_until("redis-2 promoted", promoted, 60)
    promoted_after = time.monotonic() - killed
    cluster.start_redis("redis-1")  # comes back with its AOF; the sentinels make it a replica

    def acknowledged_again() -> bool:
        return any(at > killed for _, at in poster.accepted) or not thread.is_alive()

    wait_until("an article acknowledged after the kill", acknowledged_again, 120)
    recovery = time.monotonic() - killed
    thread.join(timeout=300)
    assert not poster.rejected, f"articles refused for good: {poster.rejected}"
    accepted = [i for i, _ in poster.accepted]
    wait_published(cluster, accepted)
    published, duplicated = counts(cluster, accepted)
    notes = {"promoted_after_seconds": round(promoted_after, 2), "retried_posts": poster.refused}
    fault = "kill -9 the Redis master"
    return Report(fault, round(recovery, 2), len(accepted), published, duplicated, notes=notes)


# --- 2. worker-k cut off in the middle of a translation ---------------------------------


def partition_worker(cluster: Cluster, paragraphs: int = 120) -> Report:
    """Cut worker-k's link while it translates ckb or kmr, restore it once the other workers
    handed its message back (the orphan timeout); the task is done once, by whichever
    worker runs it (worker-k is the only one on its queues: then by worker-k again)."""
    article_id = "cluster-partition-1"
    with httpx.Client(timeout=10) as http:
        status = cluster.post(http, "api-2", article(article_id, paragraphs))  # api-1 is down
    assert status == 202, f"the article was not accepted: {status}"

    lang = _translating_on_worker_k(cluster, article_id)
    cluster.net.link("worker-k", up=False)
    cut = time.monotonic()

    def handed_back() -> bool:
        """The message worker-k was running is back in its queue (the orphan hand-back)."""
        with cluster.client() as store:
            waiting = [json.loads(raw) for raw in store.lrange(f"translate.{lang}", 0, -1)]
        found = [message_ids(envelope) for envelope in waiting]
        return any(f is not None and f[1] == (article_id, 1, lang) for f in found)

    handed = wait_until("worker-k's message handed back", handed_back, 120, poll=0.5)
    cluster.net.link("worker-k", up=True)
    restored = time.monotonic()
    wait_published(cluster, [article_id])
    recovery = time.monotonic() - cut
    published, duplicated = counts(cluster, [article_id])
    notes = {
        "cut_while_translating": lang,
        "handed_back_after_seconds": round(handed, 2),
        "published_after_restore_seconds": round(time.monotonic() - restored, 2),
        "item_writes": _item_writes(cluster, article_id),
    }
    fault = "worker-k partitioned mid-translation"
    return Report(fault, round(recovery, 2), 1, published, duplicated, notes=notes)


def _translating_on_worker_k(cluster: Cluster, article_id: str) -> str:
    """The first of worker-k's languages seen translating (polled fast: the cut must come
    while the task runs, not after)."""
    held: list[str] = []

    def translating() -> bool:
        with cluster.client() as store:
            _, states = articles.get_status(store, article_id)
        held[:] = [lang for lang in ("ckb", "kmr") if states[lang].state == "translating"]
        return bool(held)

    wait_until("worker-k translating", translating, 120, poll=0.02)
    return held[0]


def _item_writes(cluster: Cluster, article_id: str) -> dict[str, int]:
    """How often each version and language was stored: 1 each, or a task ran twice."""
    with cluster.client() as store:
        written = articles.item_writes(store, article_id)
    return {f"{version}:{lang}": n for (version, lang), n in written.items()}


# --- 3. api-1 killed under poll load ------------------------------------------------------


@dataclass
class Pollers:
    """Partners polling one API's feed with ETags until stopped."""

    base: str
    key: str
    ok: int = 0
    errors: int = 0
    gaps: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        last = time.monotonic()
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                try:
                    answer = http.get(f"{self.base}/v1/feeds/en.rss", headers=headers)
                    good = answer.status_code in (200, 304)
                    if good and "etag" in answer.headers:
                        headers["If-None-Match"] = answer.headers["etag"]
                except httpx.HTTPError:
                    good = False
                now = time.monotonic()
                if good:
                    self.ok += 1
                    self.gaps.append(now - last)
                    last = now
                else:
                    self.errors += 1
                    time.sleep(0.05)  # a refused connection returns at once


def kill_an_api(cluster: Cluster, seconds: float, threads: int = 4) -> Report:
    """Partners poll both APIs; api-1 is killed -9 a third of the way in. Those on api-2
    must see no error and no pause (its longest gap between answers is the figure)."""
    key = cluster.add_partner()
    pollers = {host: [Pollers(cluster.api(host), key) for _ in range(threads)] for host in APIS}
    running = [threading.Thread(target=p.run, daemon=True) for ps in pollers.values() for p in ps]
    for thread in running:
        thread.start()
    time.sleep(seconds / 3)  # load before the kill
    cluster.kill("api-1")
    time.sleep(seconds * 2 / 3)  # load after it
    for ps in pollers.values():
        for p in ps:
            p.stop.set()
    for thread in running:
        thread.join(timeout=10)
    survivor, killed = pollers["api-2"], pollers["api-1"]
    notes = {
        "api2_polls": sum(p.ok for p in survivor),
        "api2_errors": sum(p.errors for p in survivor),
        "api1_errors_after_kill": sum(p.errors for p in killed),
        "api2_longest_gap_seconds": round(max(g for p in survivor for g in p.gaps), 3),
    }
    gap = notes["api2_longest_gap_seconds"]
    fault = "kill -9 api-1 under poll load"
    return Report(fault, gap, 0, 0, 0, errors=notes["api2_errors"], notes=notes)
