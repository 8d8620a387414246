"""Placeholders: an editor moves tags and rewrites words, and every way of breaking a tag or
changing protected text is refused, naming the tag."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicate.markup.pieces import Mark, MarkKind
from syndicate.review.placeholders import (
    MAX_EDIT_CHARS,
    EditRefused,
    Tag,
    TagKind,
    read,
    write,
)

# <1>a link <2>bold</2></1>, an image <3/>, a time <4>12:30</4>; spans 0..3 of the unit
TAGS = (
    Tag(1, 0, TagKind.PAIR, name="a"),
    Tag(2, 1, TagKind.PAIR, parent=1, name="strong"),
    Tag(3, 2, TagKind.POINT, name="img"),
    Tag(4, 3, TagKind.PROTECTED, text="12:30", name="time"),
)
GOOD = "Rudaw said <1>a link <2>bold</2></1> at <4>12:30</4> <3/>."


def _problems(text: str, protected: tuple[str, ...] = ("Rudaw",)) -> list[str]:
    with pytest.raises(EditRefused) as refused:
        read(text, TAGS, protected)
    return list(refused.value.problems)


def test_a_good_edit_reads_back_into_marks_and_writes_the_same_text() -> None:
    pieces = read(GOOD, TAGS, ("Rudaw",))
    assert pieces == (
        "Rudaw said ",
        Mark(MarkKind.OPEN, 0),
        "a link ",
        Mark(MarkKind.OPEN, 1),
        "bold",
        Mark(MarkKind.CLOSE, 1),
        Mark(MarkKind.CLOSE, 0),
        " at ",
        Mark(MarkKind.POINT, 3),
        " ",
        Mark(MarkKind.POINT, 2),
        ".",
    )
    assert write(pieces, TAGS) == GOOD


def test_tags_and_protected_text_may_move() -> None:
    moved = "<3/><4>12:30</4> <1><2>bold</2> link</1>, wrote Rudaw"
    assert write(read(moved, TAGS, ("Rudaw",)), TAGS) == moved


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Rudaw <1>a link <2>bold</2> at <4>12:30</4> <3/>", "tag </1> is missing"),
        ("Rudaw a link <2>bold</2> at <4>12:30</4> <3/>", "is badly nested: it belongs inside <1>"),
        ("Rudaw <1>a <2>b</2></1> <1>c</1> <4>12:30</4> <3/>", "tag <1> is doubled"),
        ("Rudaw <1>a <2>b</1></2> <4>12:30</4> <3/>", "tag </1> is badly nested: it closes <2>"),
        ("Rudaw <1>a</1> <2>b</2> <4>12:30</4> <3/>", "tag <2> is badly nested"),
        ("Rudaw <1>a <2>b</2></1> <4>12:30</4>", "tag <3/> is missing"),
        ("Rudaw <1>a <2>b</2></1> <4>12:30</4> <3/> <3/>", "tag <3> is doubled"),
        ("Rudaw <1>a <2>b</2></1> <4>12:30</4> <3>x</3>", "tag <3/> stands alone"),
        ("Rudaw <1/> <2>b</2> <4>12:30</4> <3/>", "tag <1> must open and close"),
        ("Rudaw <1>a <2>b</2></1> <4>12:31</4> <3/>", "tag <4> holds protected text '12:30'"),
        ("Rudaw <1>a <2>b</2></1> <4>12:30</4> <3/> <9/>", "tag <9> is not in this segment"),
        ("Rudawi <1>a <2>b</2></1> <4>12:30</4> <3/>", "protected text 'Rudaw' was changed"),
        ("<1> <2></2></1><4>12:30</4><3/>", "the translation is empty"),
    ],
)
def test_each_broken_rule_is_refused_naming_the_tag(text: str, problem: str) -> None:
    assert any(problem in p for p in _problems(text)), _problems(text)


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems("<1>a <2>b</1>")
    assert {"tag <3/> is missing", "tag <4> is missing", "tag </2> is missing"} <= set(problems)
    assert any("'Rudaw'" in p for p in problems)


def test_a_number_is_not_found_inside_a_longer_one() -> None:
    tags = (Tag(1, 0, TagKind.POINT),)
    assert read("450 and 45 <1/>", tags, ("45", "450"))
    with pytest.raises(EditRefused, match="'45' was changed"):
        read("450 and 46 <1/>", tags, ("45", "450"))


def test_an_edit_longer_than_any_segment_is_refused() -> None:
    with pytest.raises(EditRefused, match=str(MAX_EDIT_CHARS)):
        read("x" * (MAX_EDIT_CHARS + 1), (), ())


_BITS = st.sampled_from(["<", ">", "/", "1", "&", "lt;", "amp;", "a", " "])


@given(st.lists(_BITS, min_size=1).map("".join).filter(str.strip))
def test_any_text_survives_write_then_read(text: str) -> None:
    assert read(write([text], ()), (), ()) == (text,)
