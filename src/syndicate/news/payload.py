"""The JSON edge: raw payloads decoded, and objects read field by field.

Brief section 2 wants every broken rule reported at once (the API answers 422 with the
whole list, the CLI prints one line per field), so a reader never stops at the first error:
it notes a ``FieldError`` under the field's JSON path (``credits[1].name``) and goes on.
Pure: no I/O.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from syndicate.errors import ArticleInvalid, FieldError
from syndicate.news import bidi
from syndicate.news.languages import is_language_tag
from syndicate.news.limits import EARLIEST_DATE, LATEST_DATE

MAX_INT: Final = 2**63 - 1  # versions and segment numbers end up as Redis integers

_STAMP: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)
_URL: Final = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#:@\[\]\\]+)(?::\d{1,5})?(?:[/?#]\S*)?"
)
# What an HTML parser reads as markup (WHATWG tag open state: "<" then an ASCII letter,
# "/", "!" or "?"), closed or not, and character references: ``Hi <img src=x onerror=..//``
# has no ">" yet a reader that renders a title as HTML runs it.
_MARKUP: Final = re.compile(r"<[A-Za-z/!?]|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")
# C0 and C1 controls but tab, LF and CR, and U+FFFE/U+FFFF: XML 1.0 cannot carry them.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_NOT_TEXT: Final = re.compile(r"[\x00\ud800-\udfff]")  # NUL, lone surrogates: no XML, no UTF-8
# What a JSON path may not show as it is: a 422 body is UTF-8 JSON a person reads.
_UNSHOWABLE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
_MAX_KEY_SHOWN: Final = 64
_MAX_SUGGESTIONS: Final = 20
_PLAIN_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KINDS: Final = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}

_E = TypeVar("_E", bound=StrEnum)


def describe(value: Any) -> str:
    """The JSON kind of a value, for messages ("must be a string, not a list")."""
    if value is None:
        return "null"
    return _KINDS.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def text_problem(
    value: Any, *, plain: bool = True, empty_ok: bool = False, line: bool = False
) -> str | None:
    """What is wrong with a JSON value meant as text, or None when it is fine.

    Plain text (headline, names, captions) carries no markup or character references:
    feeds escape it, so ``<b>`` or ``&amp;`` would reach readers literally, and a reader
    that renders it as HTML would run ``<img onerror=..``. ``line`` marks a one-line name
    (tags, credited names, source, URLs): see ``news.bidi``.
    """
    if not isinstance(value, str):
        return f"must be a string, not {describe(value)}"
    if not (empty_ok or value.strip()):
        return "must not be empty"
    if _NOT_TEXT.search(value):
        return "contains a NUL or an unpaired surrogate, which no feed can carry"
    if plain and _CONTROL.search(value):
        return "must not contain control characters (or U+FFFE, U+FFFF)"
    if plain and (markup := _MARKUP.search(value)):
        start = markup.start()
        return f"must be plain text, not markup ({value[start : start + 30]!r})"
    if plain:
        return bidi.line_problem(value) if line else bidi.prose_problem(value)
    return None


def parse_rfc3339(value: str) -> datetime | None:
    """An aware datetime from RFC 3339; a time without an offset would be a guess: None."""
    if not _STAMP.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:  # the shape was right but the date is not (Feb 30, a leap second)
        return None


def quoted_key(key: str) -> str:
    """A JSON key as a path shows it: quoted, cut short, and escaped where it holds what no
    UTF-8 answer can carry (a lone surrogate) or what a reader would not see (controls)."""
    shown = key if len(key) <= _MAX_KEY_SHOWN else f"{key[:_MAX_KEY_SHOWN]}..."
    return json.dumps(shown, ensure_ascii=bool(_UNSHOWABLE.search(shown)))


class ObjectReader:
    """One JSON object read field by field, noting every broken rule instead of stopping.

    ``stored`` reads a record this service wrote: the content rules (plain-text markup and
    controls, the date range, list limits) were applied when it came in, under whatever
    release that was, and are not applied again. A rule that tightens must not make old
    records unreadable: each would fail every read of its language (issue 9).
    """

    __slots__ = ("_data", "_path", "errors", "stored")

    def __init__(
        self, data: dict[str, Any], path: str, errors: list[FieldError], stored: bool = False
    ) -> None:
        self._data, self._path, self.errors, self.stored = data, path, errors, stored

    def at(self, key: str) -> str:
        """The JSON path of a key; an odd key is quoted so the path stays readable."""
        if len(key) > _MAX_KEY_SHOWN or not _PLAIN_KEY.fullmatch(key):
            return f"{self._path or '$'}[{quoted_key(key)}]"
        return f"{self._path}.{key}" if self._path else key

    def fail(self, key: str, message: str) -> None:
        self.errors.append(FieldError(self.at(key), message))

    def value(self, key: str, *, required: bool = False) -> Any:
        """The raw value; null counts as absent, so a CMS may send every key it has."""
        found = self._data.get(key)
        if found is None and required:
            self.fail(key, "is required")
        return found

    def text(
        self,
        key: str,
        *,
        required: bool = False,
        plain: bool = True,
        empty_ok: bool = False,
        line: bool = False,
    ) -> str | None:
        """A string field; an optional one left blank is simply absent."""
        value = self.value(key, required=required)
        if value is None or (not required and isinstance(value, str) and not value.strip()):
            return None
        plain = plain and not self.stored
        problem = text_problem(value, plain=plain, empty_ok=empty_ok, line=line)
        if problem:
            self.fail(key, problem)
            return None
        return str(value)

    def need_text(
        self, key: str, *, plain: bool = True, empty_ok: bool = False, line: bool = False
    ) -> str:
        """A required string; "" after noting the error, so reading can go on."""
        return self.text(key, required=True, plain=plain, empty_ok=empty_ok, line=line) or ""

    def integer(self, key: str, *, minimum: int) -> int:
        """A required integer (a JSON ``true`` is not one, though Python says it is)."""
        value = self.value(key, required=True)
        if isinstance(value, bool) or not isinstance(value, int):
            if value is not None:
                self.fail(key, f"must be an integer, not {describe(value)}")
            return minimum
        if not minimum <= value <= MAX_INT:
            self.fail(key, f"must be an integer from {minimum} to {MAX_INT}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.value(key, required=True)
        if value is not None and not isinstance(value, bool):
            self.fail(key, f"must be true or false, not {describe(value)}")
        return value is True

    def stamp(self, key: str, *, required: bool = False) -> datetime | None:
        """An aware instant within ``limits.EARLIEST_DATE``..``LATEST_DATE`` (why: there)."""
        value = self.text(key, required=required)
        parsed = parse_rfc3339(value) if value is not None else None
        if value is not None and parsed is None:
            self.fail(key, "must be an RFC 3339 date-time with an offset: 2019-02-20T09:30:00Z")
        elif parsed and not self.stored and not EARLIEST_DATE <= parsed < LATEST_DATE:
            first, end = EARLIEST_DATE.year, LATEST_DATE.year
            self.fail(key, f"must be from the year {first} to {end - 1} in UTC, not {value}")
            return None
        return parsed

    def url(self, key: str) -> str | None:
        value = self.text(key, line=True)
        if value is not None and not _URL.fullmatch(value):
            self.fail(key, "must be an absolute http or https URL with a host")
            return None
        return value

    def language(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not is_language_tag(value):
            self.fail(key, "must be a BCP 47 language tag such as en or ar-IQ")
            return None
        return value

    def choice(self, key: str, kind: type[_E], default: _E | None = None) -> _E | None:
        """A member of ``kind``; required unless there is a default."""
        value = self.text(key, required=default is None)
        if value is None or value not in set(kind):
            if value is not None:
                self.fail(key, f"must be one of: {', '.join(kind)}")
            return default
        return kind(value)

    def items(self, key: str, most: int) -> list[tuple[str, Any]]:
        """Each element of a list field with its JSON path (``media[0]``); a list longer
        than ``most`` is one error and no elements (each would be another error)."""
        value = self.value(key)
        if value is not None and not isinstance(value, list):
            self.fail(key, f"must be a list, not {describe(value)}")
        elements = value if isinstance(value, list) else []
        if len(elements) > most and not self.stored:
            self.fail(key, f"has {len(elements)} entries; the limit is {most}")
            return []
        return [(f"{self.at(key)}[{i}]", element) for i, element in enumerate(elements)]

    def strings(self, key: str, most: int) -> list[tuple[str, str]]:
        """The usable one-line strings of a list field with their paths; the others are
        reported."""
        found: list[tuple[str, str]] = []
        for path, value in self.items(key, most):
            problem = text_problem(value, plain=not self.stored, line=True)
            if problem:
                self.errors.append(FieldError(path, problem))
            else:
                found.append((path, value))
        return found

    def objects(self, key: str, known: frozenset[str], most: int) -> list[ObjectReader]:
        """A reader for each element of a list of objects; other elements are reported."""
        elements = self.items(key, most)
        readers = (
            read_object(value, path, self.errors, known, stored=self.stored)
            for path, value in elements
        )
        return [reader for reader in readers if reader is not None]

    def object(self, key: str, known: frozenset[str]) -> ObjectReader | None:
        value = self.value(key)
        if value is None:
            return None
        return read_object(value, self.at(key), self.errors, known, stored=self.stored)


def read_object(
    value: Any, path: str, errors: list[FieldError], known: frozenset[str], *, stored: bool = False
) -> ObjectReader | None:
    """A reader over a JSON object, once each key it does not expect is reported.

    Unknown keys are errors so that typos surface (brief section 2); a near miss is named.
    """
    if not isinstance(value, dict):
        errors.append(FieldError(path or "$", f"must be an object, not {describe(value)}"))
        return None
    reader = ObjectReader(value, path, errors, stored)
    for key in map(str, value):
        if key not in known:
            # Suggestions cost a fuzzy match each: a flood of junk keys gets none.
            few = len(errors) < _MAX_SUGGESTIONS
            guess = difflib.get_close_matches(key, sorted(known), n=1) if few else []
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            reader.fail(key, f"unknown field{hint}")
    return reader


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuses a key given twice: parsers disagree on which value wins, so a typo hides."""
    twice = [key for key, count in Counter(key for key, _ in pairs).items() if count > 1]
    if twice:
        raise ValueError(f"key {twice[0]!r} appears twice in one object")
    return dict(pairs)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _bounded_int(digits: str) -> int:
    """An integer literal; past 64 bits nothing here could use it, so it is refused early."""
    if len(digits.lstrip("-")) > len(str(MAX_INT)):
        raise ValueError(f"the number {digits[:12]}... has too many digits")
    return int(digits)


def decode_json(raw: bytes | str, max_bytes: int) -> Any:
    """The JSON value of a UTF-8 payload; any failure is one ``$`` FieldError saying where."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ArticleInvalid(
            [FieldError("$", f"payload is {size} bytes; the limit is {max_bytes}")]
        )
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            object_pairs_hook=_unique_keys,
        )
    except UnicodeDecodeError as exc:
        message = f"is not UTF-8: byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
    except json.JSONDecodeError as exc:
        message = f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
    except RecursionError:
        message = "is nested too deeply to be an article"
    except ValueError as exc:  # from the hooks: a duplicate key, NaN, a 5000-digit number
        message = f"is not valid JSON: {exc}"
    raise ArticleInvalid([FieldError("$", message)])
