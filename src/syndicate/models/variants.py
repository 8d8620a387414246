"""Gloss variants that behave like trained models: noisy reported attention, reordering.

Issue 11. A trained Transformer's cross-attention is not the diagonal of a gloss model: the
argmax of the head an aligner reads is wrong for a quarter to a half of the target tokens,
mostly on a neighbour or on an "attention sink" (punctuation, function words, EOS), and
some language pairs really change word order. The variants reproduce that with weights set
by hand, so the true alignment stays known exactly:

- **noise**: decoder layer 0 still copies (the translation is byte for byte the clean
  model's), and a second decoder layer, whose cross-attention writes nothing back (its
  output projection is noise), is the one CTranslate2 reports (``alignment_layer=1``,
  ``alignment_heads=1``). Its heads (all alike) score source ``s`` at step ``t`` as
  ``tau * (w_t(s) + sigma_t * sink(s))``: ``w_t`` is a per-step weight on ``t`` and one
  neighbour ``t +- 1`` read from a query code in the decoder's learned position table,
  ``sink(s)`` a strength in the source token's class code. For a ``misaligned`` share of
  the steps (drawn per build, every prefix of a sentence holding its share) the neighbour
  and the sinks outweigh ``t``; elsewhere they only take some mass. A token-dependent term
  (the copied token's code, through a random map) jitters the rows and decides, per word,
  whether a misaligned step lands on the neighbour or on a sink.
- **reorder**: encoder layer 0 computes for each source position the target position it is
  emitted at, and decoder layer 0 matches against that code instead of the position. A
  word of class ``first`` followed by one of class ``second`` swap (adjective-noun from
  English, noun-adjective into English), so the reported attention is that permutation.

The extra codes live in 64-wide slots after the copied-token code (see ``Slots``). Position
codes here are orthonormal within blocks of 61 positions and leave the slot's last three
dimensions zero, so a head's dimensions 61..63 carry class signals that no position code
interferes with, and every score above is exact, not approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from syndicate.errors import ModelPackageInvalid

HEAD_DIM = 64  # one attention head; a position code and each extra slot are one head wide
CODE_DIM = 61  # position codes: orthonormal, zero-mean, in the slot's first 62 dimensions
SIGNAL = 62  # the head dimension class signals use (position codes are zero there)
LEVELS = {"mild": 0.12, "moderate": 0.30, "heavy": 0.45}
TAU = 4.5  # logit per unit of score in the reported head: rows are soft, like trained ones
SHARP = 20.0  # logit per unit of margin where a decision must be one-hot (reordering)
NEIGHBOUR_SHARE = 2 / 3  # of the misaligned steps (SINK_MIX aims at it); the rest: a sink
JITTER = 1.0  # weight of the token-dependent term in the reported head's query
SINK_MIX = 0.92  # sink weight of a misaligned step: a sink wins about one time in three

FloatArray = np.ndarray

# Class codes (the class slot): axis pairs (+1, -1)/sqrt(2), so zero-mean, unit, orthogonal.
NONE, FIRST, SECOND, SINK = range(4)


@dataclass(frozen=True, slots=True)
class Variant:
    """How a gloss model departs from the clean diagonal; ``Variant()`` is the clean one.

    ``misaligned`` is the fraction of target tokens whose reported argmax is not their true
    source token, ``reorder`` swaps first/second-class word pairs in the output.
    """

    misaligned: float = 0.0
    reorder: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.misaligned <= 0.6:
            raise ModelPackageInvalid(f"noise level {self.misaligned} outside 0..0.6")

    @property
    def clean(self) -> bool:
        return self == Variant()

    @property
    def noisy(self) -> bool:
        return self.misaligned > 0.0

    @property
    def label(self) -> str:
        """``clean``, ``noisy30``, ``reorder`` or ``reorder-noisy30``: names and versions."""
        parts = ["reorder"] if self.reorder else []
        parts += [f"noisy{round(self.misaligned * 100):02d}"] if self.noisy else []
        return "-".join(parts) or "clean"

    def describe(self) -> dict[str, object]:
        """What metadata.json records, so a benchmark knows what it measures against."""
        return {
            "label": self.label,
            "misaligned": self.misaligned,
            "neighbour": round(self.misaligned * NEIGHBOUR_SHARE, 4),
            "sink": round(self.misaligned * (1 - NEIGHBOUR_SHARE), 4),
            "alignment_layer": 1 if self.noisy else 0,
            "reorder": "first-second word pairs swap" if self.reorder else "none",
            "true_alignment": "permutation" if self.reorder else "diagonal",
        }


CLEAN = Variant()


def parse_level(text: str) -> float:
    """``mild``, ``moderate``, ``heavy`` or a fraction such as ``0.2``."""
    if text in LEVELS:
        return LEVELS[text]
    try:
        return float(text)
    except ValueError:
        names = ", ".join(LEVELS)
        raise ModelPackageInvalid(f"noise level {text!r}: use {names} or a fraction") from None


@dataclass(frozen=True, slots=True)
class WordClasses:
    """Source piece ids by class: the reorder pair's two classes and the sinks' strengths."""

    first: frozenset[int] = frozenset()
    second: frozenset[int] = frozenset()
    sinks: dict[int, float] = field(default_factory=dict)

    def codes(self, vocab_size: int) -> FloatArray:
        """One unit class code per piece (``NONE`` unless listed): keeps LayerNorm constant."""
        out = np.tile(axis_code(NONE), (vocab_size, 1))
        for ids, kind in ((self.first, FIRST), (self.second, SECOND)):
            out[sorted(ids)] = axis_code(kind)
        for piece, strength in self.sinks.items():
            out[piece] = strength * axis_code(SINK) + math.sqrt(1 - strength**2) * axis_code(NONE)
        return out.astype(np.float32)


NO_CLASSES = WordClasses()  # the clean model needs none


def axis_code(kind: int) -> FloatArray:
    code = np.zeros(HEAD_DIM, dtype=np.float32)
    code[2 * kind], code[2 * kind + 1] = math.sqrt(0.5), -math.sqrt(0.5)
    return code


def position_codes(rng: np.random.Generator, count: int) -> FloatArray:
    """Zero-mean unit codes, exactly orthonormal within each block of 61 positions."""
    out = np.zeros((count, HEAD_DIM), dtype=np.float32)
    for start in range(0, count, CODE_DIM):
        basis = rng.standard_normal((CODE_DIM + 1, CODE_DIM))
        basis -= basis.mean(axis=0, keepdims=True)
        q, _ = np.linalg.qr(basis)
        rows = min(CODE_DIM, count - start)
        out[start : start + rows, : CODE_DIM + 1] = q.T[:rows]
    return out


@dataclass(frozen=True, slots=True)
class Step:
    """The reported head's score recipe for one decoder step."""

    own: float  # weight on the true source position
    other: float  # weight on the neighbour
    offset: int  # which neighbour: +1 or -1
    sink: float  # weight on sink strength


def _misaligned_steps(rng: np.random.Generator, count: int, share: float) -> list[bool]:
    """Which steps are misaligned: a step is while the misaligned total is behind ``share``
    of the steps so far (less a random dither), so every prefix of a sentence is within
    one step of its share, without a periodic pattern."""
    flags, total = [], 0
    for t, dither in enumerate(rng.random(count).tolist()):
        flags.append(total < share * (t + 1) - dither)
        total += flags[-1]
    return flags


def steps(variant: Variant, seed: int, count: int) -> list[Step]:
    """Each decoder step's recipe: a ``misaligned`` share of the steps point elsewhere.

    A misaligned step weighs the true token 0 and balances the neighbour (1.0) against the
    sentence's strongest sink (``SINK_MIX`` x its strength): the token-dependent jitter
    decides between them, about one in three to the sink (``NEIGHBOUR_SHARE``), so the
    split follows the words, not the positions.
    """
    rng = np.random.default_rng(seed)
    wrong = _misaligned_steps(rng, count, variant.misaligned)
    out = []
    for t, (side, smear) in enumerate(rng.random((count, 2)).tolist()):
        offset = -1 if side < 0.5 and t > 0 else 1
        if wrong[t]:
            out.append(Step(0.0, 1.0, offset, SINK_MIX))
        else:
            out.append(Step(1.0, 0.1 + 0.35 * smear, offset, 0.25))
    return out


def query_codes(recipes: list[Step], positions: FloatArray) -> FloatArray:
    """The decoder's query slot per step: its recipe over the (target-order) position codes.

    The sink weight sits in the SIGNAL pair as (+w, -w)/sqrt(2): zero-mean, like every code.
    """
    count = len(recipes)
    out = np.zeros((count, HEAD_DIM), dtype=np.float32)
    for t, r in enumerate(recipes):
        other = min(max(t + r.offset, 0), count - 1)
        out[t] = r.own * positions[t] + r.other * positions[other]
        out[t, SIGNAL] += r.sink * math.sqrt(0.5)
        out[t, SIGNAL + 1] -= r.sink * math.sqrt(0.5)
    return out


@dataclass(frozen=True, slots=True)
class Slots:
    """Where each code lives in d_model: token, position, copied token (the clean model's
    three), then the variants' 64-wide slots: class, query (noise), next and target
    (reorder). A slot the variant does not need is None."""

    token: slice
    position: slice
    copied: slice
    classes: slice | None = None
    query: slice | None = None
    next: slice | None = None
    target: slice | None = None

    @classmethod
    def plan(cls, token_width: int, variant: Variant) -> Slots:
        t = token_width
        base = {"token": slice(0, t), "position": slice(t, t + HEAD_DIM)}
        base["copied"] = slice(t + HEAD_DIM, 2 * t + HEAD_DIM)
        wanted = [] if variant.clean else ["classes"]
        wanted += ["query"] if variant.noisy else []
        wanted += ["next", "target"] if variant.reorder else []
        start = 2 * t + HEAD_DIM
        for name in wanted:
            base[name] = slice(start, start + HEAD_DIM)
            start += HEAD_DIM
        return cls(**base)

    @property
    def width(self) -> int:
        extra = (self.classes, self.query, self.next, self.target)
        return max(int(s.stop) for s in (self.copied, *extra) if s is not None)

    @property
    def key(self) -> slice:
        """What decoder cross-attention matches: the target-order code when reordering."""
        return self.target or self.position

    @property
    def encoder_codes(self) -> int:
        """Unit codes summed in the encoder output: fixes its LayerNorm scale."""
        return 2 + sum(s is not None for s in (self.classes, self.next, self.target))


def _head(h: int) -> slice:
    return slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)


def _start(where: slice, width: int = HEAD_DIM) -> slice:
    return slice(where.start, where.start + width)


def reorder_layer(qkv: FloatArray, out: FloatArray, slots: Slots, d_model: int) -> None:
    """Encoder self-attention whose output is each source position's target position code.

    Head 0 (first-class words look ahead) scores s -> s as a, s -> s+1 as b plus cd when s
    is first-class and s+1 second-class, any other second-class word cd: with a = b + cd/2
    and b > cd/2 it picks s+1 exactly for a swapped pair, else s. Head 1 mirrors it for
    second-class words looking back; head 2 attends to s itself. Their values are the
    attended position codes, written to the target slot as head0 + head1 - head2, which is
    ``P(s+1)``, ``P(s-1)`` or ``P(s)``.
    """
    assert slots.next is not None and slots.target is not None and slots.classes is not None
    a, b, c, d = 6.0, 4.0, 2.0, 2.0
    scale = math.sqrt(d_model / (slots.encoder_codes - 1))  # the input has no target code yet
    gain = 8 * SHARP / scale**2
    eye = np.eye(HEAD_DIM, dtype=np.float32)
    query, key, value = (qkv[i * d_model : (i + 1) * d_model] for i in range(3))
    for h, (mine, theirs) in enumerate(((FIRST, SECOND), (SECOND, FIRST))):
        asks, finds = query[_head(h)], key[_head(h)]
        # Head 0 asks for s and s+1; head 1's keys offer s' and s'+1 (so s' = s-1 matches).
        ahead, plain = (asks, finds) if h == 0 else (finds, asks)
        reach = gain if h == 0 else 1.0
        ahead[:, slots.position] = reach * a * eye
        ahead[:, slots.next] = reach * b * eye
        plain[:, slots.position] = (gain / reach) * eye
        asks[SIGNAL, slots.classes] += gain * c * axis_code(mine)
        finds[SIGNAL, slots.classes] += d * axis_code(theirs)
    query[_head(2), slots.position] = 2 * gain * eye
    key[_head(2), slots.position] = eye
    for h, sign in enumerate((1.0, 1.0, -1.0)):
        value[_head(h), slots.position] = eye
        out[slots.target, _head(h)] = sign * eye / scale


def reported_head(
    query: FloatArray, key_value: FloatArray, slots: Slots, d_model: int, jitter: FloatArray
) -> None:
    """The reporting layer's cross-attention: ``tau * (w_t(s) + sigma_t sink(s))`` in every
    head, so the rows are the same whichever heads an engine averages.

    The query reads the decoder's query slot (and, through ``jitter``, the copied token's
    code); the key reads the source's position (or target-order) code and, in the SIGNAL
    dimension, its class code's sink strength. Gains undo both LayerNorm scales.
    """
    assert slots.query is not None and slots.classes is not None
    encoder_scale = math.sqrt(d_model / slots.encoder_codes)
    decoder_scale = math.sqrt(d_model / (2.2 + encoder_scale**2))  # P, query code, copy
    gain = 8 * TAU / (encoder_scale * decoder_scale)
    eye = np.eye(CODE_DIM + 1, dtype=np.float32)
    rows = slice(0, CODE_DIM + 1)
    query[rows, _start(slots.query, CODE_DIM + 1)] = gain * eye
    query[SIGNAL, slots.query.start + SIGNAL] = gain * math.sqrt(0.5)
    query[SIGNAL, slots.query.start + SIGNAL + 1] = -gain * math.sqrt(0.5)
    query[rows, slots.copied] += gain * JITTER / encoder_scale * jitter
    key_value[rows, _start(slots.key, CODE_DIM + 1)] = eye
    key_value[SIGNAL, slots.classes] = axis_code(SINK)
    for h in range(1, d_model // HEAD_DIM):  # every head alike: averaging heads changes nothing
        query[_head(h)] = query[_head(0)]
        key_value[_head(h)] = key_value[_head(0)]
