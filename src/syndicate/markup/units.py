"""Translation units: where the translatable text of a sanitised body lives, read as plain
text with the character spans of its inline markup, glossary terms and sentence segments.

Brief section 4. Any maximal run of text and inline children inside a non-inline element
is a unit, so nested blocks and text mixed with blocks are all translated and nothing is
dropped. Elements fall in five groups:

- blocks (p, h1-h6, li, blockquote, figcaption, td, th, dd, dt, caption and containers such
  as div, section, figure, ul, table, tr) end a run; markup walks into them. An inline
  element holding a block (``<a><div>..</div></a>``) is walked like a block;
- passthrough blocks (pre, hr, and any block with ``translate="no"``) end a run and are not
  touched;
- verbatim inline elements (code, time, ``translate="no"``) are protected spans: the model
  sees their text, their projected words are replaced by the element, untouched;
- point elements (img, br, iframe, video, audio, svg, math, picture, canvas, and any inline
  element without text, such as an empty ``a``) sit at one position and move untouched;
- every other element, unknown ones included, is an inline span rebuilt around its words.

Whitespace inside a unit is collapsed as HTML renders it (ASCII whitespace runs become one
space), so the model sees clean sentences; a ``br`` reads as a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from syndicate.markup.sentences import split_sentences, word_set

_BLOCKS = word_set(
    "p h1 h2 h3 h4 h5 h6 li blockquote figcaption td th dd dt caption div section article "
    "figure ul ol dl table thead tbody tfoot tr colgroup col header footer aside main nav "
    "hgroup address details summary legend fieldset center dialog menu dir search pre hr"
)
_PASSTHROUGH_BLOCKS = frozenset({"pre", "hr", "col"})
_POINTS = word_set("img br wbr iframe video audio svg math picture canvas map")
# Code and time inline are verbatim spans; inside any of these an img's alt stays too.
_FROZEN = frozenset({"code", "time", "pre", "svg", "math"})
_IMAGE_ATTRIBUTES = ("alt", "title")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


# A number, digits of any script with inner separators (28,000  12.5  5:30): numbers come
# out byte-identical in every language (brief section 4), so they are protected like terms.
_NUMBER = r"\d+(?:[.,:]\d+)*"
# A URL, e-mail address, handle (@rudaw_english) or code written with an underscore
# (erbil_water_2024) is byte-identical too: a model would translate its words
# (``erbil_water`` -> ``erbil_ماء``). A URL ends before closing punctuation.
_ADDRESS = (
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]}'\u00bb\u201d\u2019]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+|(?=\w*_)\w+"
)


class SpanKind(StrEnum):
    ELEMENT = "element"  # inline element rebuilt around its projected words
    VERBATIM = "verbatim"  # protected element: its projected words are replaced by it
    POINT = "point"  # element without text, placed between two target tokens
    TERM = "term"  # glossary term: its projected words are replaced by ``Span.text``


@dataclass(frozen=True, slots=True)
class Span:
    """A span of ``Unit.text``: ``[start, end)`` without surrounding whitespace (a point has
    ``start == end``), the index of its enclosing ELEMENT span (-1 at the top) and, for a
    term, the text it must come out as."""

    start: int
    end: int
    parent: int
    kind: SpanKind
    text: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit's text, its spans (elements in document order, then terms) and segments.

    ``segments`` are ``[start, end)`` ranges of ``text`` without surrounding whitespace: one
    sentence each, or several when an inline element crosses a sentence boundary.
    ``attribute`` names the img attribute a unit comes from; None for a run or plain text.
    """

    text: str
    spans: tuple[Span, ...]
    segments: tuple[tuple[int, int], ...]
    attribute: str | None = None


@dataclass(frozen=True, slots=True)
class Terms:
    """The protected words of one target language, compiled once per field: ``fixed``
    maps a term to what it must come out as; a matched number comes out as itself."""

    pattern: re.Pattern[str]
    fixed: Mapping[str, str]

    def output(self, word: str) -> str:
        return self.fixed.get(word, word)


def compile_terms(fixed: Mapping[str, str], numbers: bool = True) -> Terms:
    """Whole words (Unicode word boundaries), case-sensitive, the longest term first; then
    URLs, e-mail addresses, handles and codes with an underscore, then numbers (unless
    ``numbers`` is off)."""
    words = sorted((t for t in fixed if t.strip()), key=lambda t: (-len(t), t))
    parts = [re.escape(w) for w in words] + [_ADDRESS] + ([_NUMBER] if numbers else [])
    return Terms(re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"), dict(fixed))


@dataclass(frozen=True, slots=True)
class Run:
    """Where a unit sits in the tree: inside ``container``, starting at its text (``anchor``
    None) or at the tail of the block child ``anchor``, through the inline ``members``."""

    container: etree._Element
    anchor: etree._Element | None
    members: tuple[etree._Element, ...]


def find_runs(root: etree._Element) -> list[Run]:
    """Every run with text, in document order."""
    runs: list[Run] = []
    _collect(root, runs)
    return runs


def find_images(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Each img alt or title to translate, in document order (not inside frozen content)."""
    return [
        (img, name)
        for img in root.iter("img")
        if not any(_is_frozen(el) for el in (img, *img.iterancestors()))
        for name in _IMAGE_ATTRIBUTES
        if (img.get(name) or "").strip()
    ]


def run_elements(run: Run) -> list[etree._Element]:
    """The run's span elements in the order ``read_run`` lists their spans."""
    found: list[etree._Element] = []
    for member in run.members:
        found += _walk_spans(member)
    return found


def read_run(run: Run, terms: Terms) -> Unit:
    """The unit a run holds: collapsed text, element spans, terms and segments."""
    reader = _Reader()
    reader.add(_opening_text(run))
    for member in run.members:
        reader.read(member, -1)
        reader.add(member.tail)
    return _finish(reader.text, reader.spans, terms)


def read_text(text: str, terms: Terms, attribute: str | None = None) -> Unit:
    """A plain-text unit (headline, caption, alt text): only terms are spans."""
    return _finish(text, [], terms, attribute)


def _collect(container: etree._Element, runs: list[Run]) -> None:
    anchor: etree._Element | None = None
    members: list[etree._Element] = []
    for child in container:
        if not _is_blockish(child):
            members.append(child)
            continue
        _close(Run(container, anchor, tuple(members)), runs)
        if child.tag not in _PASSTHROUGH_BLOCKS and not _is_frozen(child):
            _collect(child, runs)
        anchor, members = child, []
    _close(Run(container, anchor, tuple(members)), runs)


def _close(run: Run, runs: list[Run]) -> None:
    """Keep a run that has text to translate (verbatim text alone is not worth a segment)."""
    pieces = [_content(m, verbatim=False) + (m.tail or "") for m in run.members]
    if (_opening_text(run) + "".join(pieces)).strip():
        runs.append(run)


def _opening_text(run: Run) -> str:
    return (run.container.text if run.anchor is None else run.anchor.tail) or ""


def _is_frozen(el: etree._Element) -> bool:
    return el.tag in _FROZEN or (el.get("translate") or "").strip().lower() == "no"


def _is_blockish(el: etree._Element) -> bool:
    return el.tag in _BLOCKS or (el.tag not in _POINTS and _has_block(el))


def _has_block(el: etree._Element) -> bool:
    return any(c.tag in _BLOCKS or (c.tag not in _POINTS and _has_block(c)) for c in el)


def _content(el: etree._Element, verbatim: bool = True) -> str:
    """What an inline element contributes to the unit text, before whitespace collapsing
    (without the text of verbatim elements when ``verbatim`` is False)."""
    if el.tag in _POINTS:
        return " " if el.tag == "br" else ""
    if _is_frozen(el):
        return "".join(str(t) for t in el.itertext()) if verbatim else ""
    inner = "".join(_content(c, verbatim) + (c.tail or "") for c in el)
    return (el.text or "") + inner


def _kind(el: etree._Element) -> SpanKind:
    content = _content(el)
    if el.tag in _POINTS or not content.strip():
        return SpanKind.POINT
    return SpanKind.VERBATIM if _is_frozen(el) else SpanKind.ELEMENT


def _walk_spans(el: etree._Element) -> Iterator[etree._Element]:
    yield el
    if _kind(el) is SpanKind.ELEMENT:
        for child in el:
            yield from _walk_spans(child)


class _Reader:
    """Builds a unit's collapsed text while recording each element's raw span."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[Span] = []

    def add(self, piece: str | None) -> None:
        collapsed = _HTML_SPACE.sub(" ", piece or "")
        if self.text.endswith(" ") and collapsed.startswith(" "):
            collapsed = collapsed[1:]
        self.text += collapsed

    def read(self, el: etree._Element, parent: int) -> None:
        kind, index, start = _kind(el), len(self.spans), len(self.text)
        self.spans.append(Span(start, start, parent, kind))
        if kind is SpanKind.ELEMENT:
            self.add(el.text)
            for child in el:
                self.read(child, index)
                self.add(child.tail)
        else:
            self.add(_content(el))  # a point's content is empty or a space
        self.spans[index] = Span(start, len(self.text), parent, kind)


def _finish(text: str, raw: Sequence[Span], terms: Terms, attribute: str | None = None) -> Unit:
    spans = _tighten(text, raw)
    spans += _find_terms(text, spans, terms)
    return Unit(text, tuple(spans), _segments(text, spans), attribute)


def _tighten(text: str, raw: Sequence[Span]) -> list[Span]:
    """Trim each span to its non-space text; put each point inside its parent's text."""
    spans: list[Span] = []
    for span in raw:
        start, end = _trim(text, span.start, span.end)
        if span.kind is SpanKind.POINT:
            start = end = span.start
        if span.parent >= 0:
            outer = spans[span.parent]
            start, end = _clamp(start, outer), _clamp(end, outer)
        spans.append(Span(start, end, span.parent, span.kind))
    return spans


def _clamp(pos: int, outer: Span) -> int:
    return min(max(pos, outer.start), outer.end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _find_terms(text: str, spans: Sequence[Span], terms: Terms) -> list[Span]:
    """Term matches that sit inside one element's text and outside verbatim content: a
    term cannot be replaced across markup."""
    found: list[Span] = []
    for match in terms.pattern.finditer(text):
        start, end = match.span()
        if any(_cuts(s, start, end) for s in spans):
            continue
        parents = [
            i
            for i, s in enumerate(spans)
            if s.kind is SpanKind.ELEMENT and s.start <= start and end <= s.end
        ]
        parent = parents[-1] if parents else -1
        found.append(Span(start, end, parent, SpanKind.TERM, terms.output(match.group())))
    return found


def _cuts(span: Span, start: int, end: int) -> bool:
    """Whether ``span`` forbids a term at ``[start, end)``: a boundary strictly inside it,
    or verbatim content around it."""
    inside = start < span.start < end or start < span.end < end
    covered = span.kind is SpanKind.VERBATIM and span.start <= start and end <= span.end
    return inside or covered


def _segments(text: str, spans: Sequence[Span]) -> tuple[tuple[int, int], ...]:
    """Sentences, merged where a span crosses from one into the next."""
    sentences = [r for r in (_trim(text, a, b) for a, b in split_sentences(text)) if r[0] < r[1]]
    glued = [False] * len(sentences)
    for span in spans:
        hit = [i for i, (a, b) in enumerate(sentences) if a < span.end and span.start < b]
        for i in hit[:-1]:
            glued[i] = True
    merged: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(sentences):
        if merged and glued[i - 1]:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return tuple(merged)
