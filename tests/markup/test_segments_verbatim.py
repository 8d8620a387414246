# ruff: noqa: RUF001
"""Markup on the real sample article and on text that must come out byte for byte:
numbers, URLs, addresses, characters XML cannot carry, verbatim units."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from lxml import etree

from syndicate.markup.alignment import AlignedTranslation
from syndicate.markup.segments import Protection, reassemble, segment_html, to_xhtml_fragment

from stub_translators import constant, inner, reverse, same, translate_html, upper

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
NONE = Protection()
GLOSSARY = Protection(
    keep=frozenset({"Rudaw", "SDF", "Syrian Democratic Forces"}), render={"ISIS": "داعش"}
)


# --- the real sample ----------------------------------------------------------------------


def _sample_body() -> str:
    data = json.loads((SAMPLES / "rudaw-isis-final-moments.json").read_text("utf-8"))
    return str(data["body_html"])


def test_sample_body_segments_into_sentences() -> None:
    body = segment_html(_sample_body(), GLOSSARY)
    assert len(body.segments) == 30
    assert body.segments[0].startswith("The US-backed Syrian Democratic Forces (SDF)")
    assert "“The ISIS terrorist organization is now sealed off in a small area." in body.segments
    assert "But ISIS is finished." in body.segments
    assert all(s == s.strip() and s for s in body.segments)


def test_sample_body_round_trips_structure_and_terms() -> None:
    source = _sample_body()
    out = translate_html(source, reverse, GLOSSARY, lang="ckb")
    root = etree.fromstring(out.html)
    reference = etree.fromstring(to_xhtml_fragment(source, "ckb"))
    assert [el.tag for el in root.iter()] == [el.tag for el in reference.iter()]
    text = "".join(root.itertext())
    assert "ISIS" not in text and text.count("داعش") == 8
    assert text.count("Rudaw") == 1 and text.count("SDF") == 4
    assert out.flags == ()


def test_sample_identity_translation_reproduces_the_source() -> None:
    source = _sample_body()
    out = translate_html(source, same, NONE, lang="en")
    assert out.html == to_xhtml_fragment(source, "en")


def _arabic_digits(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Like ``upper``, but writing digits the way an Arabic model might."""
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    return [
        replace(tr, target_tokens=tuple(t.translate(digits) for t in tr.target_tokens))
        for tr in upper(texts)
    ]


def test_numbers_come_out_byte_identical() -> None:
    html = "<p>We registered 28,000 people, 12.5 percent, at 5:30.</p>"
    out = translate_html(html, _arabic_digits)
    assert inner(out.html) == "<p>WE REGISTERED 28,000 PEOPLE, 12.5 PERCENT, AT 5:30.</p>"
    free = translate_html(html, _arabic_digits, Protection(numbers=False))
    assert "٢٨,٠٠٠" in free.html


def test_characters_xml_cannot_carry_are_dropped_from_model_output() -> None:
    out = translate_html("<p>Hello.</p>", constant("Mer\x00haba\ufffe."))
    assert inner(out.html) == "<p>Merhaba.</p>"


def test_a_unit_of_verbatim_text_alone_is_not_sent() -> None:
    html = '<p><code>make all</code></p><p> <span translate="no">Rudaw</span> </p>'
    body = segment_html(html, NONE)
    assert body.segments == ()
    assert reassemble(body, [], "ar").html == to_xhtml_fragment(html, "ar")


def test_protected_span_claims_its_words_before_an_element_sharing_one() -> None:
    html = '<p><a id="1">a</a><a id="2">a</a> <code class="c">x = 1</code> </p>'
    out = translate_html(html, upper)
    assert inner(out.html) == (
        '<p><a id="1">AA</a><a id="2"></a> <code class="c">x = 1</code> </p>'
    )
    assert [f.reason for f in out.flags] == ["placement"]


def _glued(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Like ``upper``, but a lone punctuation mark is one piece with the word after it
    (``=7``), as real SentencePiece vocabularies have it: a piece spans a protected number."""
    out = []
    for tr in upper(texts):
        tokens, spans = list(tr.target_tokens), list(tr.source_tokens)
        k = 0
        while k < len(tokens) - 1:
            if tokens[k] in ("=", "-") and not tokens[k + 1].startswith(" "):
                tokens[k : k + 2] = [tokens[k] + tokens[k + 1]]
                spans[k : k + 2] = [(spans[k][0], spans[k + 1][1])]
            k += 1
        out.append(
            replace(
                tr,
                source_tokens=tuple(spans),
                target_tokens=tuple(tokens),
                alignment=tuple(range(len(tokens))),
            )
        )
    return out


def test_a_piece_spanning_a_number_keeps_its_other_characters() -> None:
    html = "<p>Pay 7 or see <b>form=7</b> and page-12 today.</p>"
    out = translate_html(html, _glued)
    assert inner(out.html) == "<p>PAY 7 OR SEE <b>FORM=7</b> AND PAGE-12 TODAY.</p>"


def test_urls_and_addresses_in_the_text_come_out_byte_identical() -> None:
    url = "https://example.org/reports/erbil_water_2024?id=7"
    html = f"<p>See {url}, or write to desk@example.org, @rudaw_english or erbil_water.</p>"
    out = translate_html(html, _glued)
    assert inner(out.html) == (
        f"<p>SEE {url}, OR WRITE TO desk@example.org, @rudaw_english OR erbil_water.</p>"
    )
