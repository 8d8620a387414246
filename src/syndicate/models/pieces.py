"""SentencePiece pieces to and from text: character offsets of the source pieces, chunks
cut where words start, and the target pieces turned into token strings.

No special token reaches the text: a control piece, a language token a package declares
(MADLAD's ``<2ckb>`` is a SentencePiece piece) and a piece SentencePiece does not know that
is shaped like one (NLLB's ``ckb_Arab`` is in CTranslate2's vocabulary only) are dropped by
token, wherever a model writes them. A
piece's ``_`` is text: only ``▁`` (U+2581) is a space (Argos's decoder turns every ``_``
into a space, which ruins URLs and handles and lets ``ckb_Arab`` leak as ``ckb Arab``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SPACE = "\u2581"
UNKNOWN = " \u2047 "
# What special tokens look like: <2ckb>, <mask>, >>kmr<<, __ckb__, NLLB's ckb_Arab. A
# piece SentencePiece does not know and shaped so is one; any other is text (a Marian
# model's target pieces are not in its source SentencePiece model).
_TOKEN_SHAPE = re.compile(r"<[^<>\s]+>|>>[^<>\s]+<<|__[a-z_]+__|[a-z]{3}_[A-Z][a-z]{3}")


@dataclass(frozen=True, slots=True)
class Encoded:
    pieces: list[str]
    spans: list[tuple[int, int]]


def _char_index(text: str) -> list[int]:
    """Byte offset -> character offset: SentencePiece reports UTF-8 byte offsets."""
    table: list[int] = []
    for i, ch in enumerate(text):
        table.extend([i] * len(ch.encode("utf-8")))
    table.append(len(text))
    return table


def encode(sp: Any, text: str) -> Encoded:
    """``text``'s pieces with the character span of each."""
    try:
        proto = sp.encode(text, out_type="proto")
    except ValueError:  # sentencepiece < 0.2.1 names it immutable_proto
        proto = sp.encode(text, out_type="immutable_proto")
    index = _char_index(text)
    pieces = [p.piece for p in proto.pieces]
    spans = [(index[p.begin], index[p.end]) for p in proto.pieces]
    for k in range(len(pieces) - 2, -1, -1):
        # Leading bytes of one character come back empty; give them the character's span.
        begin, end = spans[k]
        if begin == end and byte(pieces[k]) is not None and spans[k + 1][0] == begin:
            spans[k] = spans[k + 1]
    return Encoded(pieces, spans)


def chunks(pieces: Sequence[str], limit: int) -> list[tuple[int, int]]:
    """[start, end) piece ranges of at most ``limit``, cut only where a word starts.

    A single word longer than the limit is the one case cut inside a word (at a piece).
    """
    starts = [i for i, p in enumerate(pieces) if i == 0 or p.startswith(SPACE)]
    bounds, start = [], 0
    while start < len(pieces):
        if len(pieces) - start <= limit:
            bounds.append((start, len(pieces)))
            break
        k = bisect.bisect_right(starts, start + limit) - 1
        end = starts[k] if starts[k] > start else _inside_word(pieces, start, start + limit)
        bounds.append((start, end))
        start = end
    return bounds


def _inside_word(pieces: Sequence[str], start: int, end: int) -> int:
    """Back off a forced cut so it never splits the bytes of one UTF-8 character."""
    cut = end
    while cut > start + 1 and 0x80 <= (byte(pieces[cut]) or 0) <= 0xBF:
        cut -= 1
    return cut


def aligned(row: Sequence[float], n_source: int) -> int:
    """Argmax of one attention row over the source; -1 when EOS (or nothing) wins.

    CTranslate2 leaves the EOS column out, so the mass it got is what the row lacks (a
    source prefix's columns, cut off, count the same way).
    """
    usable = list(row[:n_source])
    if not usable:
        return -1
    best = max(range(len(usable)), key=usable.__getitem__)
    eos_mass = row[n_source] if len(row) > n_source else 1.0 - sum(usable)
    return -1 if eos_mass > usable[best] else best


def byte(piece: str) -> int | None:
    if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
        return int(piece[3:5], 16)
    return None


@dataclass(slots=True)
class _Tokens:
    """Target tokens being built: byte pieces wait until they make whole characters
    (their link the first byte's, their attention row the bytes' mean)."""

    tokens: list[str] = field(default_factory=list)
    aligned: list[int] = field(default_factory=list)
    rows: list[tuple[float, ...]] = field(default_factory=list)
    pending: bytes = b""
    pending_at: int = -1
    pending_rows: list[Sequence[float]] = field(default_factory=list)

    def add(self, text: str, at: int, row: Sequence[float]) -> None:
        self.flush()
        self.tokens.append(text)
        self.aligned.append(at)
        self.rows.append(tuple(row))

    def add_byte(self, value: int, at: int, row: Sequence[float]) -> None:
        self.pending_at = self.pending_at if self.pending else at
        self.pending += bytes([value])
        self.pending_rows.append(row)
        try:
            self.pending.decode("utf-8")
        except UnicodeDecodeError:
            if len(self.pending) < 4:
                return
        self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending_rows = self.pending_rows, []
        text, self.pending = self.pending.decode("utf-8", errors="replace"), b""
        self.tokens.append(text)
        self.aligned.append(self.pending_at)
        self.rows.append(tuple(sum(col) / len(rows) for col in zip(*rows, strict=True)))


def surfaces(
    sp: Any,
    pieces: Sequence[str],
    alignment: Sequence[int],
    rows: Sequence[Sequence[float]],
    special: frozenset[str] = frozenset(),
) -> tuple[list[str], list[int], list[tuple[float, ...]]]:
    """Target token strings (``▁`` is a space), their links and rows; byte pieces grouped
    into whole characters; control pieces, ``special`` tokens (the packages' language
    tokens) and unknown pieces shaped like tokens dropped (module docstring)."""
    out = _Tokens()
    unknown = sp.unk_id()
    unknown_piece = sp.id_to_piece(unknown)
    for piece, at, row in zip(pieces, alignment, rows, strict=True):
        value = byte(piece)
        piece_id = sp.piece_to_id(piece)
        if value is not None:
            out.add_byte(value, at, row)
        elif piece in special or sp.is_control(piece_id):
            out.flush()
        elif piece == unknown_piece:
            out.add(UNKNOWN, at, row)
        elif piece_id == unknown and _TOKEN_SHAPE.fullmatch(piece):
            out.flush()  # in CTranslate2's vocabulary only: a language token
        else:
            out.add(piece.replace(SPACE, " "), at, row)
    out.flush()
    if out.tokens and out.tokens[0].startswith(" "):
        out.tokens[0] = out.tokens[0][1:]
    return out.tokens, out.aligned, out.rows
