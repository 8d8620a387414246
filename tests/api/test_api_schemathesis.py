"""schemathesis against ``/openapi.json`` of the real ASGI app on the suite's Redis (issue
9), with a bounded budget: every operation, positive and negative data, and no answer may
be a 5xx, an undocumented status code or an undocumented content type, and JSON answers
match their schemas. Requests are sent by the test, so it can sign what it sends: most
webhook bodies carry the timestamped signature of their exact bytes (the generator reaches
past auth into the parser), the rest none or garbage; partner and status reads likewise
rotate a valid key or token, none, and a wrong one."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from redis import Redis
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from syndicate.api.credentials import SIGNATURE_HEADER, SUPERDESK_HEADER, sign_superdesk
from syndicate.api.openapi import openapi_document
from syndicate.store import ops

from api_support import (
    ALL_KEY,
    TOKEN,
    TestClient,
    add_partners,
    api_app,
    api_settings,
    article_data,
    signed,
)
from redis_servers import RedisServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = 25  # per operation: ten operations in well under a minute on this machine
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SUPERDESK_SECRET = "superdesk-schemathesis-token"
_AUTH_MODES = itertools.cycle(["valid", "valid", "valid", "none", "garbage"])


@pytest.fixture
def app_client(redis: Redis, redis_server: RedisServer) -> Iterator[TestClient]:
    """The app with a partner entitled to everything and a worker seen (a 503 from
    /healthz would be a true answer, but not_a_server_error counts every 5xx)."""
    add_partners(redis)
    ops.note_worker(redis, "celery@schemathesis", datetime.now(UTC))
    settings = api_settings(redis_server.url, superdesk_secret=SUPERDESK_SECRET)
    with TestClient(api_app(settings)) as client:
        yield client


def _served_schema() -> Any:
    """The document as the app serves it (reading it touches no Redis, so the app's URL
    needs no server; the requests go to ``app_client``, on the suite's Redis)."""
    app = api_app(api_settings("redis://127.0.0.1:9/0"))
    try:
        return schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        app.state.ctx.client.close()


# schemathesis.pytest.from_fixture would load it per test, but reads a pytest internal
# (Node._nodeid) that pytest 9 no longer has.
schema = _served_schema()


def _body(case: Any) -> bytes | None:
    """The exact bytes to send (so they can be signed), or None without a body."""
    if isinstance(case.body, NotSet):
        return None
    return case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()


def _auth(case: Any, body: bytes | None, mode: str) -> dict[str, str]:
    """The credentials this request carries in ``mode`` (valid, none, garbage)."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    headers.pop(SIGNATURE_HEADER, None)
    headers.pop(SUPERDESK_HEADER, None)
    if mode == "none":
        return headers
    path = case.path
    if path == "/v1/ingest/superdesk":
        secret = SUPERDESK_SECRET if mode == "valid" else "wrong"
        return headers | {SUPERDESK_HEADER: sign_superdesk(body or b"", secret)}
    if path == "/v1/articles":
        proof = signed(body or b"") if mode == "valid" else {SIGNATURE_HEADER: "t=1,v1=00"}
        return headers | proof
    if path in ("/v1/articles/{id}", "/metrics", "/healthz") or path.startswith("/v1/review"):
        return headers | {"Authorization": f"Bearer {TOKEN if mode == 'valid' else 'nope'}"}
    if path.startswith(("/v1/feeds", "/v1/items")):
        return headers | {"Authorization": f"Bearer {ALL_KEY if mode == 'valid' else 'nope'}"}
    return headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, app_client: TestClient) -> None:
    body = _body(case)
    headers = _auth(case, body, next(_AUTH_MODES))
    if body is not None:
        headers.setdefault("Content-Type", case.media_type or "application/json")
    query = {k: v for k, v in (case.query or {}).items() if k != "key"}
    # header values may hold obs-text (Latin-1) bytes, which httpx refuses in a str
    raw = {k: v.encode("latin-1", "replace") for k, v in headers.items()}
    response = app_client.request(
        case.method, case.formatted_path, params=query, headers=raw, content=body
    )
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize(
    "path",
    [REPO.parent / "shared/samples/rudaw-isis-final-moments.json", *REPO.glob("tests/data/*.json")],
    ids=lambda p: p.name,
)
def test_real_articles_match_the_article_schema(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not found")
    validator = Draft202012Validator(openapi_document()["components"]["schemas"]["Article"])
    assert list(validator.iter_errors(json.loads(path.read_text("utf-8")))) == []


def test_the_article_schema_refuses_what_the_parser_refuses() -> None:
    validator = Draft202012Validator(openapi_document()["components"]["schemas"]["Article"])
    assert validator.is_valid(article_data())
    for bad in (
        article_data(colour="red"),
        article_data(headline="x" * 501),
        article_data(version=0),
        article_data(status="deleted"),
        article_data(media=[{"url": "https://x.test/a.jpg"}]),
        article_data(targets=["ar", "ar"]),
        article_data(tags=[f"tag {i}" for i in range(101)]),
        article_data(targets=[f"ar-{i:03d}" for i in range(65)]),
        {k: v for k, v in article_data().items() if k != "body_html"},
    ):
        assert not validator.is_valid(bad), bad
    withdrawn = {k: v for k, v in article_data(status="withdrawn").items() if k != "body_html"}
    assert validator.is_valid(withdrawn)
