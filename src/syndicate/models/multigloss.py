"""Multilingual gloss weights: one Transformer that glosses into several languages, the
language chosen by a token, as NLLB-200 (a forced target prefix, ``ckb_Arab``) and
MADLAD-400 (a source token, ``<2ckb>``) choose it.

Issue 17. gloss.py's copying model (token, position and copied-token codes; decoder layer 0
cross-attention copies source piece t at step t) with three additions:

- two 64-wide slots after the copied-token code: ``lang_in``, a piece's own language (an
  axis code for a language token, ``NONE`` for every other piece, in the encoder's and the
  decoder's embeddings), and ``lang``, the language the decoder writes;
- a language head, the model's last head, whose query is a constant (its bias) and whose
  key is 1 where ``lang_in`` holds a language and 0 elsewhere: it finds the one language
  token and writes its code into ``lang``. In decoder self-attention for a target prefix
  (``</s> ckb_Arab ...``: the prefix is the decoder's input at step 1), in cross-attention
  for a source token (``<2ckb> ...``; the decoder's position codes are shifted by one so
  that step t copies source piece t + 1 and the token itself is never copied);
- FFN units, one per (lexicon word, language), each ReLU(similarity to the copied token +
  similarity to the language - threshold): only both together fire it, and it rewrites the
  copied code into the target word's. The output projection is the identity.

Int8 on a CPU with AVX2 but no VNNI multiplies neighbouring input dimensions in pairs and
adds each pair in 16 bits (``vpmaddubsw``), which saturates when two weights side by side
are large and of one sign. Every hand-set row here is laid out so that cannot happen: token
and language codes are antisymmetric pairs ``(+a, -a)`` (a zero-mean code, and a pair sum
bounded by 255 x 127), copying rows have one weight each, and the FFN units sit on even
indices with an empty unit beside each.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from ctranslate2.converters import Converter
from ctranslate2.specs import TransformerSpec

from syndicate.models.gloss import (
    OUTPUT_SCALE,
    QUERY_SCALE,
    Preset,
    Weights,
    fill_decoder,
    fill_encoder,
    unit_codes,
)
from syndicate.models.variants import CLEAN, HEAD_DIM, axis_code

FloatArray = np.ndarray
NONE = 0  # the language kind of every piece that is not a language token
LANGUAGE_MARGIN = 30.0  # the language head's logit for the language token over the rest


@dataclass(frozen=True, slots=True)
class Unit:
    """One lexicon entry of one language: ``source`` becomes ``target`` when the decoder
    writes language ``kind`` (1-based: the index of its token in ``language_tokens`` + 1)."""

    source: int
    kind: int
    target: int


def shaped(preset: Preset, units: int) -> Preset:
    """The preset with room for the two language slots and an FFN of two columns a unit."""
    d_model = 2 * preset.token_width + 3 * HEAD_DIM
    ffn = max(preset.ffn, 2 * units)
    return replace(preset, d_model=d_model, heads=d_model // HEAD_DIM, ffn=ffn)


def pair_codes(rng: np.random.Generator, count: int, width: int) -> FloatArray:
    """Random unit codes made of antisymmetric pairs: zero-mean, and int8-safe beside
    each other (module docstring)."""
    half = unit_codes(rng, count, width // 2)
    out = np.zeros((count, width), dtype=np.float32)
    out[:, 0::2], out[:, 1::2] = half / math.sqrt(2), -half / math.sqrt(2)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each code lives, and the LayerNorm scale at each point of decoder layer 0."""

    token: slice
    position: slice
    copied: slice
    lang_in: slice
    lang: slice
    d_model: int
    prefix: bool  # the language comes from a target prefix (else from a source token)

    @classmethod
    def of(cls, preset: Preset, prefix: bool) -> _Layout:
        t = preset.token_width
        cuts = [0, t, t + HEAD_DIM, 2 * t + HEAD_DIM, 2 * t + 2 * HEAD_DIM, 2 * t + 3 * HEAD_DIM]
        token, position, copied, lang_in, lang = (slice(a, b) for a, b in itertools.pairwise(cuts))
        return cls(token, position, copied, lang_in, lang, preset.d_model, prefix)

    def scale(self, norm2: float) -> float:
        """LayerNorm (gamma 1, beta 0) of a zero-mean vector of squared norm ``norm2``."""
        return math.sqrt(self.d_model / norm2)

    @property
    def encoder(self) -> float:
        """The encoder's output scale: token, language and position codes, unit each."""
        return self.scale(3.0)

    @property
    def copied_norm(self) -> float:
        """How large the copied code (and the language code) are in the residual."""
        return self.encoder

    def before_cross(self) -> float:
        """Position and ``lang_in``; the language too when self-attention found it."""
        return 2.0 + (self.copied_norm**2 if self.prefix else 0.0)

    def before_ffn(self) -> float:
        return 2.0 + 2 * self.copied_norm**2


class MultiGlossConverter(Converter):  # type: ignore[misc]
    """The multilingual gloss Transformer over one vocabulary shared by every language.

    ``language_tokens`` are vocabulary entries (``ckb_Arab``, ``<2ckb>``); ``units`` the
    lexicon (every other piece copies through); ``prefix`` True for a target-prefix model,
    False for a source-token one; ``config`` goes into config.json (``bos_token``...).
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        language_tokens: Sequence[str],
        units: Sequence[Unit],
        preset: Preset,
        seed: int,
        *,
        prefix: bool,
        config: Mapping[str, object],
    ) -> None:
        self.vocabulary, self.language_tokens = list(vocabulary), list(language_tokens)
        self.units, self.preset, self.seed = list(units), preset, seed
        self.prefix, self.config = prefix, dict(config)

    def _load(self) -> TransformerSpec:
        p, lay = self.preset, _Layout.of(self.preset, self.prefix)
        w = Weights(p, self.seed, CLEAN)
        spec = TransformerSpec.from_config(
            (p.encoder_layers, p.decoder_layers), p.heads, alignment_layer=0
        )
        tokens = pair_codes(w.rng, len(self.vocabulary), p.token_width)
        positions = w.embed(unit_codes(w.rng, p.max_positions, HEAD_DIM), lay.position)
        languages = self._language_codes()
        embeddings = w.embed(tokens, lay.token)
        embeddings[:, lay.lang_in] = languages
        fill_encoder(spec.encoder, w, embeddings, positions)
        shifted = positions if self.prefix else np.roll(positions, -1, axis=0)
        fill_decoder(spec.decoder, w, len(self.vocabulary), shifted)
        spec.decoder.embeddings.weight[:, lay.lang_in] = languages
        layer = spec.decoder.layer[0]
        _copying(layer.attention, lay, p)
        _language_head(*_head_weights(layer, p.d_model, self.prefix), lay)
        _lexicon(layer.ffn, tokens, self.units, lay)
        spec.decoder.projection.weight = w.embed(OUTPUT_SCALE * tokens, lay.copied)
        for key, value in self.config.items():
            setattr(spec.config, key, value)
        spec.register_source_vocabulary(self.vocabulary)
        spec.register_target_vocabulary(self.vocabulary)
        return spec

    def _language_codes(self) -> FloatArray:
        index = {piece: i for i, piece in enumerate(self.vocabulary)}
        codes = np.tile(axis_code(NONE), (len(self.vocabulary), 1))
        for kind, token in enumerate(self.language_tokens, 1):
            codes[index[token]] = axis_code(kind)
        return codes.astype(np.float32)


def _head(h: int) -> slice:
    return slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)


def _copying(spec: object, lay: _Layout, p: Preset) -> None:
    """Cross-attention heads but the last: one-hot on the source position the step's code
    names; the first ``value_heads`` copy the token code there into ``copied``."""
    eye = np.eye(HEAD_DIM, dtype=np.float32)
    query, key_value, out = spec.linear  # type: ignore[attr-defined]
    sharp = QUERY_SCALE * math.sqrt(lay.before_cross())  # undoes the LayerNorm's scale
    for h in range(p.heads - 1):
        query.weight[_head(h), lay.position] = sharp * eye
        key_value.weight[_head(h), lay.position] = eye
    for h in range(p.value_heads):
        code = slice(lay.token.start + h * HEAD_DIM, lay.token.start + (h + 1) * HEAD_DIM)
        key_value.weight[p.d_model + h * HEAD_DIM : p.d_model + (h + 1) * HEAD_DIM, code] = eye
        target = slice(lay.copied.start + h * HEAD_DIM, lay.copied.start + (h + 1) * HEAD_DIM)
        out.weight[target, _head(h)] = eye


_HeadWeights = tuple[tuple[FloatArray, FloatArray], FloatArray, FloatArray, FloatArray, bool]


def _head_weights(layer: object, d: int, prefix: bool) -> _HeadWeights:
    """(query weight and bias, key, value, output) of the attention the language head is
    in: decoder self-attention for a target prefix, cross-attention for a source token."""
    if prefix:
        qkv, out = layer.self_attention.linear  # type: ignore[attr-defined]
        query = (qkv.weight[:d], qkv.bias[:d])
        return query, qkv.weight[d : 2 * d], qkv.weight[2 * d :], out.weight, True
    query_linear, key_value, out = layer.attention.linear  # type: ignore[attr-defined]
    query = (query_linear.weight, query_linear.bias)
    return query, key_value.weight[:d], key_value.weight[d:], out.weight, False


def _language_head(
    query: tuple[FloatArray, FloatArray],
    key: FloatArray,
    value: FloatArray,
    out: FloatArray,
    decoder: bool,
    lay: _Layout,
) -> None:
    """The last head attends to the one position whose ``lang_in`` holds a language and
    writes that language's code into ``lang``, as large as the copied code. Its keys see
    ``lang_in`` through the decoder's LayerNorm (``decoder``) or the encoder's output."""
    seen = lay.scale(2.0) if decoder else lay.encoder
    last = lay.d_model // HEAD_DIM - 1
    rows = _head(last)
    flag = np.zeros(HEAD_DIM, dtype=np.float32)
    for kind in range(1, HEAD_DIM // 2):
        flag += axis_code(kind)  # +-1/sqrt(2) side by side: int8-safe
    query[0][rows] = 0.0
    query[1][rows.start] = 8 * LANGUAGE_MARGIN / seen  # times the key's ``seen``, over sqrt(64)
    key[rows.start, lay.lang_in] = flag
    languages = np.diag(np.abs(flag) > 0).astype(np.float32)  # NONE's pair is left out
    value[rows, lay.lang_in] = languages
    out[lay.lang, rows] = languages * (lay.copied_norm / seen)


def _lexicon(ffn: object, tokens: FloatArray, units: Sequence[Unit], lay: _Layout) -> None:
    """One unit per (word, language) on the even FFN columns: fires only on its word and
    its language together (threshold halfway between a match and the closest miss), and
    moves the copied code from the source word's to the target word's."""
    size = lay.scale(lay.before_ffn()) * lay.copied_norm  # copied and lang codes after the LN
    sources = np.array([u.source for u in units], dtype=int)
    similar = tokens[sources] @ tokens.T
    similar[np.arange(len(units)), sources] = -1.0
    closest = float(similar.max()) if len(units) else 0.0
    threshold = 1 + (1 + closest) / 2
    fired = (1 - closest) / 2
    first, second = ffn.linear_0, ffn.linear_1  # type: ignore[attr-defined]
    for k, unit in enumerate(units):
        column = 2 * k
        first.weight[column] = 0.0
        first.weight[column, lay.copied] = tokens[unit.source] / size
        first.weight[column, lay.lang] = axis_code(unit.kind) / size
        first.bias[column] = -threshold
        move = tokens[unit.target] - tokens[unit.source]
        second.weight[lay.copied, column] = lay.copied_norm * move / fired
