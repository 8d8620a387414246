"""Credits: reading a free-text credit line into structured credits and writing one back.

Brief section 2 turns a free-text ``credit_line`` into structured credits; brief section 4
says names stay byte-identical in every language (the labels come from roles.py). Pure:
no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from syndicate.news.roles import ROLE_BY_WORD, Style, style_for


@dataclass(frozen=True, slots=True)
class Credit:
    """A credited person. ``role`` is a canonical code from ``ROLES`` when known."""

    role: str
    name: str
    location: str | None = None


# --- reading credit lines -------------------------------------------------------------------

_WORD_ALTERNATION: Final = "|".join(
    re.escape(word).replace(r"\ ", r"\s+") for word in sorted(ROLE_BY_WORD, key=len, reverse=True)
)
_HEAD: Final = re.compile(
    r"(?P<sep>^|[,;|/\n\r،؛]|\.(?=\s)|\s[-\u2013\u2014]\s|\s(?:and|&)\s)\s*(?:with\s+)?"
    rf"(?:(?P<words>(?:{_WORD_ALTERNATION})(?:\s*(?:,|and|&|و)\s*(?:{_WORD_ALTERNATION}))"
    r"{0,3})"  # a bounded chain ("Text and photos by"): unbounded, a long one is quadratic
    # "Translated from Arabic by", "Reporting from Syria by": the detour is not kept.
    r"(?:\s+(?:from|into|to)\s+[^\W\d_]+){0,2}"
    r"\s*(?:\bby\b\s*:?|:)|(?P<by>by)\b\s*:?)\s*",
    re.IGNORECASE,
)
_HARD_SEPARATORS: Final = frozenset({"", ";", "|", "\n", "\r", "؛", "."})
_JOINED_WORDS: Final = re.compile(rf"\s*(?:,|and|&|و)\s*(?=(?:{_WORD_ALTERNATION}))", re.I)
# No leading \s*: on a long run of spaces that would make every split quadratic.
_NAME_SEPARATOR: Final = re.compile(r"[,،;|\n\r](?:\s*(?:and|&)\s)?|\s(?:and|AND|And|&|ve|û|و)\s")
_PLACE: Final = re.compile(r"\s(?:in|IN|from|FROM|من|لە)\s")
# Lower-case words a name may hold ("Mohammed al-Sayed", "Rudaw staff").
_PARTICLES: Final = frozenset(
    {
        "al",
        "el",
        "d",
        "l",
        "bin",
        "ibn",
        "bint",
        "abu",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "y",
        "e",
        "ter",
        "staff",
        "team",
        "desk",
        "bureau",
        "news",
    }
)
_ABBREVIATIONS: Final = frozenset({"jr", "sr", "inc", "ltd", "co", "st", "bros"})
_MAX_NAME_WORDS: Final = 6


def _trimmed(text: str) -> str:
    """The line without brackets around it or a closing full stop (Reuters style)."""
    text = text.strip()
    while len(text) > 1 and text[0] + text[-1] in ("()", "[]", "{}"):
        text = text[1:-1].strip()
    last = text.rsplit(maxsplit=1)[-1] if text else ""
    if text.endswith(".") and len(last) > 2 and last[:-1].casefold() not in _ABBREVIATIONS:
        text = text[:-1].rstrip()
    return text


def _is_plausible(name: str, cased: bool) -> bool:
    """Whether text looks like a name rather than part of a sentence.

    A name has a few words, each capitalised unless it is a particle (al-, de, van); in a
    line with no capitals at all only the word count can be judged.
    """
    words = name.split()
    if not 0 < len(words) <= _MAX_NAME_WORDS or len(name) > 120 or ":" in name:
        return False
    return not cased or all(
        not w[0].islower() or re.split("[-'\u2019]", w)[0].casefold() in _PARTICLES for w in words
    )


def _is_plausible_place(place: str, cased: bool) -> bool:
    """Places are looser than names ("northern Syria", "Syria and Iraq"): one capital will do."""
    words = place.split()
    if not 0 < len(words) <= _MAX_NAME_WORDS or ":" in place:
        return False
    return not cased or any(not w[0].islower() for w in words)


def _split_names(text: str) -> list[str]:
    return [n.strip() for n in _NAME_SEPARATOR.split(text) if n.strip()]


def _names_and_places(body: str) -> list[tuple[str, str | None]]:
    """Names with their place: "A and B in Syria" puts both in Syria; "A in X, B in Y" does not."""
    chunks = _PLACE.split(body)
    pairs: list[tuple[str, str | None]] = []
    names = chunks[0]
    for index, chunk in enumerate(chunks[1:], start=1):
        place, following = chunk, ""
        if index < len(chunks) - 1:
            cut = list(_NAME_SEPARATOR.finditer(chunk))
            if cut:
                place, following = chunk[: cut[-1].start()], chunk[cut[-1].end() :]
        pairs += [(name, place.strip() or None) for name in _split_names(names)]
        names = following
    pairs += [(name, None) for name in _split_names(names)]
    return pairs


def _group_credits(roles: Sequence[str], body: str, cased: bool) -> list[Credit]:
    credits: list[Credit] = []
    for name, place in _names_and_places(body):
        if not _is_plausible(name, cased):
            continue
        location = place if place and _is_plausible_place(place, cased) else None
        credits += [Credit(role, name, location) for role in roles]
    return credits


def _heads(text: str) -> list[re.Match[str]]:
    """Where role groups start; a bare "By" only opens the line or follows a hard break."""
    return [m for m in _HEAD.finditer(text) if not m["by"] or m["sep"].strip() in _HARD_SEPARATORS]


def parse_credit_line(text: str) -> tuple[Credit, ...]:
    """Structured credits from a newsroom credit line (brief section 2).

    Reads "Reporting by A and B in Syria, produced by C", "Writing by X; Editing by Y",
    "Photos: X", "By X" and the labels of every table language. Names are kept exactly as
    written; text without a role phrase gives no credit rather than a guess.
    """
    line = _trimmed(text)
    cased = any(c.isupper() for c in line)
    heads = _heads(line)
    found: list[Credit] = []
    ends = [head.start() for head in heads[1:]] + [len(line)]
    for head, end in zip(heads, ends, strict=False):  # no heads: nothing to read
        body = line[head.end() : end]
        found += _group_credits(_head_roles(head), body, cased)
    return tuple(dict.fromkeys(found))


def _head_roles(head: re.Match[str]) -> list[str]:
    """The roles a head names: "Text and photos by" is two; a bare "By" is the reporter."""
    if not head["words"]:
        return ["reporting"]
    words = (" ".join(w.split()).casefold() for w in _JOINED_WORDS.split(head["words"]))
    return list(dict.fromkeys(ROLE_BY_WORD[w] for w in words if w in ROLE_BY_WORD))


# --- writing credit lines -------------------------------------------------------------------


def _join_names(names: Sequence[str], style: Style) -> str:
    if len(names) == 1:
        return names[0]
    last = names[-1]
    glue = style.conjunction
    if style.attach_conjunction and not _is_arabic_letter(last[0]):
        glue += " "  # و joins an Arabic word, but stands apart from a Latin-script name
    return style.comma.join(names[:-1]) + glue + last


def _is_arabic_letter(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"


def _groups(credits: Iterable[Credit]) -> list[tuple[str, str | None, list[str]]]:
    """Consecutive credits sharing role and place, so "A and B in Syria" is written once."""
    groups: list[tuple[str, str | None, list[str]]] = []
    for credit in credits:
        if groups and groups[-1][:2] == (credit.role, credit.location):
            groups[-1][2].append(credit.name)
        else:
            groups.append((credit.role, credit.location, [credit.name]))
    return groups


def format_credit_line(
    credits: Sequence[Credit], lang: str, locations: Mapping[str, str] | None = None
) -> str:
    """A credit line in ``lang`` from the label table (brief section 4).

    Names are written verbatim; ``locations`` maps a source place to its translation, and
    a place it does not know is kept. English for a language without a table.
    """
    style = style_for(lang)
    parts = []
    for role, location, names in _groups(credits):
        label = style.labels.get(role) or f"{role.rstrip(':')}:"
        text = f"{label} {_join_names(names, style)}"
        if location:
            text += style.place.format((locations or {}).get(location, location))
        parts.append(text)
    return style.group_separator.join(parts)
