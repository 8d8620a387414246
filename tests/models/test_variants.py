"""Gloss variants (issue 11) through real CTranslate2, int8, beam 1 and 4.

Noisy packages translate exactly as the clean one and report attention whose argmax
misses the true (diagonal) source token for about the configured share of target tokens,
mostly on a neighbour, else on a sink. Reorder packages swap adjective-noun pairs and report
exactly that permutation. Packages are built once per module (tiny preset) and installed
with argostranslate's own code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
import pytest
import sentencepiece as spm

from syndicate.errors import ModelPackageInvalid
from syndicate.models.demo import (
    DATA,
    PRESETS,
    build_package,
    lexicon_forms,
    train_sentencepiece,
)
from syndicate.models.packages import install_package
from syndicate.models.variants import LEVELS, Variant, parse_level
from syndicate.models.wordclasses import word_classes

PAIR = "en-ar"
TOLERANCE = 0.05
SWAPS = [
    "The new camp is near the old bridge.",
    "Local officials said Kurdish forces entered the big city.",
    "A military operation began in the small village after the last attack.",
    "International aid reached the displaced families in the new camps.",
]
CORPUS = [
    line for line in (DATA / "corpus" / "en.txt").read_text("utf-8").splitlines() if line.strip()
] + SWAPS


@dataclass(frozen=True)
class Built:
    translator: Any
    meta: dict[str, Any]
    readme: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The clean en-ar package and its variants, each installed in its own models dir."""
    root = tmp_path_factory.mktemp("variants")
    sp_model = train_sentencepiece("en", "ar", PRESETS["tiny"].vocab_size)
    variants = {
        "clean": Variant(),
        **{name: Variant(level) for name, level in LEVELS.items()},
        "reorder": Variant(reorder=True),
        "reorder-moderate": Variant(LEVELS["moderate"], reorder=True),
    }
    out: dict[str, Built] = {}
    for name, variant in variants.items():
        (root / name).mkdir()
        path = build_package(PAIR, root / name, "tiny", sp_model, variant)
        pkg = install_package(root / name / "models", path)
        meta = json.loads((pkg.path / "metadata.json").read_text("utf-8"))
        translator = ctranslate2.Translator(str(pkg.path / "model"), device="cpu")
        out[name] = Built(translator, meta, (pkg.path / "README.md").read_text("utf-8"))
    return out


@pytest.fixture(scope="module")
def sp() -> spm.SentencePieceProcessor:
    model = train_sentencepiece("en", "ar", PRESETS["tiny"].vocab_size)
    return spm.SentencePieceProcessor(model_proto=model)


def _pieces(sp: spm.SentencePieceProcessor) -> list[list[str]]:
    return [sp.encode(line, out_type=str) for line in CORPUS]


def _run(model: Built, batch: list[list[str]], beam: int) -> list[Any]:
    # Batched beam search in CTranslate2 4.8.5 returns another sentence's attention for
    # step 0 (see docs/models.md), so beam > 1 decodes one sentence per call.
    per_call = 1 if beam > 1 else 0
    return list(
        model.translator.translate_batch(
            batch, beam_size=beam, return_attention=True, max_batch_size=per_call
        )
    )


def _argmax(rows: Sequence[Sequence[float]]) -> list[int]:
    """The reported source index per target piece; -1 where EOS (left out) wins."""
    out = []
    for row in rows:
        best = int(np.argmax(row))
        out.append(-1 if 1.0 - float(np.sum(row)) > row[best] else best)
    return out


def _swapped(sp: spm.SentencePieceProcessor, pieces: list[str]) -> list[int]:
    """Source index per target position: adjacent adjective-noun pairs swapped."""
    classes = word_classes(sp, lexicon_forms("en", "ar"), True)
    ids = [sp.piece_to_id(p) for p in pieces]
    order = list(range(len(ids)))
    for s in range(len(ids) - 1):
        if ids[s] in classes.first and ids[s + 1] in classes.second:
            order[s], order[s + 1] = s + 1, s
    return order


def _misaligned(results: list[Any], truths: list[list[int]]) -> tuple[float, float, float]:
    """(all, neighbour, far) shares of target pieces whose argmax is not the truth."""
    total = wrong = near = 0
    for result, truth in zip(results, truths, strict=True):
        for got, want in zip(_argmax(result.attention[0]), truth, strict=True):
            total += 1
            wrong += got != want
            near += got != want and got >= 0 and abs(got - want) == 1
    return wrong / total, near / total, (wrong - near) / total


@pytest.mark.parametrize("beam", [1, 4])
@pytest.mark.parametrize("level", list(LEVELS))
def test_noisy_translation_is_clean_and_misaligned_as_configured(
    built: dict[str, Built], sp: spm.SentencePieceProcessor, level: str, beam: int
) -> None:
    batch = _pieces(sp)
    clean, noisy = _run(built["clean"], batch, beam), _run(built[level], batch, beam)
    assert [r.hypotheses[0] for r in noisy] == [r.hypotheses[0] for r in clean]
    assert all(
        _argmax(r.attention[0]) == list(range(len(p))) for r, p in zip(clean, batch, strict=True)
    )
    share, near, far = _misaligned(noisy, [list(range(len(p))) for p in batch])
    assert abs(share - LEVELS[level]) <= TOLERANCE
    assert near > far > 0.0  # mostly a neighbour, the rest a sink


def test_noisy_rows_are_soft_like_trained_attention(
    built: dict[str, Built], sp: spm.SentencePieceProcessor
) -> None:
    rows = [row for r in _run(built["moderate"], _pieces(sp), 1) for row in r.attention[0]]
    peaks = [max(row) for row in rows]
    assert 0.4 < float(np.median(peaks)) < 0.9  # neither one-hot nor flat
    assert float(np.mean([1.0 - sum(row) for row in rows])) > 0.005  # EOS takes some mass


def test_levels_are_recorded_in_the_package(built: dict[str, Built]) -> None:
    meta = built["mild"].meta
    facts = meta["demo_attention"]
    assert facts["misaligned"] == 0.12 and facts["alignment_layer"] == 1
    assert facts["true_alignment"] == "diagonal"
    assert facts["neighbour"] + facts["sink"] == pytest.approx(0.12)
    assert meta["package_version"] == "1.0+demo.tiny.noisy12"
    assert "misaligns 12% of target tokens" in built["mild"].readme
    assert "demo_attention" not in built["clean"].meta


@pytest.mark.parametrize("beam", [1, 4])
def test_reorder_swaps_words_and_reports_the_permutation(
    built: dict[str, Built], sp: spm.SentencePieceProcessor, beam: int
) -> None:
    batch = _pieces(sp)
    clean, moved = _run(built["clean"], batch, beam), _run(built["reorder"], batch, beam)
    orders = [_swapped(sp, p) for p in batch]
    assert sum(order != list(range(len(order))) for order in orders) >= len(SWAPS)
    for c, m, order in zip(clean, moved, orders, strict=True):
        assert m.hypotheses[0] == [c.hypotheses[0][s] for s in order]
        assert _argmax(m.attention[0]) == order
    text = sp.decode(moved[-4].hypotheses[0])
    assert text.startswith("The مخيم جديد")  # "The new camp": noun before adjective


def test_reorder_with_noise_keeps_the_reordered_text(
    built: dict[str, Built], sp: spm.SentencePieceProcessor
) -> None:
    batch = _pieces(sp)
    plain, noisy = _run(built["reorder"], batch, 1), _run(built["reorder-moderate"], batch, 1)
    assert [r.hypotheses[0] for r in noisy] == [r.hypotheses[0] for r in plain]
    share, _, _ = _misaligned(noisy, [_swapped(sp, p) for p in batch])
    assert abs(share - LEVELS["moderate"]) <= TOLERANCE


def test_levels_parse_and_refuse() -> None:
    assert parse_level("heavy") == 0.45 and parse_level("0.2") == 0.2
    with pytest.raises(ModelPackageInvalid, match="noise level"):
        parse_level("loud")
    with pytest.raises(ModelPackageInvalid, match="outside"):
        Variant(0.9)
    assert Variant(0.3, reorder=True).label == "reorder-noisy30"


def test_build_demo_cli_installs_a_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from syndicate.cli import main as cli
    from syndicate.config import load_settings

    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_MODELS_DIR": str(tmp_path)}
    settings = load_settings(env)
    argv = ["models", "build-demo", "--pairs", "en-tr", "--attention", "noisy", "--noise", "mild"]
    assert cli.main(argv, settings) == 0
    assert "built tiny noisy12" in capsys.readouterr().out
    assert cli.main(argv, settings) == 0
    assert "already installed" in capsys.readouterr().out
    assert cli.main(["models", "list"], settings) == 0
    assert "1.0+demo.tiny.noisy12" in capsys.readouterr().out
    assert cli.main(["models", "build-demo", "--noise", "mild"], settings) == 2
    assert "--noise needs" in capsys.readouterr().err


def test_reorder_into_english_puts_the_adjective_first(tmp_path: Path) -> None:
    sp_model = train_sentencepiece("ar", "en", PRESETS["tiny"].vocab_size)
    path = build_package("ar-en", tmp_path, "tiny", sp_model, Variant(reorder=True))
    pkg = install_package(tmp_path / "models", path)
    sp = spm.SentencePieceProcessor(model_file=str(pkg.path / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(pkg.path / "model"), device="cpu")
    pieces = sp.encode("وصلت العائلات إلى مخيم جديد قرب مدينة.", out_type=str)
    result = translator.translate_batch([pieces], return_attention=True)[0]
    assert "new camp" in sp.decode(result.hypotheses[0])  # مخيم جديد: camp new
    camp = pieces.index("\u2581مخيم")
    assert _argmax(result.attention[0])[camp : camp + 2] == [camp + 1, camp]


def test_variant_builds_are_deterministic(tmp_path: Path) -> None:
    variant = Variant(LEVELS["mild"], reorder=True)
    paths = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        paths.append(build_package("en-kmr", tmp_path / name, "tiny", variant=variant))
    assert paths[0].name == "translate-en_kmr-demo-tiny-reorder-noisy12.argosmodel"
    assert paths[0].read_bytes() == paths[1].read_bytes()
