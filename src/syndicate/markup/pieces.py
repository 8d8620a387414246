"""A translated segment as pieces: its text, and marks where the unit's elements open,
close or sit. Reassembly writes a segment's translation as pieces, and every translated
unit is built from pieces, so a segment an editor changed (review/) is put back by the
same code as the model's, and an unchanged one comes out byte for byte as the model's.

A mark names a span of the unit (``Unit.spans``) by its index: an element span opens and
closes around its words, a point or a verbatim element (protected: ``code``, ``time``)
sits whole where its mark is. Terms are no marks: their fixed text is text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from syndicate.errors import TranslationRejected
from syndicate.markup.sanitiser import xml_text


class MarkKind(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    POINT = "point"


@dataclass(frozen=True, slots=True)
class Mark:
    """Where span ``span`` of the unit opens, closes, or sits whole (a point, verbatim)."""

    kind: MarkKind
    span: int


Piece = str | Mark


def joined(pieces: Sequence[Piece]) -> tuple[Piece, ...]:
    """``pieces`` with adjacent texts joined and empty ones dropped: one spelling per
    stream, so two streams that write the same compare equal."""
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str):
            if not piece:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += piece
                continue
        out.append(piece)
    return tuple(out)


class _Builder:
    """Appends text and elements to a holder, the way lxml stores mixed content."""

    def __init__(self, holder: etree._Element, elements: Sequence[etree._Element | None]):
        self.stack = [holder]
        self.elements = elements

    def text(self, text: str) -> None:
        text = xml_text(text)  # a model (or an editor) can write what XML cannot carry
        if not text:
            return
        current = self.stack[-1]
        if len(current):
            last = current[-1]
            last.tail = (last.tail or "") + text
        else:
            current.text = (current.text or "") + text

    def mark(self, mark: Mark) -> None:
        if mark.kind is MarkKind.CLOSE:
            self.stack.pop()
            return
        element = self.elements[mark.span]
        if element is None:
            raise TranslationRejected(f"span {mark.span} is a term, not an element")
        if mark.kind is MarkKind.OPEN:  # rebuilt around the words the pieces give it
            element.text = None
            del element[:]
        self.stack[-1].append(element)
        element.tail = None
        if mark.kind is MarkKind.OPEN:
            self.stack.append(element)


def build_holder(
    pieces: Sequence[Piece], elements: Sequence[etree._Element | None]
) -> etree._Element:
    """A ``holder`` element with the unit's content written from ``pieces``;
    ``elements[i]`` is span i's element (None for a term). The marks must be balanced."""
    holder = etree.Element("holder")
    builder = _Builder(holder, elements)
    for piece in pieces:
        if isinstance(piece, str):
            builder.text(piece)
        else:
            builder.mark(piece)
    return holder
