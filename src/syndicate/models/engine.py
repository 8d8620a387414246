"""The translation engine: installed Argos packages run by CTranslate2 + SentencePiece.

Brief section 4, issue 17. One Engine per worker process, created after the fork
(CTranslate2 is not fork-safe). The catalogue (models/catalogue.py) chooses a pair's
package (or two, through English: models/pivot.py) and its language tokens. A model loads
on first use, under a lock, once per content digest whatever the number of pairs it serves
(a ``ctranslate2.Translator`` takes calls from several threads at once: CTranslate2's
docs/parallel.md), and its SentencePiece processor once per vocabulary; both stay loaded.
Every call sends all of its segments to a model in ONE ``translate_batch`` with attention,
and returns ``AlignedTranslation`` values (see alignment.py): source token offsets into the
original text, target token surfaces (models/pieces.py: no language token ever among
them), the argmax-attention alignment and the whole attention rows (of the layer and heads
models/attention.py chooses), prefix tokens' rows and columns cut off.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

from syndicate.config import Settings
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models import attention, pieces
from syndicate.models.catalogue import Catalogue, Entry, Tokens
from syndicate.models.device import resolve
from syndicate.models.pivot import compose
from syndicate.news.article import ModelInfo


@dataclass(frozen=True, slots=True)
class _Model:
    translator: Any  # ctranslate2.Translator
    sp: Any  # sentencepiece.SentencePieceProcessor
    tokens: Tokens


@dataclass(frozen=True, slots=True)
class _Decoded:
    pieces: list[str]
    alignment: list[int]
    rows: list[list[float]]  # over the chunk's source pieces, EOS and prefixes left out
    complete: bool


class Engine:
    """Translates batches of plain-text segments with the installed packages."""

    def __init__(
        self,
        models_dir: Path,
        *,
        intra_threads: int = 1,
        inter_threads: int = 1,
        beam_size: int = 4,
        max_segment_tokens: int = 200,
        attention_layer: str = attention.AUTO,
        commercial_use: bool = False,
        device: str = "cpu",
        compute_type: str = "int8",
    ) -> None:
        self.models_dir = models_dir
        self.attention_layer = attention.check_setting(attention_layer)
        self.intra_threads, self.inter_threads = intra_threads, inter_threads
        self.beam_size, self.max_segment_tokens = beam_size, max_segment_tokens
        self.commercial_use, self.device, self.compute_type = commercial_use, device, compute_type
        self._lock = threading.Lock()
        self._in_flight = 0
        self._translators: dict[tuple[str, tuple[int, int] | None], Any] = {}
        self._chosen: dict[tuple[Path, str, str], tuple[int, int] | None] = {}
        self._processors: dict[str, Any] = {}
        self._catalogue: tuple[int, Catalogue] | None = None

    def catalogue(self) -> Catalogue:
        """The installed packages, rescanned only when the models dir changes."""
        stamp = os.stat(self.models_dir).st_mtime_ns if self.models_dir.is_dir() else 0
        if self._catalogue is None or self._catalogue[0] != stamp:
            self._catalogue = (stamp, Catalogue.scan(self.models_dir, self.commercial_use))
        return self._catalogue[1]

    def models_for(self, source: str, target: str) -> tuple[ModelInfo, ...]:
        """The package chain for a pair: one, or two through English; NoModel if none."""
        return tuple(e.package.model_info() for e in self.catalogue().route(source, target))

    def memory_key(self, source: str, target: str) -> str:
        """What the translation memory keys the pair's segments by (Entry.memory_name)."""
        return ">".join(e.memory_name for e in self.catalogue().route(source, target))

    def preload(self, source: str, target: str) -> None:
        """Load the pair's models now (a worker child after fork), not at the first task."""
        for entry in self.catalogue().route(source, target):
            self._load(entry)

    def loaded(self) -> int:
        """How many models are loaded: one per digest, however many pairs use it."""
        return len({id(t) for t in self._translators.values()})

    def translator(self, source: str, target: str) -> SegmentTranslator:
        """A SegmentTranslator bound to a pair; raises NoModel now, not at first use."""
        self.catalogue().route(source, target)

        def translate(texts: Sequence[str]) -> list[AlignedTranslation]:
            return self.translate(source, target, texts)

        return translate

    def translate(self, source: str, target: str, texts: Sequence[str]) -> list[AlignedTranslation]:
        """Translate all ``texts`` with one batched call per model in the chain."""
        route = self.catalogue().route(source, target)
        results = self._run(self._load(route[0]), texts)
        if len(route) == 2:
            second = self._run(self._load(route[1]), [r.text for r in results])
            results = [compose(a, b) for a, b in zip(results, second, strict=True)]
        return results

    def _load(self, entry: Entry) -> _Model:
        with self._lock:
            sp = self._processors.get(entry.vocabulary)
            if sp is None:
                path = entry.package.path / "sentencepiece.model"
                sp = self._processors[entry.vocabulary] = spm.SentencePieceProcessor(
                    model_file=str(path)
                )
            return _Model(self._translator(entry, sp), sp, entry.tokens)

    def _translator(self, entry: Entry, sp: Any) -> Any:
        """The entry's model with the attention layer models/attention.py chooses (read
        once per package), loaded once per (digest, choice); a chosen layer that does not
        align falls back to the package's own."""
        package = (entry.package.path, entry.digest, str(entry.metadata.get("alignment")))
        if package not in self._chosen:
            model_dir = entry.package.path / "model"
            self._chosen[package] = attention.plan(
                model_dir,
                demo=entry.package.demo,
                setting=self.attention_layer,
                metadata=entry.metadata,
            )
        choice = self._chosen[package]
        key = (entry.digest, choice)
        if key not in self._translators:
            model_dir = entry.package.path / "model"
            files = attention.model_files(model_dir, choice) if choice is not None else None
            translator = self._open(model_dir, files)
            auto = self.attention_layer == attention.AUTO
            if choice is not None and auto and not attention.informative(translator, sp):
                own = (entry.digest, None)
                translator = self._translators.get(own) or self._open(model_dir, None)
                self._translators[own] = translator
            self._translators[key] = translator
        return self._translators[key]

    def _open(self, model_dir: Path, files: dict[str, bytes] | None) -> Any:
        return ctranslate2.Translator(
            str(model_dir),
            device=self.device,
            compute_type=self.compute_type,
            inter_threads=self.inter_threads,
            intra_threads=self.intra_threads,
            files=files,
        )

    def _run(self, model: _Model, texts: Sequence[str]) -> list[AlignedTranslation]:
        encoded = [
            pieces.encode(model.sp, t) if t.strip() else pieces.Encoded([], []) for t in texts
        ]
        owners: list[tuple[int, int]] = []
        batch: list[list[str]] = []
        for i, enc in enumerate(encoded):
            for start, end in pieces.chunks(enc.pieces, self.max_segment_tokens):
                owners.append((i, start))
                batch.append(enc.pieces[start:end])
        decoded = self._decode(model, batch)
        per_text: list[list[tuple[int, _Decoded]]] = [[] for _ in texts]
        for (i, start), result in zip(owners, decoded, strict=True):
            per_text[i].append((start, result))
        return [
            _assemble(model, text, enc, parts)
            for text, enc, parts in zip(texts, encoded, per_text, strict=True)
        ]

    @contextmanager
    def _call(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def _sub_batch(self, size: int) -> int:
        """Split a lone call over the replicas; when other calls run, they are busy already.

        Measured on 2 cores with two articles in flight: not splitting was 10-15% faster.
        """
        return -(-size // self.inter_threads) if self._in_flight <= 1 else 0

    def _decode(self, model: _Model, batch: list[list[str]]) -> list[_Decoded]:
        if not batch:
            return []
        with self._call():
            return self._decode_batch(model, batch)

    def _decode_batch(self, model: _Model, batch: list[list[str]]) -> list[_Decoded]:
        """One ``translate_batch``: the source prefix before each chunk, the target prefix
        forced; both are cut off what comes back, by position."""
        lead, forced = model.tokens.source_prefix, list(model.tokens.target_prefix)
        longest = max(len(chunk) for chunk in batch)
        results = model.translator.translate_batch(
            [[*lead, *chunk] for chunk in batch],
            target_prefix=[forced] * len(batch) if forced else None,
            beam_size=self.beam_size,
            return_attention=True,
            return_end_token=True,
            max_input_length=0,
            max_decoding_length=2 * longest + 10 + len(forced),
            max_batch_size=self._sub_batch(len(batch)),
        )
        # CTranslate2 4.8 returns, at step 0 of a batched beam search, another sentence's
        # row (docs/models.md): no evidence beats wrong evidence. With a target prefix
        # step 0 is the prefix's, which is cut off anyway.
        scrambled = len(batch) > 1 and self.beam_size > 1 and not forced
        return [
            _decoded(chunk, result, len(lead), len(forced), scrambled)
            for chunk, result in zip(batch, results, strict=True)
        ]


def _decoded(chunk: list[str], result: Any, lead: int, forced: int, scrambled: bool) -> _Decoded:
    """One hypothesis without its prefix tokens, rows and columns, and without EOS."""
    found = list(result.hypotheses[0])[forced:]
    rows = list(result.attention[0])[forced:]
    complete = bool(found) and found[-1] == "</s>"
    if complete:
        found, rows = found[:-1], rows[:-1]
    kept = [list(row[lead : lead + len(chunk)]) for row in rows]
    if scrambled and kept:
        kept[0] = [0.0] * len(chunk)
    return _Decoded(found, [pieces.aligned(row, len(chunk)) for row in kept], kept, complete)


def _assemble(
    model: _Model, text: str, enc: pieces.Encoded, parts: list[tuple[int, _Decoded]]
) -> AlignedTranslation:
    """Join a segment's chunks back into one translation, alignments shifted."""
    found: list[str] = []
    shifted: list[int] = []
    rows: list[list[float]] = []
    width = len(enc.pieces)
    for start, part in parts:
        found += part.pieces
        shifted += [a + start if a >= 0 else -1 for a in part.alignment]
        rows += [[0.0] * start + r + [0.0] * (width - start - len(r)) for r in part.rows]
    tokens, alignment, attention_rows = pieces.surfaces(
        model.sp, found, shifted, rows, model.tokens.special
    )
    return AlignedTranslation(
        source=text,
        source_tokens=tuple(enc.spans),
        target_tokens=tuple(tokens),
        alignment=tuple(alignment),
        complete=all(part.complete for _, part in parts),
        attention=tuple(attention_rows),
    )


def engine_from(s: Settings) -> Engine:
    """The engine with the configured threads, beam, segment limit, licences and device."""
    device, compute_type = resolve(s.device, s.compute_type)
    return Engine(
        s.models_dir,
        intra_threads=s.intra_threads,
        inter_threads=s.inter_threads,
        beam_size=s.beam_size,
        max_segment_tokens=s.max_segment_tokens,
        attention_layer=s.attention_layer,
        commercial_use=s.commercial_use,
        device=device,
        compute_type=compute_type,
    )
