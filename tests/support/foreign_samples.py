"""Foreign documents for the ingest route: a Superdesk HTTP push in the exact shape its
transmitter sends (the ninjs formatter's item, ``json.dumps`` of it, signed with HMAC-SHA1
of those bytes), ninjs 1.6 and 2.2 documents, and our own ninjs 3.1 and NewsML output."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Final

from syndicate.api.credentials import SUPERDESK_HEADER, sign_superdesk

DATA: Final = Path(__file__).resolve().parents[1] / "data" / "ingest"
SUPERDESK_SECRET: Final = "superdesk-subscriber-token"
ROUTE: Final = "/v1/ingest/superdesk"


def superdesk_push(**changes: Any) -> dict[str, Any]:
    """The push of version 1: three authors with roles, subjects with codes and names,
    keywords, a picture association, located (built from Superdesk's ninjs formatter)."""
    item: dict[str, Any] = json.loads((DATA / "superdesk-push.json").read_text("utf-8"))
    return {**copy.deepcopy(item), **changes}


def ninjs_document(version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"ninjs-{version}.json").read_text("utf-8"))
    return loaded


def transmitted(item: dict[str, Any]) -> bytes:
    """The body Superdesk's HTTP push sends: ``json.dumps(item)``, Python's defaults."""
    return json.dumps(item).encode("utf-8")


def superdesk_headers(body: bytes, secret: str = SUPERDESK_SECRET) -> dict[str, str]:
    """The headers Superdesk's HTTP push sends with a secret token set, spelled as it does
    (``Content-type``, ``x-superdesk-signature``)."""
    signature = sign_superdesk(body, secret)
    sent = {"Content-type": "application/json", "Accept": "application/json"}
    return sent | {SUPERDESK_HEADER.lower(): signature}


def ninjs_headers(body: bytes, media_type: str = "application/ninjs+json") -> dict[str, str]:
    return {**superdesk_headers(body), "Content-type": media_type}
