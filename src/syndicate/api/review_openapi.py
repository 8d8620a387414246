"""The review desk's part of the OpenAPI document (issue 18): the JSON API of api/review.py,
written out by hand like the rest (openapi.py merges it in)."""

from __future__ import annotations

from typing import Any, Final

Json = dict[str, Any]

_STRING: Final[Json] = {"type": "string"}
_INTEGER: Final[Json] = {"type": "integer"}
_NULLABLE: Final[Json] = {"type": ["string", "null"]}
_SECURITY: Final[list[Json]] = [{"editorToken": []}, {"operatorToken": []}]
_HELD: Final = "/v1/review/{id}/{lang}"


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _param(name: str, where: str, description: str, schema: Json = _STRING) -> Json:
    required = where == "path"
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


_ID: Final = _param("id", "path", "Article id")
_LANG: Final = _param("lang", "path", "The translation's language tag")
_N: Final = _param(
    "n", "path", "Segment number, as GET gives it", {"type": "integer", "minimum": 0}
)
_REFUSED: Final = {
    "401": _json("No editor or operator token (WWW-Authenticate: Bearer)", _ref("Error")),
    "403": _json("The editor does not review this language", _ref("Error")),
    "404": _json("Unknown language, nothing held, or no such segment", _ref("Error")),
    "503": _json("Redis unavailable; retry after the Retry-After seconds", _ref("Error")),
}
_BODY_REFUSED: Final = {
    "400": _json("Body is not a UTF-8 JSON object", _ref("Error")),
    "409": _json(
        "The held translation is another version now (a newer one arrived, or was held"
        " since); version says which",
        _ref("ReviewConflict"),
    ),
    "413": _json("Body larger than 256 KiB", _ref("Error")),
    "422": _json(
        "A missing or wrong field, or an edit breaking a tag (missing, doubled, unknown,"
        " badly nested) or protected text; each error names the segment and the tag",
        {"anyOf": [_ref("FieldErrors"), _ref("Error")]},
    ),
}


def _operation(summary: str, params: list[Json], answers: Json, body: Json | None = None) -> Json:
    op: Json = {"summary": summary, "security": _SECURITY, "parameters": params}
    if body is not None:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    op["responses"] = {**answers, **_REFUSED, **(_BODY_REFUSED if body is not None else {})}
    return op


def _object(required: tuple[str, ...] = (), **properties: Json) -> Json:
    return {"type": "object", "properties": properties, "required": list(required)}


_QUEUE: Final = _object(items={"type": "array", "items": _ref("Held")})
_VERSION: Final = {"type": "integer", "minimum": 1, "description": "The version the editor saw"}


def review_paths() -> Json:
    """Every path of api/review.py: reading the queue and a translation, then acting on it."""
    return {**_reading_paths(), **_deciding_paths()}


def _reading_paths() -> Json:
    lang_query = _param("lang", "query", "Only this language (default: every one reviewed)")
    return {
        "/v1/review": {
            "get": _operation(
                "Translations held for review, oldest first",
                [lang_query],
                {"200": _json("The queue", _QUEUE)},
            )
        },
        _HELD: {
            "get": _operation(
                "A held (or rejected) translation: its segments in order and its history",
                [_ID, _LANG],
                {"200": _json("The translation", _ref("HeldTranslation"))},
            )
        },
        f"{_HELD}/segments/{{n}}": {
            "put": _operation(
                "An editor's translation of one segment, with its tag placeholders",
                [_ID, _LANG, _N],
                {"200": _json("The segment as stored", _ref("Segment"))},
                _object(("translation",), translation=_STRING, version=_VERSION),
            )
        },
    }


def _deciding_paths() -> Json:
    return {
        f"{_HELD}/approve": {
            "post": _operation(
                "Publish the held translation with its edits (reviewed by the caller)",
                [_ID, _LANG],
                {"200": _json("Approved; the publish step renders the feeds", _ref("Decided"))},
                _object(version=_VERSION),
            )
        },
        f"{_HELD}/reject": {
            "post": _operation(
                "Refuse the held translation: state rejected, nothing published",
                [_ID, _LANG],
                {"200": _json("Rejected", _ref("Decided"))},
                _object(("reason",), reason=_STRING, version=_VERSION),
            )
        },
        f"{_HELD}/retranslate": {
            "post": _operation(
                "Translate the language again; edits carry over where the source is unchanged",
                [_ID, _LANG],
                {"202": _json("Queued", _ref("Decided"))},
            )
        },
    }


_SEGMENT: Final[Json] = _object(
    n=_INTEGER,
    field=_STRING,
    source=_STRING,
    translation=_STRING,
    machine=_STRING,
    flags={"type": "array", "items": _STRING},
    reasons={"type": "array", "items": _object(reason=_STRING, words=_STRING)},
    confidences={
        "type": "array",
        "items": _object(tag=_INTEGER, confidence={"type": "number"}, low={"type": "boolean"}),
    },
    tags={"type": "array", "items": {"type": "object"}},
    protected={"type": "array", "items": _STRING},
    edited={"type": "boolean"},
    edited_by=_NULLABLE,
    edited_at=_NULLABLE,
    origin={"enum": ["machine", "human"]},
    new={"type": "boolean"},
)


def review_schemas() -> Json:
    """The schemas those paths name."""
    return {
        "Held": _object(
            id=_STRING,
            version=_INTEGER,
            lang=_STRING,
            headline=_STRING,
            flags={"type": "object", "additionalProperties": _INTEGER},
            flagged=_INTEGER,
            segments=_INTEGER,
            held_since={"type": "string", "format": "date-time"},
        ),
        "Segment": _SEGMENT,
        "HeldTranslation": _object(
            id=_STRING,
            version=_INTEGER,
            lang=_STRING,
            state={"enum": ["held", "rejected"]},
            segments={"type": "array", "items": _ref("Segment")},
            history={"type": "array", "items": {"type": "object"}},
        ),
        "Decided": _object(id=_STRING, version=_INTEGER, lang=_STRING),
        "ReviewConflict": _object(error=_STRING, version={"type": ["integer", "null"]}),
    }


EDITOR_TOKEN: Final = {
    "type": "http",
    "scheme": "bearer",
    "description": "A review desk editor's token (syndicate editors add); their languages only",
}
