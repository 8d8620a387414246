"""Invisible format characters in plain text: which ones are refused, and why.

Bidi controls change the order in which a reader sees characters without being seen
themselves; zero-width characters make two strings that look the same differ. Real RTL and
emoji text needs some of them, so the rule depends on the field:

- Prose (headline, summary, dateline, captions, credit line) may use embeddings and
  isolates (U+202A/B, U+2066-2068), which RTL editors insert around a Latin name or a number,
  as long as the field closes each one it opens (U+202C, U+2069): an unclosed one would
  reorder whatever a reader's screen shows after the field. The overrides U+202D and U+202E
  reverse the characters they cover (the "Trojan source" trick: ``\u202ecod.exe`` shows as
  ``exe.doc``) and have no use in news text: always refused.
- One-line names (tags, credited names, media credits, rights holder, source, section,
  URLs) are identifiers that partners match and index: no bidi control at all, and none of
  the invisible U+200B (zero-width space), U+2060 (word joiner), U+FEFF (BOM), U+180E
  (Mongolian vowel separator), which would make ``Erbil`` and ``Er\u200bbil`` two tags.

Always allowed: U+200C ZWNJ, which Persian and Kurdish (ckb) spelling requires inside
words; U+200D ZWJ, which joins emoji sequences and Indic conjuncts; and the marks U+200E
LRM, U+200F RLM, U+061C ALM, which only set the direction of neutral characters next to
them and cannot leak past the field.
"""

from __future__ import annotations

import re
from typing import Final

_OVERRIDES: Final = re.compile("[\u202d\u202e]")
_OPENERS: Final = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")
_CLOSERS: Final = frozenset("\u202c\u2069")
_LINE_FORBIDDEN: Final = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u180e]")


def _named(char: str) -> str:
    return f"U+{ord(char):04X}"


def prose_problem(value: str) -> str | None:
    """Why ``value``'s bidi controls could reorder text outside it, or None."""
    if found := _OVERRIDES.search(value):
        return f"must not contain the bidi override {_named(found.group())}"
    depth = 0
    for char in value:
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
            if depth < 0:
                return f"closes a bidi embedding or isolate it did not open ({_named(char)})"
    if depth:
        return "opens a bidi embedding or isolate (U+202A/B, U+2066-2068) it does not close"
    return None


def line_problem(value: str) -> str | None:
    """Why ``value``, a one-line name, carries an invisible control it may not, or None."""
    if found := _LINE_FORBIDDEN.search(value):
        return f"must not contain the invisible control {_named(found.group())} in a name"
    return None
