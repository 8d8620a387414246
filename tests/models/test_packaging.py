"""`syndicate models package`, `build-demo --multilingual` and `models list` (issue 17):
Argos packages from a converted model, one per pair, sharing one model on disk and in
memory, their licences and language tokens shown."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from syndicate.cli.main import main
from syndicate.config import load_settings
from syndicate.models.engine import Engine
from syndicate.models.multidemo import FAMILIES, TARGETS

NLLB = FAMILIES["nllb"]
TOKENS = ",".join(f"{lang}={token}" for lang, token in NLLB.tokens.items())


def _cli(argv: list[str], models: Path, **settings: object) -> int:
    base = load_settings({"SYNDICATE_CONFIG": "/nonexistent.toml"})
    return main(argv, replace(base, models_dir=models, **settings))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def converted(
    multilingual_archives: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """What ct2-transformers-converter leaves of an NLLB model: the model directory with no
    source token nor EOS in config.json (the Hugging Face tokenizer adds those), and the
    SentencePiece model beside it."""
    root = tmp_path_factory.mktemp("converted")
    with zipfile.ZipFile(multilingual_archives["nllb"][0]) as archive:
        archive.extractall(root)
    [package] = [p for p in root.iterdir() if p.is_dir()]
    shutil.move(package / "model", root / "model")
    shutil.move(package / "sentencepiece.model", root / "sentencepiece.bpe.model")
    config = json.loads((root / "model" / "config.json").read_text("utf-8"))
    config |= {"add_source_bos": False, "add_source_eos": False, "bos_token": "<s>"}
    (root / "model" / "config.json").write_text(json.dumps(config), "utf-8")
    return root


def _package(converted: Path, out: Path, *extra: str) -> int:
    return _cli(
        [
            "models",
            "package",
            str(converted / "model"),
            "--sentencepiece",
            str(converted / "sentencepiece.bpe.model"),
            "--pairs",
            ",".join(f"en-{t}" for t in TARGETS),
            "--source-prefix",
            "{from}",
            "--target-prefix",
            "{to}",
            "--token",
            TOKENS,
            "--license",
            "CC-BY-NC-4.0",
            "--name",
            "nllb-test",
            "--out",
            str(out),
            *extra,
        ],
        out,
    )


def test_a_converted_model_packages_installs_once_and_translates(
    converted: Path,
    nllb_models_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _package(converted, tmp_path / "out", "--source-eos") == 0
    archives = sorted((tmp_path / "out").glob("*.argosmodel"))
    assert [a.name for a in archives] == [
        f"translate-en_{t}-nllb-test.argosmodel" for t in sorted(TARGETS)
    ]
    models = tmp_path / "models"
    for archive in archives:
        assert _cli(["models", "install", str(archive)], models) == 0
    capsys.readouterr()
    assert _cli(["models", "list"], models) == 0
    listed = capsys.readouterr().out
    assert listed.count("CC-BY-NC-4.0") == 4 and listed.count("(x4)") == 4
    assert "one model (" in listed and "translate-en_kmr-nllb-test (en-kmr)" in listed
    inodes = {os.stat(p / "model" / "model.bin").st_ino for p in models.iterdir() if p.is_dir()}
    assert len(inodes) == 1  # one copy on disk
    texts = ["The new camp opened in Erbil, officials said.", "See erbil_water_2024?id=7."]
    packaged, demo = Engine(models), Engine(nllb_models_dir)
    for target in TARGETS:
        got = [r.text for r in packaged.translate("en", target, texts)]
        assert got == [r.text for r in demo.translate("en", target, texts)]
    assert packaged.loaded() == 1


def test_a_token_the_model_does_not_know_is_refused_in_one_line(
    converted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _package(converted, tmp_path, "--token", "ckb=ckb_arab") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'ckb_arab' is not in the model's vocabulary" in err
    assert not list(tmp_path.glob("*.argosmodel"))


def test_build_demo_multilingual_lists_one_model_its_licence_and_its_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    assert _cli(["models", "build-demo", "--pairs", "en-ar"], models) == 0
    assert _cli(["models", "build-demo", "--multilingual", "nllb"], models) == 0
    assert _cli(["models", "build-demo", "--multilingual", "nllb"], models) == 0
    out = capsys.readouterr().out
    assert out.count("built: built tiny translate-en_") == 5 and out.count("skipped") == 4
    assert _cli(["models", "list"], models) == 0
    listed = capsys.readouterr().out
    assert "translate-en_ar " not in listed  # one demo per pair: the multilingual one now
    assert listed.count("demo (tiny), multilingual") == 4
    assert _cli(["models", "list"], models, commercial_use=True) == 0
    refused = capsys.readouterr().out
    assert refused.count("CC-BY-NC-4.0 (refused)") == 4
    assert "warning: not used: translate-en_ckb-nllb is CC-BY-NC-4.0" in refused
    assert _cli(["models", "build-demo", "--multilingual", "nllb", "--pairs", "en-ar"], models) == 2


def test_an_archive_whose_directory_holds_another_pair_is_refused(
    multilingual_archives: dict[str, list[Path]], tmp_path: Path
) -> None:
    """Two packages built elsewhere under one directory name: installing the second must
    not delete the first."""
    ckb, kmr = (a for a in multilingual_archives["nllb"] if "_ckb-" in a.name or "_kmr-" in a.name)
    clash = tmp_path / "clash.argosmodel"
    with zipfile.ZipFile(kmr) as src, zipfile.ZipFile(clash, "w") as out:
        for info in src.infolist():
            name = info.filename.replace("en_kmr", "en_ckb", 1)
            out.writestr(name, src.read(info))
    models = tmp_path / "models"
    assert _cli(["models", "install", str(ckb)], models) == 0
    assert _cli(["models", "install", str(clash)], models) == 2
    assert Engine(models).models_for("en", "ckb")[0].code == "translate-en_ckb-nllb"
