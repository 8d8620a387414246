"""The robust projection against synthetic attention with a known truth (issue 11):
noise levels and phrase reorderings, the hull baseline beside it."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.markup.alignment import (
    AlignedTranslation,
    Placement,
    SourceSpan,
)
from syndicate.markup.hull import project_spans_hull
from syndicate.markup.projection import project_spans
from syndicate.markup.segments import Protection, reassemble, segment_html

from noisy_alignments import Case, assert_well_nested, make_case, noisy

SEEDS = st.integers(0, 2**32 - 1)
RATES = st.sampled_from([0.0, 0.12, 0.3, 0.45, 0.8])


def _exact(placed: tuple[Placement, ...], case: Case) -> bool:
    return all((p.start, p.end) == truth for p, truth in zip(placed, case.truth, strict=True))


def _one_hot(tr: AlignedTranslation) -> AlignedTranslation:
    n = len(tr.source_tokens)
    rows = tuple(tuple(1.0 if j == i else 0.0 for j in range(n)) for i in tr.alignment)
    return replace(tr, attention=rows)


@settings(max_examples=150, deadline=None)
@given(SEEDS, RATES, st.booleans())
def test_invariants_hold_at_every_noise_level(seed: int, rate: float, reorder: bool) -> None:
    rng = random.Random(seed)
    case = make_case(rng, reorder=reorder)
    tr = noisy(rng, case.clean, rate)
    assert_well_nested(case.spans, project_spans(tr, case.spans), len(tr.target_tokens))


@settings(max_examples=150, deadline=None)
@given(SEEDS, st.booleans())
def test_placement_is_exact_whenever_the_alignment_is(seed: int, reorder: bool) -> None:
    case = make_case(random.Random(seed), reorder=reorder)
    assert _exact(project_spans(case.clean, case.spans), case)  # links only
    assert _exact(project_spans(_one_hot(case.clean), case.spans), case)  # one-hot rows


def _alone(case: Case) -> tuple[tuple[SourceSpan, ...], list[bool]]:
    """Each span with its true target text as ``rendering`` (what the model writes for it
    alone, with a compositional model), and whether that text occurs once in the target."""
    tokens = case.clean.target_tokens
    pieces = ["".join(t.split()).casefold() for t in tokens]
    spans, unique = [], []
    for span, (lo, hi) in zip(case.spans, case.truth, strict=True):
        want = "".join(pieces[lo:hi])
        windows = sum(
            "".join(pieces[a:b]) == want
            for a in range(len(pieces))
            for b in range(a + 1, len(pieces) + 1)
        )
        spans.append(replace(span, rendering="".join(tokens[lo:hi])))
        unique.append(windows == 1)
    return tuple(spans), unique


@settings(max_examples=150, deadline=None)
@given(SEEDS, RATES, st.booleans())
def test_a_span_goes_where_its_own_translation_was_written(
    seed: int, rate: float, reorder: bool
) -> None:
    rng = random.Random(seed)
    case = make_case(rng, reorder=reorder)
    tr = noisy(rng, case.clean, rate)
    spans, unique = _alone(case)
    placed = project_spans(tr, spans)
    assert_well_nested(spans, placed, len(tr.target_tokens))
    for spot, truth, once in zip(placed, case.truth, unique, strict=True):
        if once and all(unique):  # it holds that place; beyond it only what attention is sure of
            assert spot.start <= truth[0] and truth[1] <= spot.end, (rate, reorder)


def test_a_span_whose_translation_was_written_is_placed_exactly() -> None:
    # Measured: 6 of 24,750 cases (seeds 0-2999, every rate, both orders) take one more
    # token, which the attention wrongly held for sure (posterior above 0.9).
    exact = total = 0
    for seed in range(300):
        for rate in (0.12, 0.3, 0.45, 0.8):
            rng = random.Random(seed)
            case = make_case(rng, reorder=bool(seed % 2))
            tr = noisy(rng, case.clean, rate)
            spans, unique = _alone(case)
            if all(unique):
                total += 1
                exact += _exact(project_spans(tr, spans), case)
    assert total > 900 and exact / total >= 0.995, (exact, total)


def test_of_two_places_its_translation_takes_the_one_attention_favours() -> None:
    source = "the city and the city"
    words = ((0, 3), (4, 8), (9, 12), (13, 16), (17, 21))
    tokens = ("EHT", " YTIC", " DNA", " EHT", " YTIC")
    rows = [[0.0] * 5 for _ in tokens]
    for t, j in enumerate((0, 1, 2, 3, 4)):
        rows[t][j] = 0.6
        rows[t][(j + 1) % 5] = 0.4
    tr = AlignedTranslation(
        source, words, tokens, (0, 1, 2, 3, 4), attention=tuple(map(tuple, rows))
    )
    first, second = project_spans(
        tr, [SourceSpan(4, 8, rendering="ytic"), SourceSpan(17, 21, rendering="YTIC.")]
    )
    assert (first.start, first.end) == (1, 2) and (second.start, second.end) == (4, 5)
    assert first.confidence < 1.0  # two places held its text


def test_a_fragment_that_came_back_otherwise_still_anchors_its_span() -> None:
    # A draw (seed 1236, 45% noise, reordered) whose attention misplaces a span; its
    # translation alone comes back with another ending on its last word, as a trained
    # model's may, so only its first words are found: enough to put it right.
    rng = random.Random(1236)
    case = make_case(rng, reorder=True)
    tr = noisy(rng, case.clean, 0.45)
    spans, _ = _alone(case)
    otherwise = tuple(
        replace(s, rendering=s.rendering + "ul")
        if len(s.rendering.split()) > 1
        else replace(s, rendering="")
        for s in spans
    )
    assert not _exact(project_spans(tr, [replace(s, rendering="") for s in spans]), case)
    assert any(s.rendering for s in otherwise)
    assert _exact(project_spans(tr, otherwise), case)


def test_a_translation_never_takes_another_spans_protected_text() -> None:
    source = "Rudaw said Rudaw"
    words = ((0, 5), (6, 10), (11, 16))
    tr = AlignedTranslation(source, words, ("Rudaw", " DIAS", " Rudaw"), (0, 1, 2))
    term = SourceSpan(0, 5, protected=True)
    # The element's own translation is written twice; the first is the term's.
    placed = project_spans(tr, [term, SourceSpan(11, 16, rendering="Rudaw")])
    assert [(p.start, p.end) for p in placed] == [(0, 1), (2, 3)]


def _rates(reorder: bool, rate: float, n: int = 300) -> tuple[float, float, float]:
    """Exact share of the new method, of the hull, and of the new one where the hull fails."""
    rng = random.Random(20261202 + int(rate * 100) + reorder)
    new = hull = rescued = failed = 0
    for _ in range(n):
        case = make_case(rng, reorder=reorder)
        tr = noisy(rng, case.clean, rate)
        ok, base = (
            _exact(project_spans(tr, case.spans), case),
            _exact(project_spans_hull(tr, case.spans), case),
        )
        new, hull = new + ok, hull + base
        if not base:
            failed, rescued = failed + 1, rescued + ok
    return new / n, hull / n, rescued / max(1, failed)


def test_mild_noise_is_placed_exactly_where_the_hull_fails() -> None:
    # Measured (new / hull / new where the hull fails): 1.00 / 0.77 / 1.00 in order,
    # 0.97 / 0.75 / 0.93 reordered.
    for reorder in (False, True):
        new, hull, rescued = _rates(reorder, 0.12)
        assert hull < 0.85  # the noise is real: the hull loses a span in one case of five
        assert new >= 0.93 and rescued >= 0.8, (reorder, new, hull, rescued)


def test_moderate_noise_stays_mostly_exact() -> None:
    # Measured: 1.00 in order, 0.98 reordered (hull: 0.52, 0.50).
    for reorder in (False, True):
        new, hull, _ = _rates(reorder, 0.3)
        assert new >= 0.9 and new > hull + 0.3, (reorder, new, hull)


def test_one_stray_link_no_longer_drags_a_span_across_the_sentence() -> None:
    source = "a b c d e f"
    words = tuple((2 * i, 2 * i + 1) for i in range(6))
    targets = ("A", " B", " C", " D", " E", " F")
    rows = [[0.0] * 6 for _ in range(6)]
    for t in range(6):
        rows[t][t] = 1.0
    rows[5] = [0.6, 0, 0, 0, 0, 0.4]  # F looks at "a" (a sink), a little at "f"
    tr = AlignedTranslation(
        source, words, targets, (0, 1, 2, 3, 4, 0), attention=tuple(map(tuple, rows))
    )
    span = [SourceSpan(0, 1)]
    assert project_spans_hull(tr, span) == (Placement(0, 6),)
    assert project_spans(tr, span) == (Placement(0, 1),)


def test_an_anchor_outweighs_attention_on_a_neighbour() -> None:
    source = "in Erbil today"
    words = ((0, 2), (3, 8), (9, 14))
    rows = ((0.9, 0.1, 0.0), (0.7, 0.3, 0.0), (0.0, 0.1, 0.9))  # Erbil's row on "in"
    tr = AlignedTranslation(source, words, ("FI", " Erbil", " YADOT"), (0, 0, 2), attention=rows)
    assert project_spans(tr, [SourceSpan(3, 8)]) == (Placement(1, 2),)


def test_split_attention_flags_the_segment_low_confidence() -> None:
    body = segment_html("<p>the <em>old</em> city</p>", Protection())
    (text,) = body.segments
    third = (1 / 3, 1 / 3, 1 / 3)
    rows = (third, third, third)  # every token looks at every word alike
    tr = AlignedTranslation(
        text, ((0, 3), (4, 7), (8, 12)), ("THE", " OLD", " CITY"), (0, 1, 2), attention=rows
    )
    done = reassemble(body, [tr], "en")
    assert [(f.segment, f.reason) for f in done.flags] == [(0, "low_confidence_markup")]
    assert "<em>" in done.html  # placed all the same, once
    assert done.unclear == ("old",)  # to be translated alone
    checked = reassemble(body, [tr], "en", {"old": "OLD"})
    assert "<em>OLD</em>" in checked.html and not checked.flags and not checked.unclear


def test_an_element_holding_only_a_number_goes_where_the_number_was_written() -> None:
    body = segment_html("<p>There were <strong>450</strong> displaced families.</p>", Protection())
    (text,) = body.segments
    words = ((0, 5), (6, 10), (11, 14), (15, 24), (25, 33), (33, 34))
    tokens = ("EREHT", " EREW", " 450", " SEILIMAF", " DECALPSID", ".")
    # FAMILIES (moved before DISPLACED) looks at "450": its hull would take it in.
    tr = AlignedTranslation(text, words, tokens, (0, 1, 2, 2, 3, 5))
    assert "<strong>450</strong> SEILIMAF" in reassemble(body, [tr], "xx").html
