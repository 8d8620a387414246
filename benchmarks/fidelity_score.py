"""Scoring for fidelity.py: span exactness against the truth, and issue 2's invariants.

Elements are matched by the ``id`` the corpus loader gave them. A span's position is, in
its block (the nearest p, li, h2, ... ancestor), the text before it and the text inside
it, whitespace removed: exact when both are the truth's. A block holds its invariants when
the output is well-formed XML, the block's inline elements are those of the source, each
once, its text is the truth's, and each glossary term and number of the source block comes
out as the glossary says (kept, or its fixed rendering).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree, html

from syndicate.markup.sentences import word_set
from syndicate.translation.glossary import Glossary

BLOCKS = word_set("p li h1 h2 h3 h4 h5 h6 blockquote figcaption td th dd dt caption")
_NUMBER = re.compile(r"(?<![\w.,:])\d+(?:[.,:]\d+)*(?![\w])")
_SPACE = re.compile(r"\s+")
Position = tuple[str, str]  # text before the span in its block, text inside it


@dataclass
class Scores:
    """Counts over a corpus; ``failures`` names each invariant broken, in blocks."""

    spans: int = 0
    exact: int = 0
    blocks: int = 0
    held: int = 0
    failures: dict[str, int] = field(default_factory=dict)

    def __iadd__(self, other: Scores) -> Scores:
        self.spans += other.spans
        self.exact += other.exact
        self.blocks += other.blocks
        self.held += other.held
        for name, count in other.failures.items():
            self.failures[name] = self.failures.get(name, 0) + count
        return self

    @property
    def exact_share(self) -> float:
        return self.exact / max(1, self.spans)

    @property
    def invariant_share(self) -> float:
        return self.held / max(1, self.blocks)


def _tree(markup: str) -> etree._Element:
    return html.fragment_fromstring(markup, create_parent="div")


def _well_formed(markup: str) -> bool:
    try:
        etree.fromstring(f"<div>{markup}</div>")
    except etree.XMLSyntaxError:
        return False
    return True


def _flat(text: str) -> str:
    return _SPACE.sub("", text)


def _block_of(el: etree._Element) -> etree._Element:
    parent = el.getparent()
    while parent is not None and parent.tag not in BLOCKS and parent.getparent() is not None:
        parent = parent.getparent()
    return parent if parent is not None else el


def _text_before(block: etree._Element, el: etree._Element) -> str:
    """Exact text preceding ``el`` inside ``block``, counting tails correctly."""
    out: list[str] = []

    def walk(node: etree._Element) -> bool:
        out.append(node.text or "")
        for child in node:
            if child is el:
                return True
            if walk(child):
                return True
            out.append(child.tail or "")
        return False

    walk(block)
    return "".join(out)


def positions(tree: etree._Element) -> tuple[dict[str, Position], dict[str, etree._Element]]:
    """Every inline element's position by id, and every block by id."""
    spans: dict[str, Position] = {}
    blocks: dict[str, etree._Element] = {}
    for el in tree.iter():
        ident = el.get("id")
        if not isinstance(el.tag, str) or not ident:
            continue
        if el.tag in BLOCKS:
            blocks[ident] = el
        elif el.tag not in ("ul", "ol", "table", "tr", "figure", "img", "div"):
            block = _block_of(el)
            spans[ident] = (_flat(_text_before(block, el)), _flat("".join(el.itertext())))
    return spans, blocks


def _inline_ids(block: etree._Element) -> Counter[str]:
    return Counter(
        el.get("id") or ""
        for el in block.iterdescendants()
        if isinstance(el.tag, str) and el.tag not in BLOCKS
    )


def _terms_ok(source: etree._Element, out: etree._Element, glossary: Glossary, lang: str) -> bool:
    """Each glossary term and number of the source block comes out as often as it went in."""
    protection = glossary.protection(lang)
    text_in, text_out = "".join(source.itertext()), "".join(out.itertext())
    expected: Counter[str] = Counter(_NUMBER.findall(text_in))
    for term in protection.keep | set(protection.render):
        count = len(re.findall(rf"(?<!\w){re.escape(term)}(?!\w)", text_in))
        if count:
            expected[protection.render.get(term, term)] += count
    return all(text_out.count(term) >= n for term, n in expected.items())


def score_article(source: str, output: str, truth: str, glossary: Glossary, lang: str) -> Scores:
    """One article's spans and blocks scored against the truth."""
    src_spans, src_blocks = positions(_tree(source))
    out_spans, out_blocks = positions(_tree(output))
    want_spans, want_blocks = positions(_tree(truth))
    scores = Scores(spans=len(src_spans), blocks=len(src_blocks))
    scores.exact = sum(out_spans.get(i) == want_spans.get(i) for i in src_spans)
    formed = _well_formed(output)
    for ident, block in src_blocks.items():
        got, want = out_blocks.get(ident), want_blocks.get(ident)
        checks = {
            "well_formed": formed,
            "tags_once": got is not None and _inline_ids(got) == _inline_ids(block),
            "text": got is not None
            and want is not None
            and _flat("".join(got.itertext())) == _flat("".join(want.itertext())),
            "terms": got is not None and _terms_ok(block, got, glossary, lang),
        }
        scores.held += all(checks.values())
        for name, ok in checks.items():
            if not ok:
                scores.failures[name] = scores.failures.get(name, 0) + 1
    return scores
