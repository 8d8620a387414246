"""The translate stage's span check (issue 11): where attention leaves an element span
unclear, its text is translated alone, in one more call, and the span goes where the model
wrote that; clear attention costs no second call."""

from __future__ import annotations

from collections.abc import Sequence

from syndicate.markup.alignment import AlignedTranslation
from syndicate.news.article import parse_article
from syndicate.translation.glossary import Glossary
from syndicate.translation.stage import translate_article

from refusals import MINIMAL
from stub_translators import Translator, unaligned, upper

BODY = "<p>The <em>old city</em> of Erbil, said <a href='/x'>the mayor</a>.</p>"


def _recording(translator: Translator, calls: list[list[str]]) -> Translator:
    def record(texts: Sequence[str]) -> list[AlignedTranslation]:
        calls.append(list(texts))
        return translator(texts)

    return record


def _translate(translator: Translator) -> tuple[str, list[list[str]], list[str]]:
    """The body translated, the calls made, the flags' reasons."""
    calls: list[list[str]] = []
    article = parse_article({**MINIMAL, "body_html": BODY})
    out = translate_article(article, "xx", _recording(translator, calls), (), Glossary())
    flags = out.translation.flags if out.translation else ()
    return out.body_html or "", calls, [f.reason for f in flags]


def test_clear_attention_translates_the_article_in_one_call() -> None:
    html, calls, reasons = _translate(upper)
    assert len(calls) == 1 and not reasons
    assert "<em>OLD CITY</em>" in html and ">THE MAYOR</a>" in html


def test_unclear_spans_are_translated_alone_and_placed_where_that_was_written() -> None:
    # No usable links at all: attention alone could only place the spans proportionally.
    html, calls, reasons = _translate(unaligned)
    assert len(calls) == 2 and not reasons
    assert sorted(calls[1]) == ["old city", "the mayor"]  # only the unclear spans' texts
    assert "THE <em>OLD CITY</em> OF ERBIL" in html
    assert 'SAID <a href="/x">THE MAYOR</a>' in html


def test_a_span_whose_own_translation_is_nowhere_keeps_the_fallback() -> None:
    def elsewhere(texts: Sequence[str]) -> list[AlignedTranslation]:
        out = unaligned(texts)
        return out if MINIMAL["headline"] in texts else [upper([t + "s"])[0] for t in texts]

    html, calls, reasons = _translate(elsewhere)
    assert len(calls) == 2  # checked, but "OLD CITYS" is not in the translation
    assert html.count("<em>") == 1 and html.count("<a ") == 1
    assert "placement" in reasons
