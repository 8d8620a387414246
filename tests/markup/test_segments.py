# ruff: noqa: RUF001
"""Markup: segmenting bodies and fields, and reassembling translations by alignment."""

from __future__ import annotations

import pytest
from lxml import etree

from syndicate.errors import ArticleInvalid, TranslationRejected
from syndicate.markup.segments import (
    Protection,
    reassemble,
    segment_html,
    segment_text,
    to_xhtml_fragment,
)

from stub_translators import (
    constant,
    halved,
    inner,
    reverse,
    same,
    subword,
    translate_html,
    unaligned,
    upper,
)

NONE = Protection()
GLOSSARY = Protection(
    keep=frozenset({"Rudaw", "SDF", "Syrian Democratic Forces"}), render={"ISIS": "داعش"}
)


# --- segmenting -------------------------------------------------------------------------


def test_blocks_are_units_and_units_are_split_into_sentences() -> None:
    body = segment_html("<h1>Title here</h1><p>One. Two!</p><ul><li>Item</li></ul>", NONE)
    assert body.segments == ("Title here", "One.", "Two!", "Item")


def test_inline_element_across_a_sentence_boundary_merges_the_sentences() -> None:
    body = segment_html("<p>One. Two <b>and. Three</b> four. Five.</p>", NONE)
    assert body.segments == ("One.", "Two and. Three four.", "Five.")


def test_text_mixed_with_blocks_and_nested_blocks_are_all_units() -> None:
    body = segment_html(
        "<div>Loose text<p>Para</p>tail text<ul><li>Item <ol><li>Sub</li></ol> after</li></ul>"
        "</div><blockquote>Quote<p>Inner</p></blockquote>",
        NONE,
    )
    assert body.segments == (
        "Loose text",
        "Para",
        "tail text",
        "Item",
        "Sub",
        "after",
        "Quote",
        "Inner",
    )


def test_inline_element_holding_a_block_is_walked_like_a_block() -> None:
    body = segment_html('<p>x</p><a href="/a">Link <div>Block</div> end</a>', NONE)
    assert body.segments == ("x", "Link", "Block", "end")


def test_passthrough_content_is_not_segmented() -> None:
    body = segment_html(
        "<pre>code block</pre><p translate='no'>Kept</p><iframe src='https://v'></iframe>"
        "<svg><text>label</text></svg><video><track src='t.vtt'></video><p>Yes</p>",
        NONE,
    )
    assert body.segments == ("Yes",)


def test_img_alt_and_title_are_segments_after_the_units() -> None:
    body = segment_html(
        '<figure><img src="a.png" alt="A dog. It runs." title="Dog"><figcaption>Cap</figcaption>'
        '</figure><p translate="no"><img alt="frozen"></p><code><img alt="code"></code>',
        NONE,
    )
    assert body.segments == ("Cap", "A dog.", "It runs.", "Dog")


def test_whitespace_is_collapsed_and_br_reads_as_a_space() -> None:
    body = segment_html("<p>\n  A   line<br>next\tline.\n</p>", NONE)
    assert body.segments == ("A line next line.",)


def test_protected_inline_text_is_seen_by_the_model() -> None:
    body = segment_html("<p>Run <code>make  all</code> at <time>noon</time>.</p>", NONE)
    assert body.segments == ("Run make all at noon.",)


def test_text_only_points_and_whitespace_make_no_unit() -> None:
    assert segment_html("<p> <br> <img src='a'> </p><div>\n</div>", NONE).segments == ()


def test_declarations_are_refused_as_invalid_body() -> None:
    with pytest.raises(ArticleInvalid):
        segment_html('<!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>', NONE)


def test_plain_text_fields_are_segmented_by_sentence() -> None:
    assert segment_text("First one. Second one.", NONE).segments == ("First one.", "Second one.")
    assert segment_text("", NONE).segments == ()


# --- reassembling -------------------------------------------------------------------------


def test_diagonal_translation_keeps_every_element_in_place() -> None:
    out = translate_html(
        '<p>The <a href="/c" class="x">old city</a> is <b>very <i>old</i></b>.</p>', upper
    )
    assert out.html == (
        '<div lang="ar" dir="rtl"><p>THE <a href="/c" class="x">OLD CITY</a> IS '
        "<b>VERY <i>OLD</i></b>.</p></div>"
    )
    assert out.flags == ()


def test_leading_space_stays_outside_the_element() -> None:
    out = translate_html("<p>the<a href='#'> city</a></p>", upper, lang="tr")
    assert inner(out.html) == '<p>THE <a href="#">CITY</a></p>'


def test_reordered_translation_moves_the_element_with_its_words() -> None:
    out = translate_html('<p>one two <a href="/x">three four</a> five</p>', reverse)
    assert inner(out.html) == '<p>five <a href="/x">four three</a> two one</p>'


def test_elements_stay_nested_under_reordering() -> None:
    out = translate_html("<p>a <b>b <i>c</i> d</b> e</p>", reverse)
    assert inner(out.html) == "<p>e <b>d <i>c</i> b</b> a</p>"


def test_subword_pieces_stay_inside_the_element() -> None:
    out = translate_html("<p>The <b>Peshmerga</b> advanced</p>", subword)
    assert inner(out.html) == "<p>THE <b>PESHMERGA</b> ADVANCED</p>"
    assert out.flags == ()


def test_unusable_alignment_falls_back_and_flags_placement() -> None:
    out = translate_html('<p>one two <a href="/x">three</a> four five six</p>', unaligned)
    assert inner(out.html) == '<p>ONE TWO <a href="/x">THREE</a> FOUR FIVE SIX</p>'
    assert [(f.segment, f.reason) for f in out.flags] == [(0, "placement")]


def test_shorter_target_still_places_every_element() -> None:
    out = translate_html("<p>a b c d <b>e</b> f <i>g</i> <br>h</p>", halved)
    root = etree.fromstring(out.html)
    assert [el.tag for el in root.iter()] == ["div", "p", "b", "i", "br"]
    assert "placement" in {f.reason for f in out.flags}


def test_points_land_at_the_aligned_position() -> None:
    out = translate_html('<p>Line one.<br>Line two <img src="i.png" alt="pic"> here.</p>', upper)
    assert inner(out.html) == ('<p>LINE ONE.<br/> LINE TWO <img src="i.png" alt="PIC"/>HERE.</p>')


def test_empty_element_is_a_point() -> None:
    out = translate_html('<p>see <a id="anchor"></a>here</p>', reverse)
    assert inner(out.html) == '<p><a id="anchor"></a>here see</p>'


def test_protected_inline_elements_come_back_verbatim() -> None:
    out = translate_html(
        '<p>Run <code class="c">make <b>all</b></code> at <time datetime="2019-02-20">noon</time>'
        ' with <span translate="no">Rudaw TV</span> now.</p>',
        reverse,
    )
    assert inner(out.html) == (
        '<p>. now <span translate="no">Rudaw TV</span> with <time datetime="2019-02-20">noon'
        '</time> at <code class="c">make <b>all</b></code> Run</p>'
    )


def test_glossary_terms_are_kept_or_rendered() -> None:
    out = translate_html(
        "<p>The SDF told Rudaw that ISIS lost; ISISes and sdf are words.</p>", upper, GLOSSARY
    )
    assert inner(out.html) == (
        "<p>THE SDF TOLD Rudaw THAT داعش LOST; ISISES AND SDF ARE WORDS.</p>"
    )


def test_longest_term_wins() -> None:
    out = translate_html("<p>The Syrian Democratic Forces advanced.</p>", upper, GLOSSARY)
    assert inner(out.html) == "<p>THE Syrian Democratic Forces ADVANCED.</p>"


def test_term_inside_an_element_is_kept_inside_it() -> None:
    out = translate_html("<p>Ask <a href='/r'>the Rudaw desk</a> now</p>", reverse, GLOSSARY)
    assert inner(out.html) == '<p>now <a href="/r">desk Rudaw the</a> Ask</p>'


def test_term_cut_by_markup_is_not_matched() -> None:
    body = segment_html("<p>Ru<b>daw</b> said</p>", GLOSSARY)
    out = reassemble(body, upper(body.segments), "en")
    assert inner(out.html) == "<p><b>RUDAW</b> SAID</p>"


def test_block_structure_and_passthrough_survive() -> None:
    html = (
        '<div class="a"><h2>Head</h2><figure><img src="p.jpg" alt="Alt text"><figcaption>Cap '
        "<em>tion</em></figcaption></figure><pre> keep\n  this </pre><table><tr><td>cell</td>"
        '<th>head</th></tr></table><iframe src="https://v.example/1"></iframe>'
        '<p translate="no">Not <b>this</b></p></div>'
    )
    out = translate_html(html, upper)
    assert inner(out.html) == (
        '<div class="a"><h2>HEAD</h2><figure><img src="p.jpg" alt="ALT TEXT"/><figcaption>CAP '
        "<em>TION</em></figcaption></figure><pre> keep\n  this </pre><table><tr><td>CELL</td>"
        '<th>HEAD</th></tr></table><iframe src="https://v.example/1"></iframe>'
        '<p translate="no">Not <b>this</b></p></div>'
    )


def test_output_checks_flag_empty_untranslated_and_runaway() -> None:
    html = "<p>Some <b>text</b>. 2019.</p>"
    empty = translate_html(html, constant(""))
    assert inner(empty.html) == "<p>Some <b>text</b>. 2019.</p>"  # the source stands in
    assert [f.reason for f in empty.flags] == ["empty", "empty"]
    untranslated = translate_html(html, same)
    assert [(f.segment, f.reason) for f in untranslated.flags] == [(0, "untranslated")]
    runaway = translate_html("<p>Text.</p>", constant("Metin metin metin", complete=False))
    assert [f.reason for f in runaway.flags] == ["runaway"]
    assert inner(runaway.html) == "<p>Metin metin metin</p>"


def test_wrong_number_of_translations_is_rejected() -> None:
    body = segment_html("<p>One. Two.</p>", NONE)
    with pytest.raises(TranslationRejected):
        reassemble(body, upper(body.segments[:1]), "ar")


def test_translation_of_another_text_is_placed_by_fallback() -> None:
    body = segment_html("<p>one <b>two</b> three</p>", NONE)
    out = reassemble(body, upper(["something else entirely"]), "ar")
    assert etree.fromstring(out.html).find("p/b") is not None
    assert [f.reason for f in out.flags] == ["placement"]


def test_plain_text_field_comes_back_as_plain_text() -> None:
    body = segment_text("The ISIS ‘caliphate’ fell. Rudaw reports  <b>.", GLOSSARY)
    out = reassemble(body, upper(body.segments), "ar")
    assert out.html == "THE داعش ‘CALIPHATE’ FELL. Rudaw REPORTS  <B>."


def test_plain_text_keeps_its_line_breaks_between_sentences() -> None:
    body = segment_text("One.\n\nTwo.", NONE)
    assert reassemble(body, upper(body.segments), "tr").html == "ONE.\n\nTWO."


def test_to_xhtml_fragment_is_the_sanitised_source() -> None:
    out = to_xhtml_fragment('<p onclick="x">A &amp; B<script>x</script><br></p>', "en")
    assert out == '<div lang="en" dir="ltr"><p>A &amp; B<br/></p></div>'
    assert to_xhtml_fragment("", "ckb") == '<div lang="ckb" dir="rtl"></div>'


def test_empty_body_reassembles_to_an_empty_fragment() -> None:
    body = segment_html("", NONE)
    assert reassemble(body, [], "ar").html == '<div lang="ar" dir="rtl"></div>'
