"""Demo gloss packages: SentencePiece training, lexicon mapping and .argosmodel assembly.

Brief section 6. A gloss package is a real Argos package (one top directory holding
metadata.json, a CTranslate2 ``model/``, ``sentencepiece.model`` and README.md) whose model
copies its source and swaps the words of a hand-written news lexicon shipped in
``data/lexicon``. Both directions of a language pair share one SentencePiece model, trained
on ``data/corpus`` plus every lexicon word. A lexicon word that does not come out as one
piece fails the build loudly (ModelPackageInvalid naming the words) rather than silently
degrading the glossary the tests assert on. Builds are deterministic: fixed seeds, one
SentencePiece thread, fixed zip timestamps.
"""

from __future__ import annotations

import io
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sentencepiece as spm

from syndicate.errors import ModelPackageInvalid
from syndicate.models.archive import write_package
from syndicate.models.gloss import PRESETS, GlossConverter, Preset, widened
from syndicate.models.packages import (
    InstalledPackage,
    install_package,
    list_packages,
    read_archive_metadata,
    remove_package,
)
from syndicate.models.variants import CLEAN, Variant
from syndicate.models.wordclasses import word_classes

DATA = Path(__file__).resolve().parents[1] / "data"
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "tr": "Turkish",
    "ckb": "Central Kurdish (Sorani)",
    "kmr": "Northern Kurdish (Kurmanji)",
}
DEMO_PAIRS = ("en-ar", "ar-en", "en-tr", "tr-en", "en-ckb", "ckb-en", "en-kmr", "kmr-en")
PACKAGE_VERSION = "1.0+demo.{preset}"  # a variant appends ".<label>" (variants.py)
ARGOS_VERSION = "1.9"
_LEXICON_REPEAT = 40  # lexicon words weigh this many corpus lines, so each stays one piece


@dataclass(frozen=True, slots=True)
class DemoOutcome:
    """What ``install_demo_models`` did for one pair, for the CLI to print."""

    pair: str
    built: bool
    reason: str


def read_lexicon(lang: str) -> tuple[tuple[str, str], ...]:
    """The English -> ``lang`` entries of ``data/lexicon/en-<lang>.tsv``, in file order."""
    path = DATA / "lexicon" / f"en-{lang}.tsv"
    if not path.exists():
        raise ModelPackageInvalid(f"no demo lexicon for en-{lang}")
    entries = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not all(c and " " not in c for c in cells):
            raise ModelPackageInvalid(f"{path.name}:{number}: expected 'word<TAB>word'")
        entries.append((cells[0], cells[1]))
    return tuple(entries)


def _capitalise(word: str, lang: str) -> str:
    """Upper-case the first letter; Turkish dotted i is İ, which str.upper gets wrong."""
    turkish = {"i": "\u0130", "\u0131": "I"}  # dotted i capitalises to dotted I
    first = turkish.get(word[0], word[0].upper()) if lang == "tr" else word[0].upper()
    return first + word[1:]


def lexicon_forms(source: str, target: str) -> list[tuple[str, str]]:
    """Source -> target word forms: each entry and its capitalised form (Latin scripts)."""
    other = target if source == "en" else source
    entries = read_lexicon(other)
    pairs = entries if source == "en" else tuple((t, s) for s, t in entries)
    forms: dict[str, str] = {}
    for src, tgt in pairs:
        forms.setdefault(src, tgt)
        forms.setdefault(_capitalise(src, source), _capitalise(tgt, target))
    return list(forms.items())


def _training_lines(langs: Sequence[str], forms: Iterable[tuple[str, str]]) -> Iterator[str]:
    for lang in langs:
        yield from (
            line
            for line in (DATA / "corpus" / f"{lang}.txt").read_text("utf-8").splitlines()
            if line.strip()
        )
    for _ in range(_LEXICON_REPEAT):
        for src, tgt in forms:
            yield src
            yield tgt


def train_sentencepiece(lang_a: str, lang_b: str, vocab_size: int) -> bytes:
    """One SentencePiece model for both directions of a pair; byte fallback: no <unk>."""
    forms = lexicon_forms("en", lang_b if lang_a == "en" else lang_a)
    return train_pieces((lang_a, lang_b), forms, vocab_size)


def train_pieces(
    langs: Sequence[str],
    forms: Iterable[tuple[str, str]],
    vocab_size: int,
    symbols: Sequence[str] = (),
) -> bytes:
    """A BPE SentencePiece model over the ``langs``' corpora and the lexicon ``forms``
    (repeated, so each stays one piece: the unigram trainer splits them on text this
    small), with ``symbols`` as pieces of their own; byte fallback: no <unk>."""
    writer = io.BytesIO()
    spm.set_random_generator_seed(1)
    spm.SentencePieceTrainer.train(
        sentence_iterator=_training_lines(langs, list(forms)),
        model_writer=writer,
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        byte_fallback=True,
        hard_vocab_limit=False,
        max_sentencepiece_length=24,
        num_threads=1,
        minloglevel=2,
        user_defined_symbols=",".join(symbols),
    )
    return writer.getvalue()


def _single_piece(sp: spm.SentencePieceProcessor, word: str) -> int | None:
    ids: list[int] = sp.encode(word)
    ok = len(ids) == 1 and not sp.is_byte(ids[0]) and not sp.is_unknown(ids[0])
    return ids[0] if ok else None


def piece_mapping(sp: spm.SentencePieceProcessor, source: str, target: str) -> list[int]:
    """Target piece id per source piece id: identity, except the lexicon words."""
    mapping = list(range(sp.get_piece_size()))
    broken = []
    for src, tgt in lexicon_forms(source, target):
        src_id, tgt_id = _single_piece(sp, src), _single_piece(sp, tgt)
        if src_id is None or tgt_id is None:
            broken.append(src if src_id is None else tgt)
            continue
        mapping[src_id] = tgt_id
    if broken:
        raise ModelPackageInvalid(
            f"{source}-{target}: lexicon words that are not one SentencePiece piece: "
            + ", ".join(sorted(set(broken)))
        )
    return mapping


def package_version(preset: str, variant: Variant = CLEAN) -> str:
    """``1.0+demo.tiny``; a variant's label follows: ``1.0+demo.tiny.noisy30``."""
    version = PACKAGE_VERSION.format(preset=preset)
    return version if variant.clean else f"{version}.{variant.label}"


def _metadata(
    source: str, target: str, preset: Preset, entries: int, variant: Variant
) -> dict[str, object]:
    meta: dict[str, object] = {
        "package_version": package_version(preset.name, variant),
        "argos_version": ARGOS_VERSION,
        "from_code": source,
        "from_name": LANGUAGE_NAMES[source],
        "to_code": target,
        "to_name": LANGUAGE_NAMES[target],
        "code": f"translate-{source}_{target}",
        "type": "translate",
        "links": [],
        "demo": True,
        "demo_preset": preset.name,
        "description": (
            f"Gloss demo model built by syndicate ({preset.name} preset), NOT a real "
            f"translation model: it copies the source and substitutes {entries} lexicon "
            "word forms."
        ),
    }
    if not variant.clean:
        meta["demo_attention"] = variant.describe()
        meta["description"] = f"{meta['description']} {_variant_text(variant)}"
    return meta


def _variant_text(variant: Variant) -> str:
    """The README's and description's account of a variant, with its configured levels."""
    facts = variant.describe()
    parts = []
    if variant.reorder:
        parts.append(
            "Adjective-noun pairs swap (noun-adjective into English); the reported attention "
            "is that permutation."
        )
    if variant.noisy:
        parts.append(
            f"Reported attention (decoder layer 1, head 0) misaligns {facts['misaligned']:.0%} "
            f"of target tokens: {facts['neighbour']:.1%} on a neighbour, {facts['sink']:.1%} on "
            "a sink (punctuation, function words, EOS); the translation is the clean model's "
            "and the true alignment that of its copying layer 0."
        )
    return " ".join(parts)


def _readme(meta: dict[str, object]) -> str:
    return (
        f"# Gloss demo model {meta['from_code']} -> {meta['to_code']}\n\n"
        f"{meta['description']}\n\n"
        "Built offline by `syndicate models build-demo` for tests and benchmarks "
        "(brief section 6). Output is a word-by-word gloss, not a translation.\n"
    )


def build_package(
    pair: str,
    out_dir: Path,
    preset: str = "tiny",
    sp_model: bytes | None = None,
    variant: Variant = CLEAN,
) -> Path:
    """Build one gloss .argosmodel into ``out_dir`` and return its path.

    A variant keeps the clean model's SentencePiece model and lexicon, so its translation
    is the same text; only its attention (or its word order) differs.
    """
    source, target = _split_pair(pair)
    shape = _preset(preset)
    if sp_model is None:
        sp_model = train_sentencepiece(source, target, shape.vocab_size)
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    mapping = piece_mapping(sp, source, target)
    forms = lexicon_forms(source, target)
    meta = _metadata(source, target, shape, len(forms), variant)
    classes = word_classes(sp, forms, source == "en")
    seed = zlib.crc32(f"{pair}:{shape.name}".encode())
    suffix = "" if variant.clean else f"-{variant.label}"
    path = out_dir / f"translate-{source}_{target}-demo-{shape.name}{suffix}.argosmodel"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        converter = GlossConverter(
            vocabulary, mapping, widened(shape, variant), seed, variant, classes
        )
        converter.convert(str(model_dir), quantization="int8")
        write_package(
            path, f"translate-{source}_{target}-demo", meta, _readme(meta), sp_model, model_dir
        )
    return path


def _iter_packages(
    pairs: Sequence[str], out_dir: Path, preset: str, variant: Variant = CLEAN
) -> Iterator[Path]:
    """Build pair after pair, training each language pair's SentencePiece model once."""
    shape, cache = _preset(preset), dict[frozenset[str], bytes]()
    for pair in pairs:
        source, target = _split_pair(pair)
        key = frozenset((source, target))
        if key not in cache:
            cache[key] = train_sentencepiece(source, target, shape.vocab_size)
        yield build_package(pair, out_dir, preset, cache[key], variant)


def build_packages(
    pairs: Sequence[str], out_dir: Path, preset: str = "tiny", variant: Variant = CLEAN
) -> list[Path]:
    """Build several pairs into ``out_dir``; both directions share one SentencePiece model."""
    return list(_iter_packages(pairs, out_dir, preset, variant))


def install_demo_models(
    models_dir: Path,
    preset: str = "tiny",
    pairs: Sequence[str] = DEMO_PAIRS,
    force: bool = False,
    variant: Variant = CLEAN,
) -> list[DemoOutcome]:
    """Build and install gloss packages where no package serves a pair (brief section 6).

    A real package is never replaced; a demo one of the same preset and variant is kept
    unless ``force``; any other demo package of the pair is replaced (``install_demo``).
    """
    _preset(preset)
    for pair in pairs:
        _split_pair(pair)
    outcomes, todo = plan_demos(models_dir, pairs, package_version(preset, variant), force)
    with tempfile.TemporaryDirectory() as tmp:
        for path in _iter_packages(todo, Path(tmp), preset, variant):  # one on disk at a time
            package = install_demo(models_dir, path)
            path.unlink()
            built = f"built {preset}" + ("" if variant.clean else f" {variant.label}")
            outcomes.append(DemoOutcome(package.pair, True, f"{built} {package.code}"))
    return sorted(outcomes, key=lambda o: pairs.index(o.pair))


def plan_demos(
    models_dir: Path, pairs: Sequence[str], version: str, force: bool
) -> tuple[list[DemoOutcome], list[str]]:
    """What a demo build skips (a pair a real package serves, or this very build already
    installed, unless ``force``) and which pairs it builds."""
    installed = list_packages(models_dir)
    outcomes, todo = [], []
    for pair in pairs:
        real = [p for p in installed if p.pair == pair and not p.demo]
        same = [p for p in installed if p.pair == pair and p.demo and p.version == version]
        if real:
            outcomes.append(DemoOutcome(pair, False, f"real package {real[0].code} installed"))
        elif same and not force:
            outcomes.append(DemoOutcome(pair, False, f"demo ({version}) already installed"))
        else:
            todo.append(pair)
    return outcomes, todo


def install_demo(models_dir: Path, path: Path) -> InstalledPackage:
    """Install a demo package in place of every other demo package of its pair (a
    bilingual one, a multilingual one): one demo per pair, so what a build asked for is
    what the engine uses."""
    _, meta = read_archive_metadata(path)
    pair = f"{meta['from_code']}-{meta['to_code']}"
    for old in list_packages(models_dir):
        if old.demo and old.pair == pair:
            remove_package(models_dir, old.path.name)
    return install_package(models_dir, path)


def _split_pair(pair: str) -> tuple[str, str]:
    if pair not in DEMO_PAIRS:
        raise ModelPackageInvalid(
            f"no demo lexicon for {pair!r}; demo pairs: {', '.join(DEMO_PAIRS)}"
        )
    source, target = pair.split("-")
    return source, target


def _preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ModelPackageInvalid(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[name]
