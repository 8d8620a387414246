"""Push syndication's part of the OpenAPI document (issue 19): a partner's deliveries, and
the catch-up parameters of the feeds, written out by hand like the rest (openapi.py merges
them in)."""

from __future__ import annotations

from typing import Any, Final

from syndicate.push.rules import DeliveryState

Json = dict[str, Any]

_STRING: Final[Json] = {"type": "string"}
_INTEGER: Final[Json] = {"type": "integer"}
_TIME: Final[Json] = {"type": ["string", "null"], "format": "date-time"}
_NULLABLE: Final[Json] = {"type": ["string", "null"]}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _object(**properties: Json) -> Json:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _delivery() -> Json:
    answer = {"anyOf": [{"type": "null"}, _object(status=_INTEGER, body=_NULLABLE)]}
    return _object(
        id={**_STRING, "description": "<guid>:<version>, the X-Syndicate-Delivery header"},
        article_id=_STRING,
        version=_INTEGER,
        lang=_STRING,
        guid=_STRING,
        status={"enum": ["usable", "canceled"]},
        format={"enum": ["newsml", "ninjs", "rss-item"]},
        state={"enum": [str(s) for s in DeliveryState]},
        attempts=_INTEGER,
        created=_TIME,
        published=_TIME,
        updated=_TIME,
        next_attempt=_TIME,
        reason=_NULLABLE,
        response=answer,
        delivered=_TIME,
    )


def push_schemas() -> Json:
    counts = _object(**{str(s): _INTEGER for s in DeliveryState})
    deliveries = _object(
        partner=_STRING,
        push_url=_NULLABLE,
        push_format=_NULLABLE,
        counts=counts,
        oldest_waiting=_TIME,
        deliveries={"type": "array", "items": _ref("Delivery")},
    )
    return {"Delivery": _delivery(), "Deliveries": deliveries}


def _websub() -> Json:
    fields = {
        "hub.mode": {"enum": ["subscribe", "unsubscribe"]},
        "hub.topic": {
            **_STRING,
            "description": "An RSS (.rss) or NewsML (.xml) feed URL of this API",
        },
        "hub.callback": {**_STRING, "description": "http(s), resolving to public addresses"},
        "hub.lease_seconds": {
            **_STRING,
            "description": "Whole seconds (default 10 days, at most 30)",
        },
        "hub.secret": {**_STRING, "description": "Under 200 bytes: X-Hub-Signature: sha256=<HMAC>"},
    }
    form = {
        "type": "object",
        "properties": fields,
        "required": ["hub.mode", "hub.topic", "hub.callback"],
    }
    body = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": form}}}
    accepted = _object(status=_STRING, **{"hub.mode": _STRING})
    return {
        "post": {
            "summary": "WebSub hub: subscribe to (or unsubscribe from) an RSS or NewsML feed",
            "description": "A partner key (Bearer or ?key=) entitled to the feed; the intent"
            " is verified by a GET of the callback with hub.challenge, which it must echo",
            "security": [{"partnerBearer": []}, {"partnerKeyQuery": []}],
            "requestBody": body,
            "responses": {
                "202": _json("The intent will be verified", accepted),
                "400": _json("A field missing or wrong (named)", _ref("Error")),
                "401": _json("No partner key", _ref("Error")),
                "403": _json("The partner is not entitled to the feed", _ref("Error")),
                "413": _json("Body larger than 8 KiB", _ref("Error")),
                "415": _json("Not a form", _ref("Error")),
                "503": _json("Redis unavailable", _ref("Error")),
            },
        }
    }


def push_paths() -> Json:
    limit = {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
    parameters = [
        {"name": "name", "in": "path", "required": True, "schema": _STRING},
        {"name": "limit", "in": "query", "required": False, "schema": limit},
        {
            "name": "state",
            "in": "query",
            "required": False,
            "schema": {"enum": [str(s) for s in DeliveryState]},
        },
    ]
    return {
        "/v1/websub": _websub(),
        "/v1/partners/{name}/deliveries": {
            "get": {
                "summary": "A partner's push deliveries, newest first, with counts by state",
                "security": [{"operatorToken": []}],
                "parameters": parameters,
                "responses": {
                    "200": _json("The deliveries", _ref("Deliveries")),
                    "400": _json("A bad limit or state", _ref("Error")),
                    "401": _json("No operator token", _ref("Error")),
                    "404": _json("No such partner", _ref("Error")),
                    "503": _json("Redis unavailable", _ref("Error")),
                },
            }
        },
    }


_CATCHUP: Final = [
    (
        "since",
        "A cursor from a feed's rel=next link: what showed after it, oldest first, a feed's"
        " size at a time; the page's rel=next link asks for what follows",
        {"type": "string", "pattern": "^[0-9]{1,18}$"},
    ),
    (
        "before",
        "A cursor from a rel=prev-archive link: the archive page just older (RFC 5005)",
        _STRING,
    ),
    (
        "wait",
        "Long poll, in seconds (0-30): with since, answer once something shows; alone, with"
        " If-None-Match, once the feed changes (else 304)",
        {"type": "integer", "minimum": 0, "maximum": 30},
    ),
]


def _query(name: str, description: str, schema: Json) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def with_catchup(paths: Json) -> Json:
    """The feed paths of ``paths`` with ``since``, ``before`` and ``wait``, their 400 and
    the 204 of a NewsML page with nothing in it (its XSD wants an item)."""
    changed = dict(paths)
    for path, item in paths.items():
        if not path.startswith("/v1/feeds/"):
            continue
        get = dict(item["get"])
        more = [_query(name, about, schema) for name, about, schema in _CATCHUP]
        get["parameters"] = [*get["parameters"], *more]
        get["responses"] = {
            **get["responses"],
            "204": {"description": "A NewsML page with nothing in it; its links in Link"},
            "400": _json("A cursor or wait this feed did not give", _ref("Error")),
        }
        changed[path] = {**item, "get": get}
    return changed
