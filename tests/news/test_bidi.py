# ruff: noqa: RUF001  (Arabic-script letters are meant)
"""Bidi and zero-width controls: refused where they mislead, kept where languages need them."""

from __future__ import annotations

from typing import Any

import pytest

from syndicate.news.article import parse_article

from refusals import MINIMAL, refusals

BASE: dict[str, Any] = MINIMAL | {"language": "ckb"}


def _errors(**changes: Any) -> dict[str, str]:
    return refusals(**({"language": "ckb"} | changes))


@pytest.mark.parametrize("override", ["\u202e", "\u202d"])
def test_an_override_is_refused_even_in_a_headline(override: str) -> None:
    headline = f"Invoice {override}fdp.exe\u202c"
    assert f"override U+{ord(override):04X}" in _errors(headline=headline)["headline"]


@pytest.mark.parametrize("opener", ["\u202a", "\u202b", "\u2066", "\u2067", "\u2068"])
def test_a_headline_must_close_each_embedding_or_isolate_it_opens(opener: str) -> None:
    assert "does not close" in _errors(headline=f"Erbil {opener}SDF")["headline"]
    assert "did not open" in _errors(summary="Erbil \u2069 SDF")["summary"]
    closer = "\u202c" if opener in "\u202a\u202b" else "\u2069"
    assert parse_article({**BASE, "headline": f"هەولێر {opener}SDF{closer} ١٢"}).headline


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202c", "\u2066", "\u2069", "\u200b", "\u2060", "\ufeff", "\u180e"]
)
def test_names_and_tags_carry_no_bidi_or_invisible_control(control: str) -> None:
    errors = _errors(
        tags=[f"Er{control}bil"],
        credits=[{"role": "reporting", "name": f"Hana{control} Aziz"}],
        media=[{"type": "image", "credit": f"Rudaw{control}"}],
        rights={"holder": f"Rudaw{control}"},
        source=f"Rudaw{control}",
        url=f"https://www.rudaw.net/{control}x",
    )
    expected = {"tags[0]", "credits[0].name", "media[0].credit", "rights.holder", "source", "url"}
    assert set(errors) == expected
    assert all(f"U+{ord(control):04X}" in message for message in errors.values())


def test_zwnj_zwj_and_direction_marks_stay_in_real_text() -> None:
    name = "ئاسۆ\u200cی شوان"  # Sorani needs ZWNJ inside the word
    article = parse_article(
        {
            **BASE,
            "headline": "\u200fهەولێر\u200e: 12 👩\u200d👩\u200d👧",
            "tags": ["می\u200cخواهم", "👨\u200d💻"],
            "credits": [{"role": "reporting", "name": name}],
        }
    )
    assert article.tags == ("می\u200cخواهم", "👨\u200d💻")
    assert article.credits[0].name == name
