"""Gloss demo packages: lexicons, deterministic builds, the demo label, skipping installs."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from syndicate.errors import ModelPackageInvalid
from syndicate.models.demo import (
    DEMO_PAIRS,
    build_package,
    install_demo_models,
    lexicon_forms,
    read_lexicon,
)


@pytest.mark.parametrize("lang", ["ar", "tr", "ckb", "kmr"])
def test_lexicons_are_large_and_one_to_one(lang: str) -> None:
    entries = read_lexicon(lang)
    assert len(entries) >= 150
    assert len({s for s, _ in entries}) == len({t for _, t in entries}) == len(entries)
    assert dict(entries)["city"] and dict(entries)["Kurdistan"]


def test_arabic_and_sorani_lexicons_use_their_own_letters() -> None:
    arabic = "".join(t for _, t in read_lexicon("ar"))
    sorani = "".join(t for _, t in read_lexicon("ckb"))
    assert not set(arabic) & set("کیە")
    assert not set(sorani) & set("كية")


def test_capitalised_forms_follow_turkish_rules() -> None:
    forms = dict(lexicon_forms("en", "tr"))
    assert forms["City"] == "Şehir"
    assert forms["First"] == "İlk"
    assert forms["Iraq"] == "Irak"
    back = dict(lexicon_forms("tr", "en"))
    assert back["İlk"] == "First" and back["şehir"] == "city"


def test_build_is_deterministic_and_labelled_demo(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build_package("en-kmr", tmp_path / "a", "tiny")
    second = build_package("en-kmr", tmp_path / "b", "tiny")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]
    with zipfile.ZipFile(first) as archive:
        names = set(archive.namelist())
        meta = json.loads(archive.read("translate-en_kmr-demo/metadata.json"))
    assert {
        "translate-en_kmr-demo/" + n
        for n in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin")
    } <= names
    assert meta["demo"] is True and meta["demo_preset"] == "tiny"
    assert "Gloss demo model" in meta["description"]
    assert (meta["from_code"], meta["to_code"], meta["package_version"]) == (
        "en",
        "kmr",
        "1.0+demo.tiny",
    )


def test_installed_demo_models_are_not_rebuilt(demo_models_dir: Path) -> None:
    outcomes = install_demo_models(demo_models_dir, preset="tiny")
    assert [o.pair for o in outcomes] == list(DEMO_PAIRS)
    assert not any(o.built for o in outcomes)


def test_unknown_pair_or_preset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelPackageInvalid, match="no demo lexicon"):
        install_demo_models(tmp_path, pairs=("en-fr",))
    with pytest.raises(ModelPackageInvalid, match="unknown preset"):
        install_demo_models(tmp_path, preset="huge")
