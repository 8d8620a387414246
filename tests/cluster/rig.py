"""The cluster of issue 20 on one machine: each host a network namespace (netns.py), each
process the project's own command run there with the other hosts' addresses.

| host | runs |
|---|---|
| redis-1 | redis-server, the master (AOF, fsync always) |
| redis-2 | redis-server, its replica |
| sentinel-1..3 | redis-server --sentinel, quorum 2, the master down after 1 s |
| api-1, api-2 | syndicate serve, on the Sentinel URL, 202 only once a replica has it |
| worker-a | syndicate worker --languages ar,tr |
| worker-k | syndicate worker --languages ckb,kmr |

The harness (the newsroom posting, the partners polling) is the bridge's address in the
root namespace. ``Cluster.close`` stops every process it started (process groups, SIGKILL
after a grace period; each also dies with the harness) and removes the network.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
from redis import Redis

from syndicate.api.credentials import key_digest, new_partner_key
from syndicate.cli import launcher
from syndicate.news.states import LanguageState
from syndicate.store import articles, partners
from syndicate.store.client import Client, connect

import netns

MASTER: Final = "mymaster"
REDIS_HOSTS: Final = ("redis-1", "redis-2")
SENTINELS: Final = ("sentinel-1", "sentinel-2", "sentinel-3")
APIS: Final = ("api-1", "api-2")
WORKERS: Final = {"worker-a": "ar,tr", "worker-k": "ckb,kmr"}
HOSTS: Final = (*REDIS_HOSTS, *SENTINELS, *APIS, *WORKERS)
TARGETS: Final = ("ar", "tr", "ckb", "kmr")
DOWN_AFTER_MS: Final = 1000
START_SECONDS: Final = 120.0


def wait_until(what: str, check: Callable[[], bool], seconds: float, poll: float = 0.1) -> float:
    """Poll ``check`` until true; the seconds it took (``TimeoutError`` naming ``what``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # a host still starting, a store failing over: ask again
            pass
        time.sleep(poll)  # polling interval, bounded by the deadline
    raise TimeoutError(f"not within {seconds:.0f} s: {what}")


@dataclass
class Cluster:
    net: netns.Network
    work: Path
    models_dir: Path
    stack: launcher.Stack = field(default_factory=launcher.Stack)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    children: dict[str, launcher.Child] = field(default_factory=dict)

    # --- addresses ---------------------------------------------------------------------

    @property
    def marker(self) -> str:
        """In every worker's node name: finds this run's processes (``processes_left``)."""
        return f"syndicate-cluster-{self.net.tag}"

    def address(self, host: str) -> str:
        return self.net.hosts[host]

    @property
    def redis_url(self) -> str:
        return ";".join(f"sentinel://{self.address(s)}:26379" for s in SENTINELS)

    def api(self, host: str) -> str:
        return f"http://{self.address(host)}:8000"

    def store(self) -> Client:
        """A store client of the harness, through the sentinels like every process."""
        return connect(self.redis_url, MASTER)

    # --- processes ---------------------------------------------------------------------

    def spawn(self, host: str, command: list[str], env: Mapping[str, str] | None = None) -> None:
        log = self.work / "logs" / f"{host}.log"
        child = self.stack.spawn(host, [*self.net.exec(host), *command], env or {}, log)
        self.children[host] = child

    def start_redis(self, host: str, replica_of: str | None = None) -> None:
        directory = self.work / host
        directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--bind", self.address(host), "--port", "6379"]
        command += ["--protected-mode", "no", "--save", "", "--dir", str(directory)]
        command += ["--appendonly", "yes", "--appendfsync", "always"]
        command += ["--repl-diskless-sync-delay", "0"]
        if replica_of is not None:
            command += ["--replicaof", self.address(replica_of), "6379"]
        self.spawn(host, command, _system_env())

    def start_sentinel(self, host: str) -> None:
        conf = self.work / f"{host}.conf"
        conf.write_text(
            f"port 26379\nbind {self.address(host)}\nprotected-mode no\ndir {self.work}\n"
            f"sentinel monitor {MASTER} {self.address('redis-1')} 6379 2\n"
            f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {MASTER} 10000\n",
            "utf-8",
        )
        self.spawn(host, ["redis-server", str(conf), "--sentinel"], _system_env())

    def service_env(self, host: str) -> dict[str, str]:
        extra = {
            "SYNDICATE_REDIS_MASTER": MASTER,
            "SYNDICATE_REDIS_MIN_REPLICAS": "1",
            "SYNDICATE_REDIS_WAIT_MS": "1000",
            "SYNDICATE_REQUIRE_DURABLE_STORE": "true",
            "SYNDICATE_MODELS_DIR": str(self.models_dir),
            "SYNDICATE_DEFAULT_TARGETS": ",".join(TARGETS),
            "SYNDICATE_PUBLIC_BASE_URL": self.api("api-1"),
            "SYNDICATE_PROVIDER_DOMAIN": "cluster.syndicate.example.org",
            "SYNDICATE_WORKER_CONCURRENCY": "1",
            "SYNDICATE_REVIEW_HOLD": "",  # every language goes out without an editor
            "SYNDICATE_REVIEW_HOLD_FLAGGED": "",
        }
        return launcher.service_env(self.redis_url, self.secret, self.token, extra)

    def start_api(self, host: str) -> None:
        command = [*launcher.syndicate_command(), "serve", "--host", self.address(host)]
        self.spawn(host, [*command, "--port", "8000"], self.service_env(host))

    def start_worker(self, host: str) -> None:
        command = [*launcher.syndicate_command(), "worker", "--languages", WORKERS[host]]
        command += ["--hostname", f"{host}@{self.marker}"]
        self.spawn(host, command, self.service_env(host))

    def kill(self, host: str) -> None:
        """kill -9 the host's process (and its children: its process group)."""
        child = self.children.pop(host)
        self.stack.children.remove(child)
        launcher.stop_process(child.process, timeout=0)

    def check_alive(self) -> None:
        self.stack.check_alive()

    # --- the newsroom and the partners -------------------------------------------------

    def post(self, http: httpx.Client, host: str, article: dict[str, Any]) -> int:
        """POST an article to ``host``; the status (0: no answer at all)."""
        body = json.dumps(article).encode()
        try:
            return launcher.post_article(http, self.api(host), body, self.secret).status_code
        except launcher.PostRejected as exc:
            return exc.status
        except launcher.LaunchError:
            return 0

    def add_partner(self) -> str:
        key = new_partner_key()
        with self.client() as store:
            partner = partners.Partner(
                "cluster", key_digest(key), ("*",), ("*",), datetime.now(UTC)
            )
            partners.add_partner(store, partner)
        return key

    @contextmanager
    def client(self) -> Iterator[Client]:
        store = self.store()
        try:
            yield store
        finally:
            store.close()

    def published(self, store: Client, article_id: str, version: int = 1) -> bool:
        """Every language of the version published (the source and the four targets)."""
        _, states = articles.get_status(store, article_id)
        wanted = {"en", *TARGETS}
        done = {
            lang
            for lang, st in states.items()
            if st.version == version and st.state is LanguageState.PUBLISHED
        }
        return wanted <= done

    def close(self) -> None:
        try:
            self.stack.stop_seconds = 5.0
            self.stack.stop()
        finally:
            self.net.close()


def processes_left(work: Path, marker: str) -> list[str]:
    """Processes whose command line names this run's directory or marker: none once it
    is closed."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(work) in cmdline or marker in cmdline:
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


def _system_env() -> dict[str, str]:
    """What Redis and the sentinels need of the environment: nothing but PATH."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def start_cluster(work: Path, models_dir: Path) -> Cluster:
    """Every host up: Redis replicating, sentinels watching, both APIs healthy (a worker seen),
    both workers beating. Closed again (nothing left) if any step fails."""
    net = netns.open_network(HOSTS)
    cluster = Cluster(net, work, models_dir)
    try:
        _start_all(cluster)
    except BaseException:
        cluster.close()
        raise
    return cluster


def _start_all(cluster: Cluster) -> None:
    (cluster.work / "logs").mkdir(parents=True, exist_ok=True)
    _start_redis_set(cluster)
    for host in WORKERS:
        cluster.start_worker(host)
    for host in APIS:
        cluster.start_api(host)
    for host in APIS:
        launcher.wait_healthy(cluster.api(host), cluster.stack, START_SECONDS)

    def both_workers() -> bool:
        cluster.check_alive()
        answer = httpx.get(f"{cluster.api('api-1')}/healthz", timeout=2).json()
        return int(answer.get("workers", 0)) == len(WORKERS)

    wait_until("both workers seen by the API", both_workers, START_SECONDS)


def _start_redis_set(cluster: Cluster) -> None:
    """The master, its replica, then the sentinels, each step once the last one holds."""
    cluster.start_redis("redis-1")
    cluster.start_redis("redis-2", replica_of="redis-1")
    master = Redis(host=cluster.address("redis-1"), port=6379, socket_timeout=2)

    def replicated() -> bool:
        cluster.check_alive()
        return int(master.info("replication")["connected_slaves"]) == 1

    wait_until("redis-2 replicating redis-1", replicated, START_SECONDS)
    # Sentinels started now see the replica in their first INFO of the master: one that
    # does not know it when the master dies has no replica to promote, ever.
    for host in SENTINELS:
        cluster.start_sentinel(host)

    def watching() -> bool:
        cluster.check_alive()
        for host in SENTINELS:
            sentinel = Redis(host=cluster.address(host), port=26379, socket_timeout=2)
            if not sentinel.sentinel_slaves(MASTER):
                return False
            if len(sentinel.sentinel_sentinels(MASTER)) < len(SENTINELS) - 1:
                return False
        return True

    wait_until(
        "every sentinel knowing the replica and the other sentinels", watching, START_SECONDS
    )
