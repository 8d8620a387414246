# ruff: noqa: RUF001
"""The rule-based sentence splitter on the cases newsroom text throws at it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.markup.sentences import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("The U.S. and the U.K. agreed.", ["The U.S. and the U.K. agreed."]),
        ("Dr. Ahmed met Mr. and Mrs. Kaya.", ["Dr. Ahmed met Mr. and Mrs. Kaya."]),
        ("Gen. Mazloum spoke on St. George's day.", ["Gen. Mazloum spoke on St. George's day."]),
        ("It rose 12.5 percent. Then it fell.", ["It rose 12.5 percent.", "Then it fell."]),
        ("J. R. Smith wrote it. She agreed.", ["J. R. Smith wrote it.", "She agreed."]),
        ("Call No. 5 now. Thanks.", ["Call No. 5 now.", "Thanks."]),
        (
            "Compare e.g. this and i.e. that, vs. those.",
            ["Compare e.g. this and i.e. that, vs. those."],
        ),
        (
            "It ended at 5 p.m. The next day was calm.",
            ["It ended at 5 p.m.", "The next day was calm."],
        ),
        ("They met at 9 a.m. on Monday.", ["They met at 9 a.m. on Monday."]),
        ("On Jan. 5 they left.", ["On Jan. 5 they left."]),
        (
            "Sanctions by the U.S. The move angered Tehran.",
            ["Sanctions by the U.S.", "The move angered Tehran."],
        ),
        ("He waited... and waited. Then left.", ["He waited... and waited.", "Then left."]),
        ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
        (
            "“ISIS is finished.” she said. It was over.",
            ["“ISIS is finished.” she said.", "It was over."],
        ),
        (
            "“Are you sure?” he asked. “Yes!’ came the reply.",
            ["“Are you sure?” he asked.", "“Yes!’ came the reply."],
        ),
        ("They won (finally.) The end.", ["They won (finally.)", "The end."]),
        (
            "“We advance slowly.” “We don’t want civilians killed.”",
            ["“We advance slowly.”", "“We don’t want civilians killed.”"],
        ),
        ("In 2019. 45 people came.", ["In 2019.", "45 people came."]),
    ],
)
def test_english_cases(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("هل انتهى داعش؟ نعم انتهى.", ["هل انتهى داعش؟", "نعم انتهى."]),
        ("ئایا تەواو بوو؟ بەڵێ۔ کۆتایی", ["ئایا تەواو بوو؟", "بەڵێ۔", "کۆتایی"]),
        ("IŞİD bitti. Savaş sona erdi!", ["IŞİD bitti.", "Savaş sona erdi!"]),
        ("Şer qediya. Êdî aştî ye?", ["Şer qediya.", "Êdî aştî ye?"]),
        ("终于结束了。 明天见！", ["终于结束了。", "明天见！"]),
    ],
)
def test_other_scripts(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_ranges_are_contiguous_and_keep_whitespace() -> None:
    text = "  First one.   Second one.\n\nThird "
    ranges = split_sentences(text)
    assert ranges == [(0, 15), (15, 28), (28, len(text))]


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("   ") == [(0, 3)]


def test_lower_case_continuation_is_not_a_boundary() -> None:
    assert _sentences("He said no. then he left.") == ["He said no. then he left."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. ?!\n“”’؟۔Aé1")), max_size=40))
def test_ranges_cover_any_text_exactly(text: str) -> None:
    ranges = split_sentences(text)
    assert "".join(text[a:b] for a, b in ranges) == text
    assert all(a < b for a, b in ranges)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(ranges))
