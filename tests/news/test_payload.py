"""Plain text as an HTML reader would see it, and characters no feed can carry."""

from __future__ import annotations

from typing import Any

import pytest

from syndicate.news.payload import text_problem


@pytest.mark.parametrize(
    "headline",
    [
        "Hi <img src=x onerror=alert(1)//",  # never closed, still a tag to a browser
        "Hi <svg/onload=alert(1)",
        "a </b",
        "a </ b",  # a bogus comment to an HTML parser
        "a <!x",
        "a <?php",
        "<script",
        "x &lt;b&gt;",
        "x &#60;",
    ],
)
def test_anything_an_html_parser_reads_as_markup_is_refused(headline: str) -> None:
    assert (text_problem(headline) or "").startswith("must be plain text, not markup")


@pytest.mark.parametrize("headline", ["A < B", "x<3", "1 <= 2", "a <> b", "ب <ش", "Tom & Jerry"])
def test_a_less_than_sign_that_opens_no_tag_is_text(headline: str) -> None:
    assert text_problem(headline) is None


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff"])
def test_characters_xml_cannot_carry_are_refused_in_plain_text(char: str) -> None:
    assert text_problem(f"a{char}b") is not None


def test_a_lone_surrogate_is_refused_even_in_markup_fields() -> None:
    assert "surrogate" in (text_problem("<p>\ud800</p>", plain=False) or "")


def test_line_names_refuse_what_prose_allows() -> None:
    value: Any = "Erbil\u200bToday"
    assert text_problem(value) is None
    assert "U+200B" in (text_problem(value, line=True) or "")
