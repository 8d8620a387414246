"""What the attention rows say about where each target token came from, made robust to the
way real Transformer attention goes wrong (issue 11).

Vanilla cross-attention (no guided alignment) puts a quarter to a half of the target tokens'
argmax on the wrong source token: mostly a neighbour (the mass is smeared over t-1, t, t+1),
often an attention sink (punctuation, function words, EOS). The argmax alone is therefore
not evidence enough. ``weigh`` turns the whole rows into a posterior alignment:

- EOS: CTranslate2 leaves the EOS column out, so a row's missing mass went there. A row is
  trusted in proportion to the mass it kept; the rest of it is spread evenly (no opinion).
- Sinks: a column that draws far more mass than one target token's worth (its fair share
  is n_target / n_source) is a sink; it is divided by its excess, so the rows that fell into
  it keep their second choice.
- Lexical anchors: a target token equal to a source token (numbers, names, URLs, protected
  and glossary terms, pieces copied through) almost surely came from one of those source
  tokens; the row is pinned to them, hard for tokens with a digit, a capital or four
  letters, softly for short common pieces.
- Context: a hidden Markov model over source positions (emissions: the cleaned rows; jumps:
  +1 most likely, then 0, +2, -1, any other jump rarely, as in Vogel et al. 1996) whose
  forward-backward posterior settles a smeared row by its neighbours, while a phrase moved
  elsewhere (en -> ar, en -> tr word order) costs one jump in and one out.

Pure numpy over small matrices (n_target x n_source per segment, only for segments that
hold inline spans): a fraction of a millisecond per segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

_CLEAN: Final = 0.99  # every row this peaked: the links say it all
_FLOOR: Final = 0.005  # any source token stays possible: a wrong peak can be overruled
_HARD: Final = 200.0  # weight of an anchor's candidates: names, numbers, long words
_SOFT: Final = 6.0  # ... and of short lowercase pieces, which repeat by chance
# Jump probabilities by distance (next source position minus this one), unnormalised: for
# a token that starts a target word, and for one that continues it (``Peshmerga`` split in
# pieces: they come from the same source word, or its next piece). A new target word on
# the same source word as the last one is rare (0.03): that is what lets a neighbour's
# attention smear not pull two target words onto one source word (measured with
# benchmarks/fidelity.py: 0.3 there cost 5-8 points of exact placement under noise).
_JUMPS: Final = {1: 1.0, 0: 0.03, 2: 0.2, -1: 0.15, 3: 0.1, -2: 0.08}
_JOINED: Final = {0: 1.0, 1: 0.5, 2: 0.1, -1: 0.05}
_FAR: Final = 0.03
_START: Final = 0.1  # a sentence may open on any source word (a moved phrase)


@dataclass(frozen=True, slots=True)
class Found:
    """The posterior alignment: ``weights[t, j]`` is P(target token t came from source
    token j); ``links[t]`` its most likely source token."""

    links: tuple[int, ...]
    weights: np.ndarray


def rows(tr: Any) -> np.ndarray | None:
    """``tr.attention`` as an n_target x n_source matrix, or None when it is absent or does
    not match the tokens (then only the links are evidence)."""
    n_t, n_s = len(tr.target_tokens), len(tr.source_tokens)
    if not tr.attention or len(tr.attention) != n_t or n_s == 0:
        return None
    if any(len(row) != n_s for row in tr.attention):
        return None
    matrix = np.clip(np.asarray(tr.attention, dtype=float), 0.0, 1.0)
    return matrix if matrix.sum() > 0 else None


def dense(tr: Any) -> np.ndarray:
    """The rows of ``tr``, or one-hot rows from its links (zero where -1) when it reports
    none: the form a pivot's two translations compose in."""
    found = rows(tr)
    if found is not None:
        return found
    n_s = len(tr.source_tokens)
    out = np.zeros((len(tr.target_tokens), n_s))
    for t, j in enumerate(tr.alignment[: len(tr.target_tokens)]):
        if 0 <= j < n_s:
            out[t, j] = 1.0
    return out


def weigh(words: Sequence[str], tokens: Sequence[str], matrix: np.ndarray | None) -> Found | None:
    """The posterior alignment of ``tokens`` (target) onto ``words`` (source), or None
    when there is no attention to read, or it is one-hot on every row."""
    if matrix is None or not len(tokens) or bool(np.all(matrix.max(axis=1) >= _CLEAN)):
        return None  # clean attention (a gloss model) is its own argmax: links suffice
    # (A row with no mass, such as the engine's step 0 of a batched beam search, is not
    # clean: the model below infers it from its neighbours and what is left uncovered.)
    emissions = _anchored(words, tokens, _emissions(matrix))
    glued = [t > 0 and joined(tokens[t - 1], tokens[t]) for t in range(len(tokens))]
    weights = _posterior(emissions, glued)
    return Found(tuple(int(j) for j in weights.argmax(axis=1)), weights)


def best_run(scores: np.ndarray, share: np.ndarray) -> tuple[int, int] | None:
    """The contiguous run with the highest total score (Kadane), its ends on tokens that
    score above zero; on a tie the longer run (a gap of one stray token between two of the
    span's tokens is bridged, as the hull would). None when no token scores above zero,
    unless one token still holds a quarter of the span: that one alone."""
    best, run = 0.0, None
    total, start = 0.0, 0
    for t, score in enumerate(scores):
        if total < 0:
            total, start = 0.0, t
        total += float(score)
        if score > 0 and total >= best - 1e-9:
            best, run = max(best, total), (start, t + 1)
    if run is not None:
        lo, hi = run
        while lo < hi and scores[lo] <= 0:
            lo += 1
        return lo, hi
    if len(share) and float(share.max()) >= 0.25:
        top = int(share.argmax())
        return top, top + 1
    return None


def _emissions(matrix: np.ndarray) -> np.ndarray:
    """Rows trusted by the mass they kept from EOS, sink columns divided by their excess;
    what a row lost to EOS goes to the source tokens the other rows leave uncovered (a
    token with no evidence most likely translates a word nobody else took)."""
    n_t, n_s = matrix.shape
    kept = np.clip(matrix.sum(axis=1, keepdims=True), 0.0, 1.0)
    columns = matrix.sum(axis=0, keepdims=True)
    fair = max(1.0, n_t / n_s)
    cleaned = matrix / np.maximum(1.0, columns / fair)
    sums = cleaned.sum(axis=1, keepdims=True)
    shape = np.where(sums > 0, cleaned / np.where(sums > 0, sums, 1.0), 1.0 / n_s)
    others = columns - matrix  # each row's view of what the rest covers
    open_ = np.clip(fair - others, 0.05, None)
    open_ /= open_.sum(axis=1, keepdims=True)
    out: np.ndarray = kept * shape + (1.0 - kept) * open_ + _FLOOR
    return out


def _anchored(words: Sequence[str], tokens: Sequence[str], emissions: np.ndarray) -> np.ndarray:
    """Rows of target tokens that equal a source token pinned to those source tokens."""
    where: dict[str, list[int]] = {}
    for j, word in enumerate(words):
        if word:
            where.setdefault(word, []).append(j)
    out = emissions.copy()
    for t, token in enumerate(tokens):
        found = where.get(token.strip())
        if found:
            out[t, found] *= _strength(token.strip())
    normalised: np.ndarray = out / out.sum(axis=1, keepdims=True)
    return normalised


def _strength(word: str) -> float:
    specific = any(c.isdigit() or c.isupper() for c in word) or len(word) >= 4
    return _HARD if specific else _SOFT


def joined(left: str, right: str) -> bool:
    """Two target tokens written as one word: no space between, letters on both sides."""
    return bool(left) and bool(right) and left[-1].isalnum() and right[0].isalnum()


def _jumps(n_s: int, table: dict[int, float]) -> np.ndarray:
    """``jumps[i, j]``: P(next source position j | this one i), rows normalised."""
    distance = np.arange(n_s)[None, :] - np.arange(n_s)[:, None]
    out = np.full((n_s, n_s), _FAR)
    for d, p in table.items():
        out[distance == d] = p
    normalised: np.ndarray = out / out.sum(axis=1, keepdims=True)
    return normalised


def _posterior(emissions: np.ndarray, glued: Sequence[bool]) -> np.ndarray:
    """Forward-backward, scaled per step; the start behaves as a jump from position -1.
    ``glued[t]``: token t continues the word of token t - 1."""
    n_t, n_s = emissions.shape
    tables = {False: _jumps(n_s, _JUMPS), True: _jumps(n_s, _JOINED)}
    start = np.array([max(_JUMPS.get(j + 1, _FAR), _START) for j in range(n_s)])
    forward = np.empty((n_t, n_s))
    alpha = start / start.sum() * emissions[0]
    forward[0] = alpha / alpha.sum()
    for t in range(1, n_t):
        alpha = (forward[t - 1] @ tables[glued[t]]) * emissions[t]
        forward[t] = alpha / alpha.sum()
    backward = np.ones(n_s)
    posterior = np.empty((n_t, n_s))
    for t in range(n_t - 1, -1, -1):
        joint = forward[t] * backward
        posterior[t] = joint / joint.sum()
        if t:
            beta = tables[glued[t]] @ (emissions[t] * backward)
            backward = beta / beta.sum()
    return posterior
