"""`syndicate run`'s models: every pair the run needs gets one, and the run says which.

The real Argos package where the network allows, else a demo gloss model: bilingual ones
(``--models bilingual``, the default), or the multilingual demo model for en -> ar, tr,
ckb and kmr (``--models multilingual``: NLLB-shaped, a target prefix chooses the language;
``madlad``: a source token does), one model loaded once for the four pairs (issue 17).
What each pair gets is what the engine will choose (models/catalogue.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.cli.console import say
from syndicate.errors import IndexUnavailable, ModelPackageInvalid

if TYPE_CHECKING:  # the models load CTranslate2: only once `run` runs
    from syndicate.models.catalogue import Entry

INDEX_TIMEOUT = 5.0
PRESET = "base"
KINDS = ("bilingual", "multilingual", "madlad")
_FAMILY = {"multilingual": "nllb", "madlad": "madlad"}


def _try_index(models_dir: Path, pairs: Sequence[str], offline: bool) -> list[str]:
    """Install real packages from the Argos index; the pairs still missing. The first
    network failure ends the attempts (an offline machine waits once, not per pair)."""
    from syndicate.models.packages import install_from_index

    missing = list(pairs)
    if offline or not missing:
        return missing
    for pair in pairs:
        try:
            package = install_from_index(models_dir, pair, timeout=INDEX_TIMEOUT)
        except IndexUnavailable as exc:
            say(f"  Argos index unreachable ({exc}); using demo models")
            return missing
        except ModelPackageInvalid as exc:
            say(f"  {pair}: {exc}")
            continue
        say(f"  {pair}: installed the real package {package.code} {package.version}")
        missing.remove(pair)
    return missing


def _multilingual(models_dir: Path, pairs: Sequence[str], kind: str, preset: str) -> None:
    """The multilingual demo model for the pairs it covers that no real package serves."""
    from syndicate.models.multidemo import SOURCE, TARGETS, install_family
    from syndicate.models.packages import list_packages

    real = {p.pair for p in list_packages(models_dir) if not p.demo}
    covered = [p for p in pairs if p in {f"{SOURCE}-{t}" for t in TARGETS} and p not in real]
    if kind in _FAMILY and covered:
        family = _FAMILY[kind]
        say(f"  building the multilingual demo model ({family}, preset {preset}) ...")
        install_family(models_dir, family, preset)


def ensure_models(
    models_dir: Path,
    pairs: Sequence[str],
    offline: bool,
    kind: str = "bilingual",
    preset: str = PRESET,
) -> dict[str, str]:
    """Give every pair a model where possible; pair -> what the engine will use: "real",
    "demo (base)", "demo (base, multilingual nllb)" or "none"."""
    from syndicate.models.catalogue import Catalogue
    from syndicate.models.demo import DEMO_PAIRS, install_demo_models
    from syndicate.models.packages import list_packages

    _multilingual(models_dir, pairs, kind, preset)
    have = {p.pair for p in list_packages(models_dir)}
    missing = _try_index(models_dir, [p for p in pairs if p not in have], offline)
    demo = [p for p in missing if p in DEMO_PAIRS]
    if demo:
        say(f"  building demo gloss models (preset {preset}) for {', '.join(demo)} ...")
        install_demo_models(models_dir, preset=preset, pairs=demo)
    chosen = Catalogue.scan(models_dir).best
    kinds = {}
    for pair in pairs:
        source, _, target = pair.partition("-")
        entry = chosen.get((source, target))
        kinds[pair] = "none" if entry is None else _kind(entry)
    return kinds


def _kind(entry: Entry) -> str:
    if not entry.package.demo:
        return "real"
    family = entry.metadata.get("demo_multilingual")
    return f"demo ({entry.package.preset}{f', multilingual {family}' if family else ''})"


def say_models(kinds: dict[str, str]) -> None:
    for pair, kind in kinds.items():
        note = {"none": "no model: this language ends as no_model"}.get(kind, "")
        say(f"  {pair:<8} {kind}{'  ' + note if note else ''}")
    demo = [pair for pair, kind in kinds.items() if kind.startswith("demo")]
    if demo:
        say("  demo gloss models copy the English and swap lexicon words: not real translations")
