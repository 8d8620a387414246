"""The OpenAPI 3.1 document served at ``/openapi.json``: every path, method, parameter,
security scheme and answer of brief section 3, written out by hand so it says exactly
what the routes of app.py do (tests check it against the routes)."""

from __future__ import annotations

from typing import Any, Final

from syndicate import __version__
from syndicate.api.article_schema import article_schema
from syndicate.api.credentials import STATUS_SIGNED
from syndicate.api.negotiation import NINJS_MEDIA, VERSION_PARAMETER
from syndicate.api.push_openapi import push_paths, push_schemas, with_catchup
from syndicate.api.review_openapi import EDITOR_TOKEN, review_paths, review_schemas
from syndicate.feeds.ninjs_versions import DEFAULT_VERSION, SCHEMA_URIS, NinjsVersion
from syndicate.news.states import LanguageState

Json = dict[str, Any]

_STRING: Final[Json] = {"type": "string"}
_INTEGER: Final[Json] = {"type": "integer"}
_STRINGS: Final[Json] = {"type": "array", "items": _STRING}
_NEWSROOM: Final[list[Json]] = [{"newsroomSignature": []}]
_NEWSROOM_OR_OPERATOR: Final[list[Json]] = [{"newsroomSignature": []}, {"operatorToken": []}]
_PARTNER: Final[list[Json]] = [{"partnerBearer": []}, {"partnerKeyQuery": []}]
_CONDITIONAL: Final = ("If-None-Match", "If-Modified-Since", "Accept-Encoding")
_VALIDATORS: Final = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Encoding")
_MEDIA: Final = {
    "rss": "application/rss+xml",
    "newsml": "application/xml",
    "ninjs": "application/json",
}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: Json, media: str = "application/json") -> Json:
    return {"description": description, "content": {media: {"schema": schema}}}


def _error(description: str, schema: str = "Error") -> Json:
    return _answer(description, _ref(schema))


def _parameter(name: str, where: str, description: str, required: bool = False) -> Json:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": _STRING,
    }


def _object(**properties: Json) -> Json:
    return {"type": "object", "properties": properties}


def _get(summary: str, security: list[Json], responses: Json, params: list[Json]) -> Json:
    return {
        "get": {
            "summary": summary,
            "security": security,
            "parameters": params,
            "responses": responses,
        }
    }


_UNAVAILABLE: Final = {
    **_error("Redis unavailable; retry after the Retry-After seconds"),
    "headers": {"Retry-After": {"schema": _INTEGER}},
}
_LANG: Final = _parameter("lang", "path", "BCP 47 language tag", required=True)
_ID: Final = _parameter("id", "path", "Article id", required=True)
_KEY: Final = _parameter("key", "query", "Partner API key, for readers that cannot send headers")
_TIMESTAMPED: Final = 't=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>'
_SIGNATURE: Final = _parameter(
    "X-Syndicate-Signature",
    "header",
    f"{_TIMESTAMPED}, t within signature_tolerance (300 s) of the server's clock; the plain"
    " sha256=<hex HMAC of the body> unless require_signature_timestamp",
)
_STATUS_SIGNATURE: Final = _parameter(
    "X-Syndicate-Signature",
    "header",
    f"t=<unix>,v1=<hex HMAC-SHA256 of {STATUS_SIGNED}>: the id exactly as posted, no query"
    " string, no body; t within signature_tolerance (300 s). The plain sha256= form is"
    " refused here, the old form over the empty body unless accept_unbound_status_signature",
)


_MAJORS: Final = [v.value.split(".")[0] for v in NinjsVersion]
_PROFILES: Final = ", ".join(f"{v}: {uri}" for v, uri in SCHEMA_URIS.items())
_NINJS_VERSION: Final[Json] = {
    "name": VERSION_PARAMETER,
    "in": "query",
    "required": False,
    "description": (
        f"ninjs version: 1.6, 2.2 or 3.1 ({', '.join(_MAJORS)} for the latest of that"
        f" major); default {DEFAULT_VERSION}. Wins over Accept."
    ),
    "schema": {"type": "string", "enum": [*NinjsVersion, *_MAJORS]},
}
# OpenAPI ignores an Accept parameter: the forms go into the operation's description
_NINJS_NEGOTIATION: Final = (
    "ninjs 1.6, 2.2 or 3.1: ?version= wins; else Accept chooses, as"
    ' application/json; profile="<schema URI>" or'
    f" {NINJS_MEDIA}; version=<1.6|2.2|3.1> (the highest q wins); application/json, */* or"
    f" no Accept give {DEFAULT_VERSION}. Schema URIs: {_PROFILES}. Answers are"
    ' application/json; profile="<schema URI of the version served>" with Vary: Accept,'
    " and each version has its own ETag."
)
_NINJS_REFUSALS: Final = {
    "400": _error("Unknown version parameter (the message names it and the versions offered)"),
    "406": _error("Accept allows no ninjs version served here"),
}


def _partner_get(fmt: str, what: str, params: list[Json]) -> Json:
    """A partner read: key, entitlements, conditional GET and gzip; ninjs in a version."""
    headers = {name: {"schema": _STRING} for name in _VALIDATORS}
    schema = {"type": "object"} if fmt == "ninjs" else _STRING
    responses = {
        "200": {**_answer(what, schema, _MEDIA[fmt]), "headers": headers},
        "304": {
            "description": "Not modified (If-None-Match, If-Modified-Since)",
            "headers": headers,
        },
        "401": _error("Missing or unknown partner key (WWW-Authenticate: Bearer)"),
        "403": _error(
            "A configured language or a format the partner is not entitled to (decided"
            " by the key alone, whether or not the feed or item exists)"
        ),
        "404": _error(
            "Unknown language (any unconfigured one outside the entitlement), unknown or"
            " embargoed item, or nothing published yet"
        ),
        "503": _UNAVAILABLE,
    }
    conditional = [_parameter(h, "header", "conditional GET, gzip") for h in _CONDITIONAL]
    if fmt != "ninjs":
        return _get(what, _PARTNER, responses, [*params, _KEY, *conditional])
    responses |= _NINJS_REFUSALS
    read = _get(what, _PARTNER, responses, [*params, _NINJS_VERSION, _KEY, *conditional])
    read["get"]["description"] = _NINJS_NEGOTIATION
    return read


def _feeds() -> Json:
    names = {"rss": "RSS 2.0 feed", "xml": "NewsML-G2 newsMessage", "json": "ninjs feed"}
    formats = {"rss": "rss", "xml": "newsml", "json": "ninjs"}
    paths = {
        f"/v1/feeds/{{lang}}.{ext}": _partner_get(formats[ext], name, [_LANG])
        for ext, name in names.items()
    }
    items = {"xml": ("newsml", "One NewsML-G2 newsItem"), "json": ("ninjs", "One ninjs object")}
    for ext, (fmt, name) in items.items():
        paths[f"/v1/items/{{id}}/{{lang}}.{ext}"] = _partner_get(fmt, name, [_ID, _LANG])
    return paths


def _post_articles() -> Json:
    responses = {
        "202": _answer("Stored and queued", _ref("Accepted")),
        "200": _answer("Replay of a known id and version: no new work", _ref("Accepted")),
        "400": _error("Body is not UTF-8 JSON"),
        "401": _error(
            "Missing, bad or expired X-Syndicate-Signature (the reason says which), a plain"
            " sha256= one when require_signature_timestamp is set, or no newsroom secret set"
        ),
        "408": _error("The body did not arrive within body_timeout seconds"),
        "409": _error("Older than the stored version", "StaleVersion"),
        "413": _error("Body larger than 2 MiB (refused while reading)"),
        "415": _error("Content-Type is not application/json"),
        "422": _error("The article breaks the rules of brief section 2", "FieldErrors"),
        "503": _UNAVAILABLE,
    }
    body = {"required": True, "content": {"application/json": {"schema": _ref("Article")}}}
    return {
        "post": {
            "summary": "Publish or update an article (newsroom webhook)",
            "security": _NEWSROOM,
            "parameters": [{**_SIGNATURE, "required": True}],
            "requestBody": body,
            "responses": responses,
        }
    }


_SUPERDESK_SIGNATURE: Final = _parameter(
    "X-Superdesk-Signature",
    "header",
    "sha1=<hex HMAC-SHA1 of the raw body>, keyed with SYNDICATE_SUPERDESK_SECRET (the"
    " subscriber's secret token in Superdesk)",
)
_INGEST_TYPES: Final = {
    "application/json": "Superdesk's HTTP push (its ninjs formatter's item); a document"
    " whose $schema or standard names an IPTC ninjs schema is read as that ninjs",
    "application/ninjs+json": "IPTC ninjs 1.x, 2.x or 3.x; the version from a version= or"
    " profile= parameter, else the document's standard/$schema, else its field names",
    "application/vnd.iptc.g2.newsitem+xml": "A NewsML-G2 newsItem (also application/xml,"
    " text/xml); no DTD or entity declarations",
}


def _post_ingest() -> Json:
    """Superdesk and agency wires in (ingest/formats.py); answers as POST /v1/articles."""
    responses = {
        "202": _answer("Stored and queued", _ref("Accepted")),
        "200": _answer("Replay of a known id and version: no new work", _ref("Accepted")),
        "400": _error("Body is not UTF-8 JSON, or not well-formed XML, or declares a DTD"),
        "401": _error("Missing, malformed or bad X-Superdesk-Signature (the reason says which)"),
        "408": _error("The body did not arrive within body_timeout seconds"),
        "409": _error("Older than the stored version", "StaleVersion"),
        "413": _error("Body larger than 2 MiB (refused while reading)"),
        "415": _error("Content-Type is none of the accepted media types"),
        "422": _error(
            "The document breaks a rule of brief section 2 or holds an unknown field; each"
            " error names the sender's field (its JSON path, or the newsItem element path)",
            "FieldErrors",
        ),
        "503": {
            **_error("No SYNDICATE_SUPERDESK_SECRET is configured, or Redis is unavailable"),
            "headers": {"Retry-After": {"schema": _INTEGER}},
        },
    }
    content = {
        media: {"schema": {"type": "string" if media.endswith("xml") else "object"}}
        for media in _INGEST_TYPES
    }
    described = "; ".join(f"{media}: {what}" for media, what in _INGEST_TYPES.items())
    return {
        "post": {
            "summary": "Ingest from Superdesk's HTTP push, or a ninjs or NewsML-G2 wire item",
            "description": described,
            "security": [{"superdeskSignature": []}],
            "parameters": [{**_SUPERDESK_SIGNATURE, "required": True}],
            "requestBody": {"required": True, "content": content},
            "responses": responses,
        }
    }


def _get_article() -> Json:
    responses = {
        "200": _answer("The latest version and its languages", _ref("ArticleStatus")),
        "401": _error(
            f"Neither the operator token nor a timestamped signature of {STATUS_SIGNED}"
            " within the tolerance"
        ),
        "404": _error("Unknown article id"),
        "503": _UNAVAILABLE,
    }
    summary = "An article's latest version and per-language state"
    return _get(summary, _NEWSROOM_OR_OPERATOR, responses, [_ID, _STATUS_SIGNATURE])


def _operations() -> Json:
    health = _ref("Health")
    return {
        "/healthz": _get(
            "Redis reachable and a worker seen in the last 30 s; no auth. workers counts"
            " them; hosts names them, with the operator token only",
            [{}, {"operatorToken": []}],
            {
                "200": _answer("Healthy", health),
                "503": _answer("Redis unreachable or no worker seen", health),
            },
            [],
        ),
        "/metrics": _get(
            "Prometheus text exposition, for the metrics or the operator token",
            [{"metricsToken": []}, {"operatorToken": []}],
            {
                "200": _answer("Metrics", _STRING, "text/plain"),
                "401": {
                    **_error("No valid token, or none configured (the message says which)"),
                    "headers": {"WWW-Authenticate": {"schema": _STRING}},
                },
                "503": _UNAVAILABLE,
            },
            [],
        ),
        "/openapi.json": _get("This document", [], {"200": _answer("OpenAPI 3.1", {})}, []),
    }


def _schemas() -> Json:
    state = [*LanguageState]
    language = _object(
        state={"enum": state},
        version=_INTEGER,
        at={"type": "string", "format": "date-time"},
        reason={"type": ["string", "null"]},
    )
    field_error = _object(field=_STRING, message=_STRING)
    return {
        "Error": {**_object(error=_STRING), "required": ["error"]},
        "StaleVersion": _object(error=_STRING, stored_version=_INTEGER),
        "FieldErrors": _object(errors={"type": "array", "items": field_error}),
        "Accepted": _object(id=_STRING, version=_INTEGER, status=_STRING, targets=_STRINGS),
        "ArticleStatus": _object(
            id=_STRING,
            version=_INTEGER,
            status=_STRING,
            language=_STRING,
            languages={"type": "object", "additionalProperties": language},
        ),
        "Health": {
            **_object(
                status=_STRING, redis=_STRING, workers=_INTEGER, hosts=_STRINGS, error=_STRING
            ),
            "required": ["status", "redis", "workers"],
        },
        "Article": article_schema(),
    }


def _security_schemes() -> Json:
    signature = (
        f"{_TIMESTAMPED} with SYNDICATE_NEWSROOM_SECRET (several v1= for a secret rotation),"
        " or the brief's sha256=<hex HMAC-SHA256 of the raw body> on POST /v1/articles;"
        f" a status read has no body and signs {STATUS_SIGNED} instead"
    )
    return {
        "newsroomSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Syndicate-Signature",
            "description": signature,
        },
        "superdeskSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Superdesk-Signature",
            "description": "sha1=<hex HMAC-SHA1 of the raw body> with SYNDICATE_SUPERDESK_SECRET",
        },
        "operatorToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "SYNDICATE_OPERATOR_TOKEN",
        },
        "metricsToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "SYNDICATE_METRICS_TOKEN: /metrics only, for a Prometheus scraper",
        },
        "partnerBearer": {"type": "http", "scheme": "bearer", "description": "Partner API key"},
        "partnerKeyQuery": {"type": "apiKey", "in": "query", "name": "key"},
    }


def openapi_document() -> Json:
    """The whole document (a fresh dict per call)."""
    info = {
        "title": "syndicate",
        "version": __version__,
        "description": "Article translation and feed syndication",
    }
    paths = {"/v1/articles": _post_articles(), "/v1/articles/{id}": _get_article()}
    paths["/v1/ingest/superdesk"] = _post_ingest()
    return {
        "openapi": "3.1.0",
        "info": info,
        "paths": {
            **paths,
            **with_catchup(_feeds()),
            **_operations(),
            **review_paths(),
            **push_paths(),
        },
        "components": {
            "securitySchemes": {**_security_schemes(), "editorToken": EDITOR_TOKEN},
            "schemas": {**_schemas(), **review_schemas(), **push_schemas()},
        },
    }
