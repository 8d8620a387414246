"""Tiny stand-in translators for markup tests, where translation quality is not the point.

Each tokenises a segment into words and punctuation (leading whitespace kept on the target
token, as SentencePiece does) and reports an alignment chosen to exercise one path of the
projection: diagonal, reordered, absent, subword, shortened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from syndicate.markup.alignment import AlignedTranslation
from syndicate.markup.segments import Protection, Reassembled, reassemble, segment_html

Translator = Callable[[Sequence[str]], list[AlignedTranslation]]
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _source_tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _aligned(text: str, words: Sequence[str], order: Sequence[int]) -> AlignedTranslation:
    """Target token k is source token ``order[k]`` turned into ``words[k]``."""
    found = _source_tokens(text)
    targets = tuple((" " if k else "") + w for k, w in enumerate(words))
    return AlignedTranslation(text, tuple(m.span() for m in found), targets, tuple(order))


def _mapped(text: str, change: Callable[[str], str]) -> AlignedTranslation:
    """Each word changed in place, source spacing kept, diagonal alignment."""
    found = _source_tokens(text)
    bounds = [0] + [m.end() for m in found]
    tokens = tuple(text[bounds[k] : m.start()] + change(m.group()) for k, m in enumerate(found))
    spans = tuple(m.span() for m in found)
    return AlignedTranslation(text, spans, tokens, tuple(range(len(found))))


def upper(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Each word upper-cased, source spacing kept, diagonal alignment."""
    return [_mapped(text, str.upper) for text in texts]


def reverse(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Words in reverse order: projection must follow the words, not the positions."""
    out = []
    for text in texts:
        found = _source_tokens(text)
        order = list(reversed(range(len(found))))
        out.append(_aligned(text, [found[i].group() for i in order], order))
    return out


def unaligned(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Upper-cased words with every link -1: only the fallback can place spans."""
    return [
        _aligned(t, [m.group().upper() for m in _source_tokens(t)], [-1] * len(_source_tokens(t)))
        for t in texts
    ]


def subword(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Words upper-cased and cut into pieces of three letters; only each word's first piece
    is aligned, as with subword attention that lands on a word's first piece."""
    out = []
    for text in texts:
        found = _source_tokens(text)
        tokens: list[str] = []
        links: list[int] = []
        for i, m in enumerate(found):
            word = m.group().upper()
            pieces = [word[k : k + 3] for k in range(0, len(word), 3)]
            tokens += [(" " if i else "") + pieces[0], *pieces[1:]]
            links += [i] + [-1] * (len(pieces) - 1)
        spans = tuple(m.span() for m in found)
        out.append(AlignedTranslation(text, spans, tuple(tokens), tuple(links)))
    return out


def halved(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Only the first half of the words, upper-cased: a target shorter than its source."""
    out = []
    for text in texts:
        found = _source_tokens(text)
        keep = max(1, len(found) // 2)
        out.append(_aligned(text, [m.group().upper() for m in found[:keep]], range(keep)))
    return out


def constant(result: str, *, complete: bool = True) -> Translator:
    """Every segment translated to ``result`` (one token, aligned to nothing)."""

    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        tokens = (result,) if result else ()
        return [AlignedTranslation(t, (), tokens, (-1,) * len(tokens), complete) for t in texts]

    return run


def same(texts: Sequence[str]) -> list[AlignedTranslation]:
    """The source, unchanged, diagonally aligned: an untranslated segment."""
    return [_mapped(text, str) for text in texts]


_PLAIN = Protection()


def translate_html(
    html: str, translator: Translator, protection: Protection = _PLAIN, lang: str = "ar"
) -> Reassembled:
    """``html`` segmented, translated by ``translator`` and reassembled in ``lang``."""
    body = segment_html(html, protection)
    return reassemble(body, translator(body.segments), lang)


def inner(fragment: str) -> str:
    """The fragment as written, without its ``<div lang dir>`` wrapper."""
    found = re.fullmatch(r'<div lang="[\w-]+" dir="(?:ltr|rtl)">(.*)</div>', fragment, re.S)
    assert found is not None, fragment
    return found.group(1)
