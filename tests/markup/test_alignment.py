"""Projection of source spans onto target tokens through the alignment."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.markup.alignment import (
    AlignedTranslation,
    Placement,
    SourceSpan,
    copy_translation,
)
from syndicate.markup.projection import project_spans

from noisy_alignments import assert_well_nested

SOURCE = "the old city wall"
WORDS = ((0, 3), (4, 7), (8, 12), (13, 17))


def _tr(targets: Sequence[str], links: Sequence[int], source: str = SOURCE) -> AlignedTranslation:
    return AlignedTranslation(source, WORDS, tuple(targets), tuple(links))


def test_diagonal_alignment_maps_each_span_onto_its_words() -> None:
    tr = _tr(["THE", " OLD", " CITY", " WALL"], [0, 1, 2, 3])
    spans = [SourceSpan(4, 12), SourceSpan(8, 12, parent=0), SourceSpan(13, 17)]
    assert project_spans(tr, spans) == (Placement(1, 3), Placement(2, 3), Placement(3, 4))


def test_reordered_target_follows_the_words() -> None:
    tr = _tr(["WALL", " CITY", " OLD", " THE"], [3, 2, 1, 0])
    assert project_spans(tr, [SourceSpan(0, 3), SourceSpan(8, 17)]) == (
        Placement(3, 4),
        Placement(0, 2),
    )


def test_child_is_clamped_inside_its_parent() -> None:
    # The child's word moved out of the parent's hull: it stays inside the parent anyway.
    tr = _tr(["THE", " OLD", " CITY", " WALL"], [0, 3, 2, 1])
    spans = [SourceSpan(0, 7), SourceSpan(4, 7, parent=0)]
    parent, child = project_spans(tr, spans)
    assert parent.start <= child.start and child.end <= parent.end


def test_overlapping_siblings_earlier_keeps_later_trimmed() -> None:
    # The second span (old city) overlaps the first (old): it keeps what is left, "city".
    tr = _tr(["THE", " OLDCITY", " X", " WALL"], [0, 1, 2, 3])
    spans = [SourceSpan(4, 7), SourceSpan(4, 12)]
    first, second = project_spans(tr, spans)
    assert first == Placement(1, 2)
    assert second == Placement(2, 3)


def test_sibling_left_with_nothing_falls_back_and_is_flagged() -> None:
    tr = _tr(["THE", " OLD", " CITY", " WALL"], [0, 1, 1, 3])
    spans = [SourceSpan(0, 12), SourceSpan(4, 7)]  # second is not nested: overlaps the first
    first, second = project_spans(tr, spans)
    assert first == Placement(0, 3)
    assert second.fallback
    assert not (first.start < second.start < first.end)


def test_unaligned_target_uses_proportional_placement() -> None:
    tr = _tr(["A", " B", " C", " D", " E", " F", " G", " H"], [-1] * 8)
    (span,) = project_spans(tr, [SourceSpan(8, 12)])
    assert span.fallback
    assert (span.start, span.end) == (4, 6)  # chars 8..12 of 17 -> tokens 4..6 of 8


def test_bad_alignment_length_is_unusable() -> None:
    tr = AlignedTranslation(SOURCE, WORDS, ("A", " B"), (0,))
    assert all(p.fallback for p in project_spans(tr, [SourceSpan(0, 3)]))


def test_out_of_range_links_are_ignored() -> None:
    tr = _tr(["THE", " OLD", " CITY", " WALL"], [0, 9, 2, -5])
    assert project_spans(tr, [SourceSpan(8, 12)]) == (Placement(2, 3),)


def test_point_goes_before_the_next_word_or_after_the_last() -> None:
    tr = _tr(["WALL", " CITY", " OLD", " THE"], [3, 2, 1, 0])
    middle, end = project_spans(tr, [SourceSpan(8, 8), SourceSpan(17, 17)])
    assert middle == Placement(1, 1)  # before CITY
    assert end == Placement(1, 1)  # after WALL, the target of the last source word


def test_point_never_lands_inside_an_earlier_sibling() -> None:
    tr = _tr(["THE", " OLD", " CITY", " WALL"], [0, 1, 2, 3])
    rng, point = project_spans(tr, [SourceSpan(0, 12), SourceSpan(8, 8)])
    assert rng == Placement(0, 3)
    assert point.start in (0, 3)


def test_subword_hull_is_widened_to_whole_words() -> None:
    source = "Peshmerga fighters"
    words = ((0, 9), (10, 18))
    tr = AlignedTranslation(source, words, ("Pesh", "merga", " fighters"), (0, -1, 1))
    assert project_spans(tr, [SourceSpan(0, 9)]) == (Placement(0, 2),)


def test_the_fallback_is_widened_to_whole_words_too() -> None:
    source = "the attack came"
    words = ((0, 3), (4, 10), (11, 15))
    tokens = ("THE", " AT", "TA", "CK", " CAME")  # no links: proportional, tokens 1-3
    tr = AlignedTranslation(source, words, tokens, (-1,) * 5)
    assert project_spans(tr, [SourceSpan(4, 10)]) == (Placement(1, 4, True),)


def test_no_widening_when_the_span_is_part_of_a_word() -> None:
    source = "Rudaw"
    tr = AlignedTranslation(source, ((0, 2), (2, 5)), ("Ru", "daw"), (0, 1))
    assert project_spans(tr, [SourceSpan(2, 5)]) == (Placement(1, 2),)


def test_empty_target_places_everything_at_zero() -> None:
    tr = AlignedTranslation(SOURCE, WORDS, (), ())
    assert project_spans(tr, [SourceSpan(0, 3), SourceSpan(5, 5)]) == (
        Placement(0, 0, True),
        Placement(0, 0, True),
    )


def test_copy_translation_is_the_source_aligned_to_itself() -> None:
    tr = copy_translation("a  bc d")
    assert tr.text == "a  bc d"
    assert project_spans(tr, [SourceSpan(3, 5)]) == (Placement(1, 3),)
    assert copy_translation("").target_tokens == ()


@st.composite
def _projection_cases(draw: st.DrawFn) -> tuple[AlignedTranslation, list[SourceSpan]]:
    """A source of n one-letter words, any alignment, and a well-nested span forest."""
    n = draw(st.integers(1, 8))
    source = " ".join("abcdefgh"[:n])
    words = tuple((2 * i, 2 * i + 1) for i in range(n))
    m = draw(st.integers(0, 10))
    links = draw(st.lists(st.integers(-1, n + 1), min_size=m, max_size=m))
    tr = AlignedTranslation(source, words, tuple(f" w{i}" for i in range(m)), tuple(links))
    spans: list[SourceSpan] = []
    for _ in range(draw(st.integers(0, 6))):
        parent = draw(st.integers(-1, len(spans) - 1))
        lo, hi = (0, len(source)) if parent < 0 else (spans[parent].start, spans[parent].end)
        start = draw(st.integers(lo, hi))
        end = draw(st.integers(start, hi))
        if parent >= 0 and spans[parent].is_point:
            parent = -1  # a point holds nothing
        spans.append(SourceSpan(start, end, parent))
    return tr, spans


@settings(max_examples=200, deadline=None)
@given(_projection_cases())
def test_placements_are_always_well_nested(
    case: tuple[AlignedTranslation, list[SourceSpan]],
) -> None:
    tr, spans = case
    assert_well_nested(spans, project_spans(tr, spans), len(tr.target_tokens))
