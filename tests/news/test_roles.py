"""Credit roles: canonical codes, each language's labels, role words read back to codes."""

from __future__ import annotations

import pytest

from syndicate.news.roles import LABEL_LANGUAGES, ROLES, is_author_role, normalise_role, role_label


def test_roles_are_exactly_the_canonical_codes_with_english_labels() -> None:
    assert dict(ROLES) == {
        "reporting": "Reporting by",
        "additional_reporting": "Additional reporting by",
        "writing": "Writing by",
        "editing": "Editing by",
        "production": "Produced by",
        "video_editing": "Video editing by",
        "photography": "Photos by",
        "camera": "Camera by",
        "compilation": "Compiled by",
        "graphics": "Graphics by",
        "translation": "Translated by",
    }


def test_only_reporting_writing_and_additional_reporting_are_authors() -> None:
    authors = {role for role in ROLES if is_author_role(role)}
    assert authors == {"reporting", "writing", "additional_reporting"}
    assert not is_author_role("Fixer")


def test_every_table_language_labels_every_role() -> None:
    assert set(LABEL_LANGUAGES) >= {"en", "ar", "tr", "ckb", "kmr"}
    for lang in LABEL_LANGUAGES:
        labels = [role_label(role, lang) for role in ROLES]
        assert all(label.strip() for label in labels), lang
        assert len(set(labels)) == len(labels), f"{lang} gives two roles one label"


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Reporting by"),
        ("ar", "تقرير:"),
        ("tr", "Haber:"),
        ("ckb", "ڕاپۆرتی:"),
        ("kmr", "Nûçe:"),
        ("ar-IQ", "تقرير:"),
        ("fr", "Reporting by"),
    ],
)
def test_role_label_uses_the_primary_subtag_and_falls_back_to_english(
    lang: str, label: str
) -> None:
    assert role_label("reporting", lang) == label


def test_role_label_of_a_free_text_role_is_the_role_itself() -> None:
    assert role_label("Fixer", "ar") == "Fixer"


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Reporter", "reporting"),
        ("reporting", "reporting"),
        ("Reporting by", "reporting"),
        ("  Video Editing  ", "video_editing"),
        ("video-editing", "video_editing"),
        ("Photographer", "photography"),
        ("Edited by:", "editing"),
        ("تقرير:", "reporting"),
        ("Yapımcı", "production"),  # noqa: RUF001 - Turkish dotless i
        ("Werger", "translation"),
        (" Fixer ", "Fixer"),
    ],
)
def test_normalise_role_maps_words_and_labels_to_codes(given: str, code: str) -> None:
    assert normalise_role(given) == code
