"""Review segments: built from the translate stage's draft, written back through the same
rebuild (unchanged segments byte for byte), edited with tags moved, carried to a version
whose source did not change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.markup.pieces import Piece
from syndicate.news.article import parse_article
from syndicate.review.placeholders import read, write
from syndicate.review.segments import Segment, carried, final_fields, review_segments
from syndicate.translation.glossary import Glossary, parse_glossary
from syndicate.translation.stage import Draft, draft_translation

from refusals import MINIMAL
from stub_translators import Translator, reverse, unaligned, upper

BODY = (
    "<p>The <em>old city</em> of Erbil, said <a href='/x'>the <b>mayor</b></a> at "
    "<time>12:30</time>.<br/> Rudaw <img src='/i.png' alt='a bridge'/> reported 450 dead.</p>"
    "<p>Second paragraph.</p>"
)
GLOSSARY = parse_glossary({"keep": ["Rudaw"]})


def _draft(
    body: str = BODY, translator: Translator = upper, glossary: Glossary = GLOSSARY
) -> Draft:
    article = parse_article({**MINIMAL, "headline": "Rudaw: 3 dead", "body_html": body})
    return draft_translation(article, "ckb", translator, (), glossary)


def _again(s: Segment) -> tuple[Piece, ...]:
    """The machine's segment written as placeholders and read back as an edit."""
    return read(write(s.machine, s.tags), s.tags, s.protected, empty_ok=not s.has_words)


def test_segments_are_numbered_as_the_flags_are_and_carry_their_tags() -> None:
    draft = _draft(translator=unaligned)
    segments = review_segments(draft)
    assert [s.field for s in segments] == [
        "headline",
        "body_html",
        "body_html",
        "body_html",
        "body_html",
    ]
    assert [s.n for s in segments] == list(range(5))
    assert draft.article.translation is not None
    flagged = {f.segment for f in draft.article.translation.flags}
    assert flagged == {s.n for s in segments if s.flags}
    first = segments[1]
    assert write(first.source, first.tags) == (
        "The <1>old city</1> of Erbil, said <2>the <3>mayor</3></2> at <4>12:30</4>.<5/>"
    )
    assert [t.name for t in first.tags] == ["em", "a", "b", "time", "br"]
    assert segments[2].protected == ("450", "Rudaw")
    assert segments[0].protected == ("3", "Rudaw")


def test_unchanged_segments_write_back_what_the_model_wrote() -> None:
    for translator in (upper, reverse, unaligned):
        draft = _draft(translator=translator)
        segments = review_segments(draft)
        edits = {
            s.n: read(write(s.machine, s.tags), s.tags, s.protected, empty_ok=not s.has_words)
            for s in segments
        }
        assert edits == {s.n: s.machine for s in segments}
        out = final_fields(draft.fields, segments, edits, "ckb")
        assert out["body_html"] == draft.article.body_html
        assert out["headline"] == draft.article.headline


def test_an_edit_moves_a_tag_and_keeps_its_attributes() -> None:
    draft = _draft()
    segments = review_segments(draft)
    first = segments[1]
    text = "<2><3>MAYOR</3> THE</2> SAID AT <4>12:30</4>: THE <1>CITY</1>.<5/>"
    out = final_fields(draft.fields, segments, {1: read(text, first.tags, first.protected)}, "ckb")
    assert out.keys() == {"body_html"}
    assert (
        '<a href="/x"><b>MAYOR</b> THE</a> SAID AT <time>12:30</time>: THE <em>CITY</em>.<br/>'
        in out["body_html"]
    )
    assert 'dir="rtl"' in out["body_html"] and "<p>SECOND PARAGRAPH.</p>" in out["body_html"]


def test_edits_carry_to_a_version_whose_segment_did_not_change() -> None:
    old_draft = _draft()
    old = review_segments(old_draft)
    second = old[3]
    edits = {3: read("Edited second.", second.tags, second.protected)}
    new = review_segments(
        _draft(BODY.replace("Second paragraph.", "New <i>words</i>. Second paragraph."))
    )
    assert carried(old, edits, new) == {4: 3}


_WORDS = st.sampled_from(["Rain", "fell", "in", "Erbil", "Rudaw", "12", "&", "<", "?", "."])
_INLINE = st.sampled_from(["b", "em", "a", "span", "code"])


@st.composite
def _bodies(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        words = " ".join(draw(st.lists(_WORDS, min_size=1, max_size=5)))
        words = words.replace("&", "&amp;").replace("<", "&lt;")
        tag = draw(_INLINE)
        parts.append(draw(st.sampled_from([words, f"<{tag}>{words}</{tag}>", "<br/>", "<img/>"])))
    return "<p>" + " ".join(parts) + ".</p>"


@settings(max_examples=80, deadline=None)
@given(_bodies(), st.sampled_from([upper, reverse, unaligned]))
def test_any_body_comes_back_the_same_through_placeholders(
    body: str, translator: Translator
) -> None:
    draft = _draft(body, translator)
    segments = review_segments(draft)
    edits = {
        s.n: read(write(s.machine, s.tags), s.tags, s.protected, empty_ok=not s.has_words)
        for s in segments
    }
    assert (
        final_fields(draft.fields, segments, edits, "ckb")["body_html"] == draft.article.body_html
    )
