"""Gloss model weights: a real CTranslate2 Transformer that copies its source piece by piece.

Brief section 6. No Argos model can be downloaded here, so the demo and test models are
Transformers whose weights are set by hand instead of trained. Every hidden vector is split
into three subspaces of the model width: a token code (which source piece), a position
code (where it is) and a copied-token code (which piece the decoder picked up). Codes are
random, zero-mean and unit-norm, so every LayerNorm (gamma 1, beta 0) is a constant scale
and the geometry survives it. Decoder layer 0's cross-attention matches the decoder's
position code against the encoder's, one-hot, and copies the token code it lands on; the
output projection turns each copied code into the target piece the lexicon (or identity)
says. Every other weight is tiny noise, so the model costs what a trained one of the same
shape costs, yet its output is exact and deterministic enough to assert on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from ctranslate2.converters import Converter
from ctranslate2.specs import TransformerSpec

from syndicate.errors import ModelPackageInvalid
from syndicate.models.variants import (
    CLEAN,
    CODE_DIM,
    HEAD_DIM,
    NO_CLASSES,
    Slots,
    Variant,
    WordClasses,
    position_codes,
    query_codes,
    reorder_layer,
    reported_head,
    steps,
)

QUERY_SCALE = 60.0  # makes cross-attention one-hot on the matching source position
OUTPUT_SCALE = 40.0  # makes the output distribution one-hot on the mapped piece
NOISE = 1e-6  # "every other weight": present, so it costs compute, but negligible

FloatArray = np.ndarray


@dataclass(frozen=True, slots=True)
class Preset:
    """The shape of a gloss model; ``value_heads`` heads carry the token code."""

    name: str
    encoder_layers: int
    decoder_layers: int
    d_model: int
    heads: int
    ffn: int
    value_heads: int
    vocab_size: int
    max_positions: int

    @property
    def token_width(self) -> int:
        return self.value_heads * HEAD_DIM


PRESETS: dict[str, Preset] = {
    # Tests: builds all eight directions in seconds.
    "tiny": Preset("tiny", 1, 1, 320, 5, 640, 2, 3000, 1024),
    # Benchmarks: the shape of a Transformer-base Argos package.
    "base": Preset("base", 6, 6, 512, 8, 2048, 3, 8000, 1024),
}


def widened(preset: Preset, variant: Variant) -> Preset:
    """The preset's shape with room for the variant's slots (and its reporting layer)."""
    if variant.clean:
        return preset
    width = -(-Slots.plan(preset.token_width, variant).width // HEAD_DIM) * HEAD_DIM
    d_model = max(preset.d_model, width)
    decoder_layers = max(2, preset.decoder_layers) if variant.noisy else preset.decoder_layers
    return replace(
        preset, d_model=d_model, heads=d_model // HEAD_DIM, decoder_layers=decoder_layers
    )


def _slots(preset: Preset, variant: Variant) -> Slots:
    slots = Slots.plan(preset.token_width, variant)
    if slots.width > preset.d_model or preset.d_model != preset.heads * HEAD_DIM:
        raise ModelPackageInvalid(f"preset {preset.name}: subspaces do not fit d_model")
    return slots


def unit_codes(rng: np.random.Generator, count: int, width: int) -> FloatArray:
    """Random zero-mean unit-norm rows: LayerNorm then only rescales them."""
    codes = rng.standard_normal((count, width))
    codes -= codes.mean(axis=1, keepdims=True)
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    return codes.astype(np.float32)


class Weights:
    """Draws every tensor from one seeded generator, in a fixed order: builds are repeatable."""

    def __init__(self, preset: Preset, seed: int, variant: Variant) -> None:
        self.preset = preset
        self.layout = _slots(preset, variant)
        self.rng = np.random.default_rng(seed)
        self.variant, self.seed = variant, seed

    def noise(self, *shape: int) -> FloatArray:
        return (self.rng.standard_normal(shape) * NOISE).astype(np.float32)

    def layer_norm(self, spec: object) -> None:
        d = self.preset.d_model
        spec.gamma = np.ones(d, dtype=np.float32)  # type: ignore[attr-defined]
        spec.beta = np.zeros(d, dtype=np.float32)  # type: ignore[attr-defined]

    def linear(self, spec: object, rows: int, cols: int) -> None:
        spec.weight = self.noise(rows, cols)  # type: ignore[attr-defined]
        spec.bias = np.zeros(rows, dtype=np.float32)  # type: ignore[attr-defined]

    def attention(self, spec: object, cross: bool) -> None:
        d = self.preset.d_model
        self.layer_norm(spec.layer_norm)  # type: ignore[attr-defined]
        shapes = [(d, d), (2 * d, d), (d, d)] if cross else [(3 * d, d), (d, d)]
        for linear, (rows, cols) in zip(spec.linear, shapes, strict=True):  # type: ignore[attr-defined]
            self.linear(linear, rows, cols)

    def ffn(self, spec: object) -> None:
        self.layer_norm(spec.layer_norm)  # type: ignore[attr-defined]
        self.linear(spec.linear_0, self.preset.ffn, self.preset.d_model)  # type: ignore[attr-defined]
        self.linear(spec.linear_1, self.preset.d_model, self.preset.ffn)  # type: ignore[attr-defined]

    def embed(self, vectors: FloatArray, where: slice) -> FloatArray:
        out = np.zeros((vectors.shape[0], self.preset.d_model), dtype=np.float32)
        out[:, where] = vectors
        return out


def _copying_attention(spec: object, w: Weights) -> None:
    """Decoder layer 0 cross-attention: one-hot on position t (the source's target-order
    code when reordering), copy the token code there."""
    lay, d = w.layout, w.preset.d_model
    eye = np.eye(HEAD_DIM, dtype=np.float32)
    query, key_value, out = spec.linear  # type: ignore[attr-defined]
    for h in range(w.preset.heads):
        rows = slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)
        query.weight[rows, lay.position] = QUERY_SCALE * eye
        key_value.weight[rows, lay.key] = eye
    for h in range(w.preset.value_heads):
        head = slice(h * HEAD_DIM, (h + 1) * HEAD_DIM)
        code = slice(lay.token.start + h * HEAD_DIM, lay.token.start + (h + 1) * HEAD_DIM)
        key_value.weight[d + head.start : d + head.stop, code] = eye
        target = slice(lay.copied.start + h * HEAD_DIM, lay.copied.start + (h + 1) * HEAD_DIM)
        out.weight[target, head] = eye


def _projection(tokens: FloatArray, mapping: Sequence[int], w: Weights) -> FloatArray:
    """Row v = the sum of the token codes of every source piece that maps to v."""
    rows = np.zeros((len(mapping), w.preset.token_width), dtype=np.float32)
    np.add.at(rows, np.asarray(mapping), tokens)
    return w.embed(OUTPUT_SCALE * rows, w.layout.copied)


class GlossConverter(Converter):  # type: ignore[misc]
    """Builds the gloss Transformer for a vocabulary shared by source and target.

    ``mapping[s]`` is the target piece id the model emits for source piece id ``s``
    (identity for pass-through, the lexicon otherwise; ``</s>`` must map to ``</s>``).
    A ``variant`` other than the clean one needs the source pieces' ``classes`` and a
    preset ``widened`` for it (see variants.py).
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        mapping: Sequence[int],
        preset: Preset,
        seed: int,
        variant: Variant = CLEAN,
        classes: WordClasses = NO_CLASSES,
    ) -> None:
        if len(vocabulary) != len(mapping):
            raise ModelPackageInvalid("mapping must give one target id per vocabulary entry")
        self.vocabulary, self.mapping = list(vocabulary), list(mapping)
        self.preset, self.seed = preset, seed
        self.variant, self.classes = variant, classes

    def _load(self) -> TransformerSpec:
        p, v = self.preset, self.variant
        w = Weights(p, self.seed, v)
        spec = TransformerSpec.from_config(
            (p.encoder_layers, p.decoder_layers), p.heads, alignment_layer=int(v.noisy)
        )
        tokens = unit_codes(w.rng, len(self.vocabulary), p.token_width)
        codes = (
            unit_codes(w.rng, p.max_positions, HEAD_DIM)
            if v.clean
            else position_codes(w.rng, p.max_positions)
        )
        embeddings, positions = w.embed(tokens, w.layout.token), w.embed(codes, w.layout.position)
        decoder_positions = positions.copy()
        if not v.clean:
            _variant_codes(w, self.classes, codes, embeddings, positions, decoder_positions)
        fill_encoder(spec.encoder, w, embeddings, positions)
        fill_decoder(spec.decoder, w, len(self.vocabulary), decoder_positions)
        _copying_attention(spec.decoder.layer[0].attention, w)
        if v.reorder:
            attention = spec.encoder.layer[0].self_attention
            qkv, out = attention.linear[0].weight, attention.linear[1].weight
            reorder_layer(qkv, out, w.layout, p.d_model)
        if v.noisy:
            query, key_value, _ = spec.decoder.layer[1].attention.linear
            jitter = w.rng.standard_normal((CODE_DIM + 1, p.token_width)).astype(np.float32) / 8
            reported_head(query.weight, key_value.weight, w.layout, p.d_model, jitter)
        spec.decoder.projection.weight = _projection(tokens, self.mapping, w)
        spec.config.add_source_eos = True
        spec.register_source_vocabulary(self.vocabulary)
        spec.register_target_vocabulary(self.vocabulary)
        return spec


def _variant_codes(
    w: Weights,
    classes: WordClasses,
    codes: FloatArray,
    embeddings: FloatArray,
    positions: FloatArray,
    decoder_positions: FloatArray,
) -> None:
    """Class codes into the source embeddings; the next position's code into the encoder's
    table (reorder); each decoder step's query code into the decoder's table (noise)."""
    lay = w.layout
    assert lay.classes is not None
    embeddings[:, lay.classes] = classes.codes(embeddings.shape[0])
    if lay.next is not None:
        positions[:-1, lay.next] = codes[1:]
    if lay.query is not None:
        recipes = steps(w.variant, w.seed, codes.shape[0])
        decoder_positions[:, lay.query] = query_codes(recipes, codes)


def fill_encoder(enc: object, w: Weights, embeddings: FloatArray, positions: FloatArray) -> None:
    enc.embeddings[0].weight = embeddings  # type: ignore[attr-defined]
    enc.scale_embeddings = False  # type: ignore[attr-defined]
    enc.position_encodings.encodings = positions  # type: ignore[attr-defined]
    w.layer_norm(enc.layer_norm)  # type: ignore[attr-defined]
    for layer in enc.layer:  # type: ignore[attr-defined]
        w.attention(layer.self_attention, cross=False)
        w.ffn(layer.ffn)


def fill_decoder(dec: object, w: Weights, vocab_size: int, positions: FloatArray) -> None:
    """Zero input embeddings: step t depends on its position code alone."""
    dec.embeddings.weight = np.zeros((vocab_size, w.preset.d_model), dtype=np.float32)  # type: ignore[attr-defined]
    dec.scale_embeddings = False  # type: ignore[attr-defined]
    dec.position_encodings.encodings = positions.copy()  # type: ignore[attr-defined]
    w.layer_norm(dec.layer_norm)  # type: ignore[attr-defined]
    for layer in dec.layer:  # type: ignore[attr-defined]
        w.attention(layer.self_attention, cross=False)
        w.attention(layer.attention, cross=True)
        w.ffn(layer.ffn)
