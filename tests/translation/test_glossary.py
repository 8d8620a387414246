"""The glossary: reading config/glossary.toml and choosing a language's protection."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from syndicate.errors import GlossaryInvalid
from syndicate.markup.segments import Protection
from syndicate.translation.glossary import Glossary, parse_glossary

CONFIG = Path(__file__).resolve().parents[2] / "config" / "glossary.toml"


def test_the_shipped_glossary_parses() -> None:
    glossary = parse_glossary(tomllib.loads(CONFIG.read_text("utf-8")))
    assert {"Rudaw", "SDF", "Peshmerga"} <= glossary.keep
    assert glossary.render["ar"]["ISIS"] == "داعش"
    assert glossary.render["tr"]["ISIS"] == "IŞİD"


def test_protection_for_a_language_adds_credited_names() -> None:
    glossary = Glossary(keep=frozenset({"Rudaw"}), render={"ar": {"ISIS": "داعش"}})
    protection = glossary.protection("ar", extra_keep=["Vivyan Fatah", " "])
    assert protection == Protection(
        keep=frozenset({"Rudaw", "Vivyan Fatah"}), render={"ISIS": "داعش"}
    )


def test_regional_tag_falls_back_to_its_language() -> None:
    glossary = Glossary(render={"ar": {"ISIS": "داعش"}, "ar-IQ": {"ISIS": "داعش!"}})
    assert glossary.protection("ar-SY").render == {"ISIS": "داعش"}
    assert glossary.protection("ar-IQ").render == {"ISIS": "داعش!"}
    assert glossary.protection("tr").render == {}


def test_empty_data_is_an_empty_glossary() -> None:
    assert parse_glossary({}) == Glossary()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"keep": "Rudaw"}, ["keep"]),
        ({"keep": ["Rudaw", "", 3]}, ["keep[1]", "keep[2]"]),
        ({"render": ["ar"]}, ["render"]),
        ({"render": {"not a tag": {}}}, ["render.not a tag"]),
        ({"render": {"ar": "داعش"}}, ["render.ar"]),
        ({"render": {"ar": {"ISIS": 1}}}, ["render.ar.ISIS"]),
        ({"keeps": ["x"], "keep": [None]}, ["keeps", "keep[0]"]),
    ],
)
def test_bad_shapes_name_every_broken_field(data: dict[str, Any], fields: list[str]) -> None:
    with pytest.raises(GlossaryInvalid) as caught:
        parse_glossary(data)
    assert [e.field for e in caught.value.errors] == fields
