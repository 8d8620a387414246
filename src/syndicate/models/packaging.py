"""`syndicate models package`: Argos packages from a CTranslate2 model someone converted.

Issue 17. The models that translate Kurdish (NLLB-200, MADLAD-400, OPUS-MT multi-target)
are multilingual; Argos's format is one pair per package. This writes one .argosmodel per
pair, each a plain Argos package (installable by argostranslate too), all carrying the
same model directory, so that install hard-links them to one copy on disk and the engine
loads one model for all of them (models/digest.py, models/catalogue.py):

- metadata.json: ``license`` (an SPDX id), ``target_prefix`` (Argos's key) and
  ``source_prefix`` (ours), from templates where ``{from}`` and ``{to}`` stand for the
  language's token in that model (``--token ckb=ckb_Arab``; by default the code itself);
- config.json ``add_source_eos`` set when asked: ct2-transformers-converter leaves it off,
  because Hugging Face's tokenizers append ``</s>`` themselves, and these models need it.

Every prefix token must be in the model's vocabulary: a typo (``ckb_arab``) is refused here,
not discovered as a garbled translation.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.errors import ModelPackageInvalid
from syndicate.models.archive import write_package
from syndicate.models.demo import ARGOS_VERSION, LANGUAGE_NAMES

_PAIR = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")
_VOCABULARIES = ("shared_vocabulary", "source_vocabulary", "target_vocabulary")


@dataclass(frozen=True, slots=True)
class Recipe:
    """What ``models package`` was asked for."""

    model_dir: Path
    sentencepiece: Path
    pairs: tuple[str, ...]
    license: str
    target_prefix: str = ""  # a template: "{to}" for NLLB
    source_prefix: str = ""  # "{from}" for NLLB, "<2{to}>" for MADLAD, ">>{to}<<" OPUS-MT
    tokens: Mapping[str, str] | None = None  # language -> the model's token for it
    source_eos: bool = False
    name: str = ""
    version: str = "1.0"


def parse_pairs(text: str) -> tuple[str, ...]:
    """``en-ckb,en-kmr`` -> the pairs, each checked."""
    pairs = tuple(p.strip() for p in text.split(",") if p.strip())
    for pair in pairs:
        if _PAIR.match(pair) is None:
            raise ModelPackageInvalid(f"--pairs: {pair!r} is not a pair like en-ckb")
    if not pairs:
        raise ModelPackageInvalid("--pairs: name at least one pair, like en-ckb")
    return pairs


def parse_tokens(items: Sequence[str]) -> dict[str, str]:
    """``["en=eng_Latn", "ckb=ckb_Arab,kmr=kmr_Latn"]`` -> language -> token."""
    tokens = {}
    for item in (i.strip() for chunk in items for i in chunk.split(",") if i.strip()):
        lang, sep, token = item.partition("=")
        if not sep or not lang or not token or " " in token:
            raise ModelPackageInvalid(f"--token: {item!r} is not LANG=TOKEN")
        tokens[lang] = token
    return tokens


def _vocabulary(model_dir: Path) -> set[str] | None:
    """The model's vocabulary (CTranslate2 writes JSON lists or one token a line)."""
    found: set[str] = set()
    for name in _VOCABULARIES:
        for path in (model_dir / f"{name}.json", model_dir / f"{name}.txt"):
            if path.is_file():
                text = path.read_text("utf-8")
                found |= set(json.loads(text) if path.suffix == ".json" else text.splitlines())
    return found or None


def _check(recipe: Recipe) -> None:
    for required in ("model.bin", "config.json"):
        if not (recipe.model_dir / required).is_file():
            raise ModelPackageInvalid(f"{recipe.model_dir}: no {required} (a CTranslate2 model?)")
    if not recipe.sentencepiece.is_file():
        raise ModelPackageInvalid(f"--sentencepiece: {recipe.sentencepiece}: no such file")
    if not recipe.license.strip():
        raise ModelPackageInvalid("--license: say the model's licence (an SPDX id)")


def _fill(template: str, source: str, target: str, tokens: Mapping[str, str]) -> str:
    try:
        return template.format(
            **{"from": tokens.get(source, source), "to": tokens.get(target, target)}
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise ModelPackageInvalid(f"prefix template {template!r}: use {{from}} and {{to}}") from exc


def _metadata(recipe: Recipe, source: str, target: str) -> dict[str, object]:
    tokens = recipe.tokens or {}
    suffix = f"-{recipe.name}" if recipe.name else ""
    meta: dict[str, object] = {
        "package_version": recipe.version,
        "argos_version": ARGOS_VERSION,
        "from_code": source,
        "from_name": LANGUAGE_NAMES.get(source, source),
        "to_code": target,
        "to_name": LANGUAGE_NAMES.get(target, target),
        "code": f"translate-{source}_{target}{suffix}",
        "type": "translate",
        "links": [],
        "license": recipe.license.strip(),
        "description": (
            f"{recipe.name or 'A multilingual model'} for {source} -> {target}, packaged by "
            f"`syndicate models package`; one model serves {', '.join(recipe.pairs)}."
        ),
    }
    for key, template in (
        ("target_prefix", recipe.target_prefix),
        ("source_prefix", recipe.source_prefix),
    ):
        if template:
            meta[key] = _fill(template, source, target, tokens)
    return meta


def _model_copy(recipe: Recipe, into: Path) -> Path:
    """The model directory as packaged: the files linked, config.json rewritten when
    ``source_eos`` asks for it."""
    out = into / "model"
    out.mkdir()
    for f in sorted(p for p in recipe.model_dir.iterdir() if p.is_file()):
        try:
            (out / f.name).hardlink_to(f)
        except OSError:
            shutil.copy2(f, out / f.name)
    if recipe.source_eos:
        config = json.loads((recipe.model_dir / "config.json").read_text("utf-8"))
        config["add_source_eos"] = True
        (out / "config.json").unlink()
        (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    return out


def package(recipe: Recipe, out_dir: Path) -> list[Path]:
    """Write one .argosmodel per pair into ``out_dir``; return their paths."""
    _check(recipe)
    vocabulary = _vocabulary(recipe.model_dir)
    pairs = parse_pairs(",".join(recipe.pairs))
    metas = [_metadata(recipe, *pair.split("-")) for pair in pairs]
    for meta in metas:
        for key in ("target_prefix", "source_prefix"):
            for token in str(meta.get(key, "")).split():
                if vocabulary is not None and token not in vocabulary:
                    raise ModelPackageInvalid(f"{key} {token!r} is not in the model's vocabulary")
    out_dir.mkdir(parents=True, exist_ok=True)
    readme = "# {code}\n\n{description}\n\nLicence: {license}.\n"
    paths = []
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        model = _model_copy(recipe, Path(tmp))
        for meta in metas:
            top = str(meta["code"])
            path = out_dir / f"{top}.argosmodel"
            text = readme.format(**meta)
            write_package(path, top, meta, text, recipe.sentencepiece, model, compress_model=False)
            paths.append(path)
    return paths
