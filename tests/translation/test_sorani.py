"""Sorani normalisation (translation/sorani.py): AsoSoft's conventions on ckb text only,
source offsets mapped back to the text as written, output tokens rewritten in place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from syndicate.markup.alignment import AlignedTranslation
from syndicate.models.engine import Engine
from syndicate.news.article import parse_article
from syndicate.translation.glossary import Glossary
from syndicate.translation.sorani import ARABIC_ONLY, normalise, normalising
from syndicate.translation.stage import translate_article

from refusals import MINIMAL
from stub_translators import same

ZWNJ, KASHIDA = "\u200c", "\u0640"


@pytest.mark.parametrize(
    ("written", "sorani"),
    [
        ("كوردستان", "کوردستان"),  # Arabic kaf
        ("ناوي", "ناوی"),  # Arabic yeh
        ("مصطفى", "مصطفی"),  # alef maksura
        ("مدرسة", "مدرسە"),  # teh marbuta
        (f"ماله{ZWNJ}كه", "مالەکە"),  # heh + ZWNJ
        (f"كور{KASHIDA}{KASHIDA}د", "کورد"),  # kashida
        ("Erbil 2024, https://x.org/a_b?id=7", "Erbil 2024, https://x.org/a_b?id=7"),
    ],
)
def test_sorani_letters_replace_the_arabic_ones(written: str, sorani: str) -> None:
    assert normalise(written) == sorani


def _tokens(texts: Sequence[str]) -> list[AlignedTranslation]:
    """Each text as one target token per character pair: a word spans tokens."""
    out = []
    for tr in same(texts):
        text = tr.text
        tokens = tuple(text[i : i + 2] for i in range(0, len(text), 2))
        out.append(AlignedTranslation(tr.source, tr.source_tokens, tokens, (-1,) * len(tokens)))
    return out


def test_output_tokens_are_normalised_together_and_keep_their_count() -> None:
    [tr] = normalising(_tokens, "en", "ckb")([f"The ماله{ZWNJ}كه and يه."])
    assert tr.text == "The مالەکە and یە."
    assert len(tr.target_tokens) == len(_tokens([f"The ماله{ZWNJ}كه and يه."])[0].target_tokens)


def test_a_sorani_source_is_normalised_and_its_offsets_point_into_the_original() -> None:
    seen: list[str] = []

    def record(texts: Sequence[str]) -> list[AlignedTranslation]:
        seen.extend(texts)
        return same(texts)

    text = f"له كور{KASHIDA}د ماله{ZWNJ}كه"
    [tr] = normalising(record, "ckb", "en")([text])
    assert seen == ["لە کورد مالەکە"]
    assert tr.source == text
    assert [text[a:b] for a, b in tr.source_tokens] == ["له", f"كور{KASHIDA}د", f"ماله{ZWNJ}كه"]


def test_arabic_is_never_normalised() -> None:
    text = "مدرسة الكتاب"
    assert normalising(same, "en", "ar")([text])[0].text == text
    assert normalising(same, "ar", "en")([text])[0].text == text


def test_a_ckb_article_has_no_arabic_only_letters_but_names_and_urls_stay(
    demo_models_dir: Path,
) -> None:
    engine = Engine(demo_models_dir, beam_size=1)
    body = (
        "<p>The city said «الكتاب في مدرسة» at "
        '<a href="https://x.org/k_y">https://x.org/كتاب_ي?id=7</a>.</p>'
    )
    payload = {**MINIMAL, "body_html": body, "headline": "Water for مدرسة"}
    payload |= {"credits": [{"role": "reporting", "name": "كاوة علي"}], "tags": ["مدرسة_ي"]}
    article = parse_article(payload)
    for target, foreign in (("ckb", False), ("ar", True)):
        out = translate_article(
            article,
            target,
            engine.translator("en", target),
            engine.models_for("en", target),
            Glossary(),
        )
        text = (out.headline or "") + (out.body_html or "")
        assert "https://x.org/كتاب_ي?id=7" in text and 'href="https://x.org/k_y"' in text
        assert out.credits[0].name == "كاوة علي" and out.tags == ("مدرسة_ي",)
        rest = text.replace("https://x.org/كتاب_ي?id=7", "")
        assert bool(ARABIC_ONLY.intersection(rest)) is foreign, target
