"""A segment as an editor reads and writes it: text with numbered tag placeholders.

The inline markup of a segment is shown as placeholders numbered in source order:
``<1>`` ... ``</1>`` around the words of an element (a link, ``<strong>``), ``<2/>`` for a
point (an image, a line break) and ``<3>12:30</3>`` for a protected element (``code``,
``time``), whose text may not change. An editor may move placeholders and rewrite the
words around them, never break them: every tag exactly once, properly nested, inside the
same tag as in the source. Protected text (credited names, glossary terms, numbers) may be
moved but not changed. ``read`` checks all of it and reports every problem at once,
naming the tag; ``write`` is its inverse. CAT tools (memoQ, Trados, OmegaT) show inline
tags the same way.

A literal ``<`` that would read as a placeholder is written ``&lt;``, and a literal ``&``
before ``lt;`` or ``amp;`` as ``&amp;``, so any text survives ``write`` then ``read``
unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from syndicate.markup.pieces import Mark, MarkKind, Piece, joined

# One segment is a sentence or a few: an edit far longer than any is a pasted article.
MAX_EDIT_CHARS: Final = 20_000
_PLACEHOLDER: Final = re.compile(r"<(/?)(\d{1,6})(/?)>")
_ESCAPE: Final = re.compile(r"&(?=lt;|amp;)|<(?=/?\d{1,6}/?>)")
_UNESCAPE: Final = re.compile(r"&lt;|&amp;")


class TagKind(StrEnum):
    PAIR = "pair"  # an element rebuilt around its words
    POINT = "point"  # an element without words, placed whole
    PROTECTED = "protected"  # a verbatim element: placed whole, its text unchanged


@dataclass(frozen=True, slots=True)
class Tag:
    """Placeholder ``n`` of a segment: the unit's span ``span``, its kind, the number of
    the tag it sits in (0 at the top), a protected element's text and the element name."""

    n: int
    span: int
    kind: TagKind
    parent: int = 0
    text: str = ""
    name: str = ""


class EditRefused(Exception):
    """An edit that breaks the placeholder or protected-text rules (every problem)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def write(pieces: Sequence[Piece], tags: Sequence[Tag]) -> str:
    """``pieces`` as placeholder text."""
    by_span = {t.span: t for t in tags}
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(_escape(piece))
            continue
        tag = by_span[piece.span]
        if piece.kind is MarkKind.CLOSE:
            out.append(f"</{tag.n}>")
        elif tag.kind is TagKind.PROTECTED:
            out.append(f"<{tag.n}>{_escape(tag.text)}</{tag.n}>")
        elif tag.kind is TagKind.POINT:
            out.append(f"<{tag.n}/>")
        else:
            out.append(f"<{tag.n}>")
    return "".join(out)


def plain(pieces: Sequence[Piece]) -> str:
    """The words of ``pieces`` without the markup (what protected text is looked for in)."""
    return "".join(p for p in pieces if isinstance(p, str))


def _escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "&amp;" if m.group() == "&" else "&lt;", text)


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: "<" if m.group() == "&lt;" else "&", text)


def _tokens(text: str) -> list[str | tuple[str, int, str]]:
    """Text pieces (unescaped) and placeholders as (``/`` or "", number, ``/`` or "")."""
    out: list[str | tuple[str, int, str]] = []
    cursor = 0
    for match in _PLACEHOLDER.finditer(text):
        out.append(_unescape(text[cursor : match.start()]))
        out.append((match.group(1), int(match.group(2)), match.group(3)))
        cursor = match.end()
    out.append(_unescape(text[cursor:]))
    return out


class _Reader:
    """Reads placeholder text into pieces, noting every broken rule."""

    def __init__(self, tags: Sequence[Tag]) -> None:
        self.tags = {t.n: t for t in tags}
        self.pieces: list[Piece] = []
        self.problems: list[str] = []
        self.stack: list[Tag] = []
        self.opened: Counter[int] = Counter()
        self.closed: Counter[int] = Counter()
        self.protected: list[str] | None = None  # text inside an open protected tag

    def text(self, text: str) -> None:
        if self.protected is not None:
            self.protected.append(text)
        else:
            self.pieces.append(text)

    def placeholder(self, slash: str, n: int, point: str) -> None:
        tag = self.tags.get(n)
        if tag is None:
            self.problems.append(f"tag <{n}> is not in this segment")
        elif slash:
            self._close(tag)
        elif point and tag.kind is not TagKind.POINT:
            self.problems.append(f"tag <{n}> must open and close: <{n}>...</{n}>")
        elif not point and tag.kind is TagKind.POINT:
            self.problems.append(f"tag <{n}/> stands alone: write it as <{n}/>")
        else:
            self._open(tag)

    def _open(self, tag: Tag) -> None:
        self.opened[tag.n] += 1
        if self.opened[tag.n] == 2:
            self.problems.append(f"tag <{tag.n}> is doubled")
        if self.protected is not None:
            self.problems.append(f"tag <{tag.n}> is inside protected text")
            return
        inside = self.stack[-1].n if self.stack else 0
        if inside != tag.parent:
            where = f"inside <{tag.parent}>" if tag.parent else "outside every other tag"
            self.problems.append(f"tag <{tag.n}> is badly nested: it belongs {where}")
        if tag.kind is TagKind.POINT:
            self.pieces.append(Mark(MarkKind.POINT, tag.span))
            return
        self.stack.append(tag)
        if tag.kind is TagKind.PROTECTED:
            self.protected = []
        else:
            self.pieces.append(Mark(MarkKind.OPEN, tag.span))

    def _close(self, tag: Tag) -> None:
        self.closed[tag.n] += 1
        if self.closed[tag.n] == 2:
            self.problems.append(f"tag </{tag.n}> is doubled")
        if not self.stack or self.stack[-1].n != tag.n:
            opened = f"<{self.stack[-1].n}>" if self.stack else "no tag"
            self.problems.append(f"tag </{tag.n}> is badly nested: it closes {opened}")
            return
        self.stack.pop()
        if tag.kind is TagKind.PROTECTED:
            written = "".join(self.protected or [])
            self.protected = None
            if written != tag.text:
                self.problems.append(
                    f"tag <{tag.n}> holds protected text {tag.text!r}: it may be moved, not changed"
                )
            self.pieces.append(Mark(MarkKind.POINT, tag.span))
        else:
            self.pieces.append(Mark(MarkKind.CLOSE, tag.span))

    def finish(self) -> None:
        for n, tag in sorted(self.tags.items()):
            if not self.opened[n]:
                self.problems.append(
                    f"tag <{n}{'/' if tag.kind is TagKind.POINT else ''}> is missing"
                )
            elif tag.kind is not TagKind.POINT and not self.closed[n]:
                self.problems.append(f"tag </{n}> is missing")


def read(
    text: str, tags: Sequence[Tag], protected: Sequence[str], *, empty_ok: bool = False
) -> tuple[Piece, ...]:
    """The pieces an editor's placeholder text stands for; ``EditRefused`` naming every
    tag missing, doubled, unknown or badly nested, every protected element whose text
    changed, every protected text (``protected``, a multiset) no longer there, and no
    words at all unless ``empty_ok`` (a segment whose source is all tags)."""
    if len(text) > MAX_EDIT_CHARS:
        raise EditRefused([f"the translation is longer than {MAX_EDIT_CHARS} characters"])
    reader = _Reader(tags)
    for token in _tokens(text):
        if isinstance(token, str):
            reader.text(token)
        else:
            reader.placeholder(*token)
    reader.finish()
    pieces = joined(reader.pieces)
    problems = reader.problems + _lost(plain(pieces), protected)
    if not empty_ok and not plain(pieces).strip():
        problems.append("the translation is empty")
    if problems:
        raise EditRefused(list(dict.fromkeys(problems)))
    return pieces


def _lost(words: str, protected: Sequence[str]) -> list[str]:
    """Protected texts written fewer times than the segment holds them."""
    return [
        f"protected text {term!r} was changed or removed: it may be moved, not changed"
        for term, count in sorted(Counter(protected).items())
        if count_term(words, term) < count
    ]


def count_term(words: str, term: str) -> int:
    """Occurrences of ``term`` not inside a longer number or word of the same kind: ``45``
    is not found in ``450``, nor ``Rudaw`` in ``Rudawi``."""
    before = r"(?<!\d)" if term[:1].isdigit() else r"(?<!\w)" if term[:1].isalnum() else ""
    after = r"(?!\d)" if term[-1:].isdigit() else r"(?!\w)" if term[-1:].isalnum() else ""
    return len(re.findall(before + re.escape(term) + after, words))
