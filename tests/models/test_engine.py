# ruff: noqa: RUF001  (Turkish dotless i is meant)
"""Engine on the tiny gloss models: exact glosses, alignment, pivots, chunking, NoModel."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.errors import NoModel
from syndicate.models.engine import Engine

CASUALTIES = "Five civilians were killed in an attack near the Syria border, police said."


@pytest.fixture(scope="module")
def engine(demo_models_dir: Path) -> Engine:
    return Engine(demo_models_dir, intra_threads=1, beam_size=4)


def test_english_sentence_glosses_into_arabic(engine: Engine) -> None:
    [result] = engine.translate("en", "ar", [CASUALTIES])
    assert result.text == "خمسة مدنيون were قتل in an هجوم near the سوريا حدود, شرطة قال."
    assert result.complete


def test_english_sentence_glosses_into_turkish(engine: Engine) -> None:
    [result] = engine.translate("en", "tr", [CASUALTIES])
    assert (
        result.text
        == "Beş siviller were öldürüldü in an saldırı near the Suriye sınır, polis dedi."
    )


def test_capitalised_words_keep_their_capital_in_latin_targets(engine: Engine) -> None:
    [tr, kmr] = [
        engine.translate("en", lang, ["Refugees fled the city after the attack."])[0]
        for lang in ("tr", "kmr")
    ]
    assert tr.text == "Mülteciler kaçtı the şehir sonra the saldırı."
    assert kmr.text == "Penaber reviyan the bajar piştî the êrîş."


def test_unknown_words_and_numbers_pass_through_untouched(engine: Engine) -> None:
    [result] = engine.translate("en", "tr", ["Zürich 😀 naïve on 12 March 2024, Kurds."])
    assert result.text == "Zürich 😀 naïve on 12 March 2024, Kürtler."


def test_target_tokens_join_to_the_translation_and_align_diagonally(engine: Engine) -> None:
    [result] = engine.translate("en", "ar", [CASUALTIES])
    assert result.target_tokens[:4] == ("خمسة", " مدنيون", " were", " قتل")
    assert result.alignment == tuple(range(len(result.source_tokens)))
    words = [CASUALTIES[b:e] for b, e in result.source_tokens]
    assert words[:4] == ["Five", " civilians", " were", " killed"]


def test_source_offsets_are_characters_of_the_original_text(engine: Engine) -> None:
    text = "  Ünal 😀 met civilians"
    [result] = engine.translate("en", "ar", [text])
    spans = list(dict.fromkeys(result.source_tokens))  # a character's bytes share its span
    assert "".join(text[b:e] for b, e in spans).strip() == text.strip()
    assert result.text == "Ünal 😀 met مدنيون"
    emoji = result.target_tokens.index(" ") + 1
    assert result.target_tokens[emoji] == "😀"
    start, end = result.source_tokens[result.alignment[emoji]]
    assert text[start:end] == "😀"


def test_empty_texts_come_back_empty_in_place(engine: Engine) -> None:
    results = engine.translate("en", "ar", ["", "city", "   "])
    assert [r.text for r in results] == ["", "مدينة", ""]
    assert results[0].source_tokens == () and results[0].alignment == ()


def _argmax(row: tuple[float, ...]) -> int:
    return max(range(len(row)), key=row.__getitem__)


def test_attention_rows_come_whole_one_per_target_token(engine: Engine) -> None:
    [result] = engine.translate("en", "ar", [CASUALTIES])
    assert len(result.attention) == len(result.target_tokens)
    assert {len(row) for row in result.attention} == {len(result.source_tokens)}
    assert all(0.0 <= sum(row) <= 1.0 + 1e-4 for row in result.attention)  # EOS left out
    assert tuple(_argmax(row) for row in result.attention) == result.alignment


def test_pivot_through_english_composes_the_alignment(engine: Engine) -> None:
    assert [m.pair for m in engine.models_for("ar", "tr")] == ["ar-en", "en-tr"]
    [result] = engine.translate("ar", "tr", ["قال مسؤولون إن المدينة"])
    assert result.text == "dedi yetkililer إن المدينة"
    assert result.alignment[:2] == (0, 1)
    start, end = result.source_tokens[result.alignment[1]]
    assert result.source[start:end].strip() == "مسؤولون"
    assert len(result.attention) == len(result.target_tokens)  # rows composed too
    assert {len(row) for row in result.attention} == {len(result.source_tokens)}
    assert tuple(_argmax(row) for row in result.attention)[:2] == (0, 1)


def test_models_carry_the_demo_label(engine: Engine) -> None:
    [info] = engine.models_for("en", "ckb")
    assert (info.pair, info.code, info.version, info.demo) == (
        "en-ckb",
        "translate-en_ckb",
        "1.0+demo.tiny",
        True,
    )


def test_missing_pair_raises_no_model_naming_the_pair(engine: Engine) -> None:
    with pytest.raises(NoModel) as caught:
        engine.models_for("en", "fr")
    assert caught.value.pair == "en-fr"
    assert "en->fr" in str(caught.value)
    with pytest.raises(NoModel):
        engine.translator("fr", "ar")


def test_sentence_longer_than_the_segment_limit_comes_back_whole(demo_models_dir: Path) -> None:
    small = Engine(demo_models_dir, max_segment_tokens=8, beam_size=1)
    sentence = " ".join([CASUALTIES] * 4)
    [result] = small.translate("en", "tr", [sentence])
    expected = "Beş siviller were öldürüldü in an saldırı near the Suriye sınır, polis dedi."
    assert result.text == " ".join([expected] * 4)
    assert result.complete
    assert result.alignment == tuple(range(len(result.source_tokens)))
    assert tuple(_argmax(row) for row in result.attention) == result.alignment  # rows shifted


def test_translator_batches_all_segments(engine: Engine) -> None:
    translate = engine.translator("en-GB", "tr")
    assert [r.text for r in translate(["city", "war", "Iraq"])] == ["şehir", "savaş", "Irak"]


def test_a_batched_beam_search_reports_no_attention_for_step_0(engine: Engine) -> None:
    # CTranslate2 4.8 gives every sentence of a batched beam search another one's step-0
    # row (docs/models.md); the engine reports none, and the projection infers it.
    from syndicate.markup.alignment import SourceSpan
    from syndicate.markup.projection import project_spans

    texts = ["Police said five people died.", CASUALTIES]
    batch = engine.translate("en", "ar", texts)
    for result in batch:
        assert result.alignment[0] == -1 and not any(result.attention[0])
        assert result.alignment[1:3] == (1, 2)
    first = batch[1]
    (spot,) = project_spans(first, [SourceSpan(0, 4)])  # "Five"
    assert (spot.start, spot.end) == (0, 1)
    [alone] = engine.translate("en", "ar", [CASUALTIES])
    assert alone.alignment[0] == 0  # one sentence: step 0 is its own
