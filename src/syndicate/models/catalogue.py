"""Which installed package translates a pair, with which tokens, and which share a model.

Issue 17. The models that translate Kurdish are multilingual and choose the language by a
token, which Argos packages spell in three places:

- metadata.json ``target_prefix`` (Argos 1.9+, one pair per package): the output is forced
  to start with it (NLLB's ``ckb_Arab``); the engine passes it to CTranslate2 and drops it,
  with its attention row, from what comes back;
- metadata.json ``source_prefix`` (ours): token(s) put before the source pieces (MADLAD's
  ``<2ckb>``, OPUS-MT's ``>>kmr<<``); their attention columns are cut off;
- the model's config.json ``add_source_bos`` + ``bos_token`` (NLLB's ``eng_Latn``) and
  ``add_source_eos``: CTranslate2 adds those itself and leaves their columns out.

Every such token of any package is ``special``: dropped from the output wherever a model
writes it (models/pieces.py). A pair is served by a package made for it first (a model
without language tokens), then a multilingual one, then a pivot through English; a real
package beats a demo one of either kind. With ``commercial_use`` on, a package whose
licence forbids it (any ``-NC``) is left out, and a pair it alone served is ``no_model``
with a reason that names the licence. Packages whose model directories have one digest
(models/digest.py) share one loaded model: four NLLB pairs cost one model's memory.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate.errors import NoModel
from syndicate.models.digest import file_digest, model_digest
from syndicate.models.packages import UNKNOWN_LICENSE, InstalledPackage, list_packages
from syndicate.news.languages import primary

PIVOT = "en"
_NONCOMMERCIAL = re.compile(r"(?:^|[-_ .])NC(?:[-_ .]|$)|non-?commercial", re.IGNORECASE)
_PLAIN_BOS = frozenset({"<s>", "</s>", "<pad>", "<unk>"})


def forbids_commercial(license_id: str) -> bool:
    """``CC-BY-NC-4.0``, ``CC-BY-NC-SA-4.0``, "non-commercial": not for commercial use."""
    return bool(_NONCOMMERCIAL.search(license_id))


@dataclass(frozen=True, slots=True)
class Tokens:
    """A package's language tokens: ``source_prefix`` goes before the source pieces,
    ``target_prefix`` is forced at the output's start; ``special`` (every language token
    the catalogue knows) never reaches the text."""

    source_prefix: tuple[str, ...] = ()
    target_prefix: tuple[str, ...] = ()
    special: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Entry:
    """An installed package as the engine uses it: its model's and vocabulary's digests,
    its tokens and its metadata.json."""

    package: InstalledPackage
    digest: str
    vocabulary: str
    tokens: Tokens
    metadata: Mapping[str, Any]

    @property
    def pair(self) -> tuple[str, str]:
        return primary(self.package.from_code), primary(self.package.to_code)

    @property
    def memory_name(self) -> str:
        """The translation memory's model key: the model's content, its vocabulary and
        tokens, and the pair. A model serving four languages never hands an Arabic
        segment to Turkish, and a changed model starts a fresh memory."""
        t = self.tokens
        content = f"{self.digest}|{self.vocabulary}|{t.source_prefix}|{t.target_prefix}"
        return f"{hashlib.sha256(content.encode()).hexdigest()[:20]}:{self.package.pair}"

    @property
    def refusal(self) -> str:
        p = self.package
        return f"{p.code} is {p.license}, which forbids commercial use (commercial_use is on)"


def _metadata(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / "metadata.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _source_token(path: Path) -> str | None:
    """The language token CTranslate2 adds before the source itself (config.json)."""
    try:
        config = json.loads((path / "model" / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    bos = config.get("bos_token") if isinstance(config, dict) else None
    if config.get("add_source_bos") and isinstance(bos, str) and bos not in _PLAIN_BOS:
        return bos
    return None


def _entry(package: InstalledPackage) -> Entry:
    path = package.path
    tokens = Tokens(tuple(package.source_prefix.split()), tuple(package.target_prefix.split()))
    sp = path / "sentencepiece.model"
    vocabulary = file_digest(sp) if sp.is_file() else ""
    return Entry(package, model_digest(path), vocabulary, tokens, _metadata(path))


def _rank(entry: Entry) -> tuple[bool, bool, str]:
    """Real before demo, made for the pair before multilingual, then by directory."""
    return entry.package.demo, entry.package.multilingual, entry.package.path.name


class Catalogue:
    """The installed packages of one models dir, and the choice of one per pair."""

    def __init__(self, packages: Sequence[InstalledPackage], commercial_use: bool) -> None:
        entries = [_entry(p) for p in packages]
        special = frozenset(
            token
            for e in entries
            for token in (
                *e.tokens.source_prefix,
                *e.tokens.target_prefix,
                *filter(None, [_source_token(e.package.path)]),
            )
        )
        self.entries = [
            Entry(e.package, e.digest, e.vocabulary, _with(e.tokens, special), e.metadata)
            for e in entries
        ]
        self.refused = [
            e for e in self.entries if commercial_use and forbids_commercial(e.package.license)
        ]
        best: dict[tuple[str, str], Entry] = {}
        for entry in sorted((e for e in self.entries if e not in self.refused), key=_rank):
            best.setdefault(entry.pair, entry)
        self.best = best

    @classmethod
    def scan(cls, models_dir: Path, commercial_use: bool = False) -> Catalogue:
        return cls(list_packages(models_dir), commercial_use)

    def route(self, source: str, target: str) -> tuple[Entry, ...]:
        """The package for the pair, or two through English; NoModel (naming a licence
        that left a package out) if none."""
        src, tgt = primary(source), primary(target)
        if src != tgt and (src, tgt) in self.best:
            return (self.best[(src, tgt)],)
        legs = [(src, PIVOT), (PIVOT, tgt)]
        if PIVOT not in (src, tgt) and all(leg in self.best for leg in legs):
            return self.best[legs[0]], self.best[legs[1]]
        wanted = {(src, tgt), *legs}
        refused = [e.refusal for e in self.refused if e.pair in wanted]
        raise NoModel(source, target, "; ".join(dict.fromkeys(refused)) or None)

    def shared(self) -> list[list[Entry]]:
        """Groups of two or more packages whose models are one (the same digest)."""
        groups: dict[str, list[Entry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.digest, []).append(entry)
        return [group for group in groups.values() if len(group) > 1]

    def unlicensed(self) -> list[Entry]:
        return [e for e in self.entries if e.package.license == UNKNOWN_LICENSE]

    def report(self) -> list[tuple[bool, str]]:
        """What an operator must know, as (is a warning, line): which packages share a
        model, which have no licence, which commercial use left out."""
        lines = [
            (False, f"one model ({g[0].digest[:12]}) serves {_codes(g)}") for g in self.shared()
        ]
        unknown = self.unlicensed()
        if unknown:
            lines.append((True, f"licence unknown (no metadata.json license): {_codes(unknown)}"))
        lines += [(True, f"not used: {e.refusal}") for e in self.refused]
        return lines


def _codes(entries: Sequence[Entry]) -> str:
    return ", ".join(f"{e.package.code} ({e.package.pair})" for e in entries)


def _with(tokens: Tokens, special: frozenset[str]) -> Tokens:
    return Tokens(tokens.source_prefix, tokens.target_prefix, special)
