"""Multilingual demo packages: one gloss model for en -> ar, tr, ckb and kmr, packaged as
the real multilingual models are, one Argos package per pair, the four sharing one model.

Issue 17, brief section 6. Two families stand in for the real Kurdish-capable models:

- ``nllb`` (NLLB-200-shaped): the target prefix chooses the language (metadata.json
  ``target_prefix``: ``arb_Arab``, ``tur_Latn``, ``ckb_Arab``, ``kmr_Latn``), and the
  source token is in the model's config.json (``add_source_bos``, ``bos_token``
  ``eng_Latn``, ``add_source_eos``), exactly as an Argos-made NLLB package has them; the
  language tokens are in CTranslate2's vocabulary, not in SentencePiece's. Licence
  CC-BY-NC-4.0, as NLLB's.
- ``madlad`` (MADLAD-400-shaped): a source token chooses it (metadata.json
  ``source_prefix``: ``<2ar>``, ``<2tr>``, ``<2ckb>``, ``<2ku>``), pieces of the
  SentencePiece model as MADLAD's are. Licence Apache-2.0.

The SentencePiece model is trained on the five corpora and every lexicon, and each family's
four packages carry byte-identical model directories (one conversion, zipped four times),
so an engine loads the model once for all four pairs (models/catalogue.py).
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import sentencepiece as spm

from syndicate.errors import ModelPackageInvalid
from syndicate.models.archive import write_package
from syndicate.models.demo import (
    ARGOS_VERSION,
    LANGUAGE_NAMES,
    DemoOutcome,
    install_demo,
    lexicon_forms,
    piece_mapping,
    plan_demos,
    train_pieces,
)
from syndicate.models.gloss import PRESETS
from syndicate.models.multigloss import MultiGlossConverter, Unit, shaped

SOURCE = "en"
TARGETS = ("ar", "tr", "ckb", "kmr")
VOCAB_SIZE = 8000  # five languages' lexicons must stay whole pieces


@dataclass(frozen=True, slots=True)
class Family:
    """How a real multilingual model chooses its language, and what it is licensed as."""

    name: str
    prefix: bool  # a target prefix (NLLB) or a source token (MADLAD)
    tokens: dict[str, str]  # language -> its token
    license: str
    describe: str

    def config(self) -> dict[str, object]:
        """The model's config.json: NLLB's source token is CTranslate2's BOS."""
        if self.prefix:
            start = {"decoder_start_token": "</s>", "add_source_bos": True}
            return {**start, "bos_token": self.tokens[SOURCE], "add_source_eos": True}
        return {"add_source_eos": True}

    def language_key(self, target: str) -> dict[str, str]:
        key = "target_prefix" if self.prefix else "source_prefix"
        return {key: self.tokens[target]}


FAMILIES = {
    "nllb": Family(
        "nllb",
        True,
        {
            "en": "eng_Latn",
            "ar": "arb_Arab",
            "tr": "tur_Latn",
            "ckb": "ckb_Arab",
            "kmr": "kmr_Latn",
        },
        "CC-BY-NC-4.0",
        "NLLB-200-shaped: the target prefix {token} chooses the output language",
    ),
    "madlad": Family(
        "madlad",
        False,
        {"ar": "<2ar>", "tr": "<2tr>", "ckb": "<2ckb>", "kmr": "<2ku>"},
        "Apache-2.0",
        "MADLAD-400-shaped: the source token {token} chooses the output language",
    ),
}


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ModelPackageInvalid(f"unknown multilingual demo {name!r}; use {', '.join(FAMILIES)}")
    return FAMILIES[name]


def version(preset: str, fam: Family) -> str:
    return f"1.0+demo.{preset}.{fam.name}"


def _metadata(fam: Family, target: str, preset: str, entries: int) -> dict[str, object]:
    token = fam.tokens[target]
    return {
        "package_version": version(preset, fam),
        "argos_version": ARGOS_VERSION,
        "from_code": SOURCE,
        "from_name": LANGUAGE_NAMES[SOURCE],
        "to_code": target,
        "to_name": LANGUAGE_NAMES[target],
        "code": f"translate-{SOURCE}_{target}-{fam.name}",
        "type": "translate",
        "links": [],
        "license": fam.license,
        **fam.language_key(target),
        "demo": True,
        "demo_preset": preset,
        "demo_multilingual": fam.name,
        "description": (
            f"Multilingual gloss demo model built by syndicate ({preset} preset), NOT a real "
            f"translation model. {fam.describe.format(token=token)}; one model serves "
            f"{', '.join(TARGETS)}. It copies the source and substitutes {entries} lexicon "
            "word forms of the chosen language."
        ),
    }


def _readme(meta: dict[str, object]) -> str:
    return (
        f"# Multilingual gloss demo model {meta['from_code']} -> {meta['to_code']}\n\n"
        f"{meta['description']}\n\nBuilt offline by `syndicate models build-demo "
        "--multilingual` for tests and benchmarks (issue 17). Licence as the model it "
        f"stands in for: {meta['license']}.\n"
    )


def _units(sp: spm.SentencePieceProcessor) -> list[Unit]:
    """One unit per lexicon word whose gloss differs, per target language (its kind)."""
    units = []
    for kind, target in enumerate(TARGETS, 1):
        mapping = piece_mapping(sp, SOURCE, target)
        units += [Unit(s, kind, t) for s, t in enumerate(mapping) if s != t]
    return units


def build_family(fam: Family, out_dir: Path, preset: str = "tiny") -> list[Path]:
    """The family's four .argosmodel files (en -> each target) in ``out_dir``."""
    shape = PRESETS[preset]
    forms = [form for target in TARGETS for form in lexicon_forms(SOURCE, target)]
    symbols = () if fam.prefix else tuple(fam.tokens[t] for t in TARGETS)
    sp_model = train_pieces((SOURCE, *TARGETS), forms, VOCAB_SIZE, symbols)
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    languages = [fam.tokens[t] for t in (*TARGETS, SOURCE) if t in fam.tokens]
    vocabulary = pieces + [t for t in languages if sp.piece_to_id(t) == sp.unk_id()]
    units = _units(sp)
    seed = zlib.crc32(f"multilingual:{fam.name}:{preset}".encode())
    converter = MultiGlossConverter(
        vocabulary,
        languages,
        units,
        shaped(shape, len(units)),
        seed,
        prefix=fam.prefix,
        config=fam.config(),
    )
    paths = []
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        converter.convert(str(model_dir), quantization="int8")
        for target in TARGETS:
            meta = _metadata(fam, target, preset, len(lexicon_forms(SOURCE, target)))
            top = f"translate-{SOURCE}_{target}-{fam.name}-demo"
            path = out_dir / f"{top}-{preset}.argosmodel"
            write_package(path, top, meta, _readme(meta), sp_model, model_dir)
            paths.append(path)
    return paths


def install_family(
    models_dir: Path, name: str, preset: str = "tiny", force: bool = False
) -> list[DemoOutcome]:
    """Build and install one family's four packages where no real package serves a pair;
    the same build already installed is kept unless ``force``, any other demo package of
    a pair is replaced (demo.install_demo)."""
    fam = family(name)
    if preset not in PRESETS:
        raise ModelPackageInvalid(f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
    pairs = [f"{SOURCE}-{t}" for t in TARGETS]
    outcomes, todo = plan_demos(models_dir, pairs, version(preset, fam), force)
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            for path, pair in zip(build_family(fam, Path(tmp), preset), pairs, strict=True):
                if pair in todo:
                    package = install_demo(models_dir, path)
                    outcomes.append(DemoOutcome(pair, True, f"built {preset} {package.code}"))
    return sorted(outcomes, key=lambda o: pairs.index(o.pair))
