"""Choosing the attention a model reports (models/attention.py) on the tiny gloss models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from syndicate.errors import SettingsInvalid
from syndicate.models import attention
from syndicate.models.engine import Engine

CASUALTIES = "Five civilians were killed in an attack near the Syria border, police said."


@pytest.fixture(scope="module")
def blob(demo_models_dir: Path) -> bytes:
    return (demo_models_dir / "translate-en_ar-demo" / "model" / "model.bin").read_bytes()


def test_the_model_bin_index_gives_layer_heads_and_depth(blob: bytes) -> None:
    shipped = attention.read_shipped(blob)
    assert shipped is not None
    assert (shipped.layer, shipped.heads, shipped.decoder_layers) == (0, 1, 1)  # gloss: layer 0


def test_a_rewrite_changes_the_two_values_and_nothing_else(blob: bytes) -> None:
    shipped = attention.read_shipped(blob)
    assert shipped is not None
    out = attention.patched(blob, shipped, -1, 0)
    again = attention.read_shipped(out)
    assert again is not None and (again.layer, again.heads) == (0, 0)  # -1 of one layer: 0
    assert len(out) == len(blob)
    assert sum(a != b for a, b in zip(out, blob, strict=True)) <= 4


def test_an_untrained_argos_default_gets_the_penultimate_layer_all_heads(blob: bytes) -> None:
    shipped = attention.read_shipped(blob)
    assert shipped is not None
    argos = replace(shipped, layer=-1, heads=1, decoder_layers=6)
    pick = attention.choose
    assert pick(argos, demo=False, setting="auto", metadata={}) == (-2, 0)
    assert pick(replace(argos, layer=5), demo=False, setting="auto", metadata={}) == (-2, 0)
    assert pick(argos, demo=True, setting="auto", metadata={}) is None  # a gloss model's own
    guided = replace(argos, layer=3, heads=8)  # trained with guided alignment: its choice
    assert pick(guided, demo=False, setting="auto", metadata={}) is None
    assert pick(argos, demo=False, setting="package", metadata={}) is None
    assert pick(argos, demo=False, setting="-3:2", metadata={}) == (-3, 2)
    own = {"alignment": {"layer": 4, "heads": 0}}
    assert pick(argos, demo=False, setting="package", metadata=own) == (4, 0)


def test_a_bad_setting_is_refused_by_name() -> None:
    with pytest.raises(SettingsInvalid, match="attention_layer"):
        attention.check_setting("penultimate")


def test_a_forced_layer_loads_from_memory_and_translates_the_same(demo_models_dir: Path) -> None:
    shipped = Engine(demo_models_dir, attention_layer="package")
    forced = Engine(demo_models_dir, attention_layer="0:0")  # every head of layer 0
    [a] = shipped.translate("en", "ar", [CASUALTIES])
    [b] = forced.translate("en", "ar", [CASUALTIES])
    assert a.text == b.text and a.alignment == b.alignment
    assert (
        max(
            abs(x - y)
            for ra, rb in zip(a.attention, b.attention, strict=True)
            for x, y in zip(ra, rb, strict=True)
        )
        < 1e-3
    )


def test_a_layer_that_aligns_is_informative_a_flat_one_is_not(demo_models_dir: Path) -> None:
    import ctranslate2
    import sentencepiece as spm

    package = demo_models_dir / "translate-en_ar-demo"
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    assert attention.informative(ctranslate2.Translator(str(package / "model")), sp)

    class Flat:  # what a layer with near-zero weights reports: the same mass everywhere
        def translate_batch(self, batch: list[list[str]], **_: object) -> list[object]:
            n = len(batch[0]) + 1
            hypothesis = type("R", (), {"attention": [[[1 / n] * n for _ in range(n)]]})
            return [hypothesis]

    assert not attention.informative(Flat(), sp)
