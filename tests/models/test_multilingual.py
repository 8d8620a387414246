"""Multilingual packages on the engine: the NLLB-shaped family (target prefix, source token
in config.json) and the MADLAD-shaped one (source_prefix), real Argos packages run by real
CTranslate2 (tests/conftest.py builds them once per session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentencepiece as spm

from syndicate.errors import NoModel
from syndicate.models.engine import Engine
from syndicate.models.multidemo import FAMILIES, TARGETS
from syndicate.models.packages import install_package, list_packages
from syndicate.models.pieces import surfaces

CORPUS = Path(__file__).resolve().parents[2] / "src" / "syndicate" / "data" / "corpus" / "en.txt"
TOKENS = {token for family in FAMILIES.values() for token in family.tokens.values()}
ADDRESS = "See https://example.org/reports/erbil_water_2024?id=7 or @rudaw_english now."


def _sentences() -> list[str]:
    lines = [line for line in CORPUS.read_text("utf-8").splitlines() if line.strip()]
    return lines[:12]


@pytest.fixture(scope="module")
def bilingual(demo_models_dir: Path) -> Engine:
    return Engine(demo_models_dir, beam_size=4)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def multilingual(request: pytest.FixtureRequest) -> Engine:
    return Engine(request.getfixturevalue(f"{request.param}_models_dir"), beam_size=4)


def test_one_model_glosses_each_language_as_its_bilingual_model(
    multilingual: Engine, bilingual: Engine
) -> None:
    texts = _sentences()
    for target in TARGETS:
        got = multilingual.translate("en", target, texts)
        want = bilingual.translate("en", target, texts)
        assert [g.text for g in got] == [w.text for w in want], target
        for g in got:  # a gloss copies piece by piece: the attention is the diagonal
            links = [a for a in g.alignment[1:] if a >= 0]
            assert links == sorted(set(links)) and len(links) >= len(g.alignment) - 2
    assert multilingual.loaded() == 1  # four pairs, one model


def test_no_language_token_reaches_the_tokens_and_underscores_stay(multilingual: Engine) -> None:
    for target in TARGETS:
        [result] = multilingual.translate("en", target, [ADDRESS])
        assert not any(token in t for t in result.target_tokens for token in TOKENS)
        assert "\u2047" not in result.text and "Arab" not in result.text
        assert "erbil_water_2024?id=7" in result.text and "@rudaw_english" in result.text
        assert len(result.attention) == len(result.target_tokens)
        assert all(len(row) == len(result.source_tokens) for row in result.attention)
        assert result.alignment[0] == 0


def test_a_language_token_written_mid_text_is_dropped_by_token(
    nllb_models_dir: Path, madlad_models_dir: Path
) -> None:
    """NLLB's tokens are not SentencePiece's; MADLAD's are, and the catalogue names them."""
    for models, token in ((nllb_models_dir, "tur_Latn"), (madlad_models_dir, "<2ar>")):
        entry = Engine(models).catalogue().route("en", "ckb")[0]
        sp = spm.SentencePieceProcessor(model_file=str(entry.package.path / "sentencepiece.model"))
        written = sp.encode("now_or", out_type=str)
        found = ["\u2581ok", token, *written, token, "<unk>"]
        rows = [(1.0,)] * len(found)
        tokens, links, kept = surfaces(sp, found, [0] * len(found), rows, entry.tokens.special)
        assert "".join(tokens) == "ok now_or \u2047 " and len(links) == len(kept) == len(tokens)


def test_a_target_piece_its_sentencepiece_model_lacks_is_still_text(nllb_models_dir: Path) -> None:
    """A Marian model's target pieces are not in its source SentencePiece model: only an
    unknown piece shaped like a token (``<...>``, ``>>kmr<<``, ``xxx_Xxxx``) is dropped."""
    entry = Engine(nllb_models_dir).catalogue().route("en", "ckb")[0]
    sp = spm.SentencePieceProcessor(model_file=str(entry.package.path / "sentencepiece.model"))
    found = ["\u2581\u0436\u044b\u043b", "<mask>", ">>kmr<<", "\u2581\u0436\u0430\u0439"]
    tokens, _, _ = surfaces(sp, found, [0] * 4, [(1.0,)] * 4)
    assert tokens == ["\u0436\u044b\u043b", " \u0436\u0430\u0439"]


def test_step_0_is_blanked_only_when_no_prefix_took_it(
    nllb_models_dir: Path, madlad_models_dir: Path
) -> None:
    """Batched beam search gives step 0 another sentence's row: with a target prefix that
    row is the prefix's (cut off), so the first word keeps its link."""
    texts = ["Officials said the camp opened.", "The water was clean."]
    nllb = Engine(nllb_models_dir, beam_size=4).translate("en", "ckb", texts)
    madlad = Engine(madlad_models_dir, beam_size=4).translate("en", "ckb", texts)
    assert [r.alignment[0] for r in nllb] == [0, 0]
    assert [r.alignment[0] for r in madlad] == [-1, -1]
    assert [r.text for r in nllb] == [r.text for r in madlad]


def test_packages_carry_licence_tokens_and_share_one_digest(nllb_models_dir: Path) -> None:
    engine = Engine(nllb_models_dir)
    catalogue = engine.catalogue()
    [group] = catalogue.shared()
    assert sorted(e.package.to_code for e in group) == sorted(TARGETS)
    info = engine.models_for("en", "ckb")[0]
    assert (info.code, info.license) == ("translate-en_ckb-nllb", "CC-BY-NC-4.0")
    keys = [engine.memory_key("en", t) for t in TARGETS]
    assert len(set(keys)) == 4
    assert all(key.endswith(f":en-{t}") for key, t in zip(keys, TARGETS, strict=True))
    files = [p.path / "model" / "model.bin" for p in list_packages(nllb_models_dir)]
    assert len({os.stat(f).st_ino for f in files}) == 1  # stored once: hard links


def test_a_package_made_for_the_pair_wins_then_multilingual_then_a_pivot(
    tmp_path: Path, multilingual_archives: dict[str, list[Path]], demo_models_dir: Path
) -> None:
    models = tmp_path / "models"
    for archive in multilingual_archives["madlad"]:
        install_package(models, archive)
    (models / "translate-en_ar-demo").symlink_to(demo_models_dir / "translate-en_ar-demo")
    (models / "translate-ar_en-demo").symlink_to(demo_models_dir / "translate-ar_en-demo")
    engine = Engine(models)
    assert engine.models_for("en", "ar")[0].code == "translate-en_ar"
    assert engine.models_for("en", "kmr")[0].code == "translate-en_kmr-madlad"
    assert [m.code for m in engine.models_for("ar", "ckb")] == [
        "translate-ar_en",
        "translate-en_ckb-madlad",
    ]


def test_commercial_use_refuses_a_non_commercial_licence_and_names_it(
    nllb_models_dir: Path, madlad_models_dir: Path
) -> None:
    refused = Engine(nllb_models_dir, commercial_use=True)
    with pytest.raises(NoModel, match=r"translate-en_ckb-nllb is CC-BY-NC-4.0"):
        refused.models_for("en", "ckb")
    assert Engine(nllb_models_dir).models_for("en", "ckb")  # used without the setting
    assert Engine(madlad_models_dir, commercial_use=True).models_for("en", "ckb")


def test_int8_without_vnni_gives_the_same_glosses(nllb_models_dir: Path) -> None:
    """MKL restricted to AVX2 (no VNNI: the saturating 16-bit pair sums) must not change
    a word of the output: the hand-set rows are laid out for it (multigloss.py)."""
    script = (
        "import json, sys; from pathlib import Path; "
        "from syndicate.models.engine import Engine; "
        "e = Engine(Path(sys.argv[1])); "
        "print(json.dumps([e.translate('en', t, sys.argv[2:])[0].text for t in "
        f"{list(TARGETS)!r}]))"
    )
    texts = _sentences()[:1]
    env = {**os.environ, "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(nllb_models_dir), *texts],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    engine = Engine(nllb_models_dir)
    assert json.loads(done.stdout) == [engine.translate("en", t, texts)[0].text for t in TARGETS]
