"""The check behind a durable 202 (docs/operations.md, "Durability"), run once as the API
starts.

An article the API answered 202 for must survive a kill -9 of redis-server. Redis 7.0 has
no WAITAOF, so the API cannot confirm each write reached the disk; it relies on the
server's settings instead (store/server.py) and checks them before it answers anything.
A Redis that does not fsync every write refuses the start while ``require_durable_store``
is on (the default: a lost accept is silent, a refused start is not), and is one loud
warning when it is off. A server that refuses CONFIG (managed services often do) cannot be
checked: one warning, and the operator's word for it. A Redis away at start is checked at
the next start; the API answers 503 until it is back anyway.
"""

from __future__ import annotations

import logging

from syndicate.errors import StoreNotDurable, StoreUnavailable
from syndicate.store import server
from syndicate.store.client import Client

log = logging.getLogger("syndicate.api")
REQUIRED = "appendonly yes, appendfsync always"
UNCHECKED = (
    "store durability not checked: Redis refuses CONFIG; it must run with "
    f"{REQUIRED} for a 202 to survive a Redis crash"
)


def check_store(client: Client, require: bool) -> None:
    """Log what the store promises; ``StoreNotDurable`` when it cannot keep a 202 and
    ``require`` says that must stop the start."""
    try:
        found = server.persistence(client)
    except StoreUnavailable as exc:
        log.warning("store durability not checked: Redis unavailable", extra={"error": str(exc)})
        return
    if found is None:
        log.warning(UNCHECKED)
        return
    if found.durable:
        log.info("store is durable", extra={"persistence": found.describe()})
        return
    message = (
        f"the store Redis runs with {found.describe()}: a 202 would not survive a Redis "
        f"crash; run it with {REQUIRED} (CONFIG SET works live), or set "
        "require_durable_store = false (SYNDICATE_REQUIRE_DURABLE_STORE)"
    )
    if require:
        log.error(message)
        raise StoreNotDurable(message)
    log.warning(message)
