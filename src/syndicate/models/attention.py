"""Which decoder layer and heads a model reports as its attention (``return_attention``).

CTranslate2 fixes them at conversion, as two scalar variables in ``model.bin``
(``decoder/alignment_layer``, ``decoder/alignment_heads``; not in config.json), and
``ctranslate2.Translator`` has no option for them. Argos packages are OpenNMT-py
Transformer-base models (6+6 layers, 8 heads, argos-train's config.yml) trained without
guided alignment and converted by ``ct2-opennmt-py-converter``, which then writes
``alignment_layer = -1, alignment_heads = 1``: the LAST layer's FIRST head. That is the
weakest choice there is: on Transformer-base, the penultimate layer averaged over all heads
aligns best (Garg et al. 2019, "Jointly Learning to Align and Translate with Transformer
Models", section 3: layer 5 of 6 averaged; the last layer and single heads are markedly
worse).

So the engine loads such a package with the two values rewritten in memory (the same bytes
otherwise, through the Translator's ``files`` argument): the policy ``auto`` turns the
converter's untrained default into the penultimate layer, all heads, for a package that is
not a demo and has at least three decoder layers; any other value is a deliberate choice of
whoever built the package (a guided-alignment model, a gloss model) and is kept. A package
may name its own in metadata.json (``"alignment": {"layer": 4, "heads": 0}``, heads 0 = all),
and the ``attention_layer`` setting forces one for every package (``"-2:0"``) or keeps what
each ships (``package``). A layer chosen by ``auto`` must attend somewhere on a probe
sentence (``informative``), else the package's own choice stands.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from syndicate.errors import SettingsInvalid

AUTO: Final = "auto"
PACKAGE: Final = "package"
_BEST: Final = (-2, 0)  # penultimate layer, every head
_LAYER: Final = "decoder/alignment_layer"
_HEADS: Final = "decoder/alignment_heads"
_DECODER_LAYER: Final = re.compile(r"decoder/layer_(\d+)/")
_SCALARS: Final = {1: "b", 2: "h", 3: "i"}  # CTranslate2 type ids: int8, int16, int32
_PROBE: Final = "On 12 May 2024 the council of Erbil said that 3,450 families had left."
_FLAT: Final = 2.5  # mean row peak below 2.5 x uniform: the layer attends nowhere


@dataclass(frozen=True, slots=True)
class _Scalar:
    offset: int
    code: str  # struct format of its type


@dataclass(frozen=True, slots=True)
class Shipped:
    """What a model.bin reports: its alignment layer and heads and where they sit."""

    layer: int
    heads: int
    decoder_layers: int
    layer_at: _Scalar
    heads_at: _Scalar


def read_shipped(blob: bytes | mmap.mmap) -> Shipped | None:
    """Parse the variable index of a model.bin (binary version 4 and later); None for an
    older layout or a model without the two variables (then it loads as it is)."""
    try:
        return _parse(blob)
    except (struct.error, UnicodeDecodeError, IndexError):
        return None


def _parse(blob: bytes | mmap.mmap) -> Shipped | None:
    (version,) = struct.unpack_from("I", blob, 0)
    if version < 4:
        return None
    pos = _skip_string(blob, 4) + 4  # spec name, revision
    (count,) = struct.unpack_from("I", blob, pos)
    pos += 4
    found: dict[str, _Scalar] = {}
    layers = set()
    for _ in range(count):
        name_end = _skip_string(blob, pos)
        name = blob[pos + 2 : name_end - 1].decode("utf-8")
        pos = name_end
        (rank,) = struct.unpack_from("B", blob, pos)
        pos += 1 + 4 * rank
        type_id, size = struct.unpack_from("=BI", blob, pos)
        pos += 5
        if name in (_LAYER, _HEADS) and type_id in _SCALARS:
            found[name] = _Scalar(pos, _SCALARS[type_id])
        if match := _DECODER_LAYER.match(name):
            layers.add(int(match.group(1)))
        pos += size
    if _LAYER not in found or _HEADS not in found:
        return None
    layer, heads = (_value(blob, found[n]) for n in (_LAYER, _HEADS))
    return Shipped(layer, heads, len(layers), found[_LAYER], found[_HEADS])


def _skip_string(blob: bytes | mmap.mmap, pos: int) -> int:
    (length,) = struct.unpack_from("H", blob, pos)
    return pos + 2 + int(length)


def _value(blob: bytes | mmap.mmap, at: _Scalar) -> int:
    return int(struct.unpack_from(at.code, blob, at.offset)[0])


def choose(
    shipped: Shipped, *, demo: bool, setting: str, metadata: dict[str, Any]
) -> tuple[int, int] | None:
    """The (layer, heads) to load with, or None for what the package ships."""
    own = metadata.get("alignment")
    if isinstance(own, dict) and isinstance(own.get("layer"), int):
        heads = own.get("heads", 0)
        return own["layer"], heads if isinstance(heads, int) else 0
    if setting == PACKAGE:
        return None
    if setting != AUTO:
        layer, _, heads = setting.partition(":")
        return int(layer), int(heads or 0)
    if demo or shipped.decoder_layers < 3 or not _untrained(shipped):
        return None
    return _BEST


def _untrained(shipped: Shipped) -> bool:
    """The converter's default, however it is spelled (-1 or the last index)."""
    return shipped.heads == 1 and shipped.layer in (-1, shipped.decoder_layers - 1)


def check_setting(value: str) -> str:
    """``auto``, ``package`` or ``LAYER:HEADS`` (``-2:0``); SettingsInvalid otherwise."""
    if value in (AUTO, PACKAGE) or re.fullmatch(r"-?\d+:\d+", value):
        return value
    raise SettingsInvalid(
        f"setting attention_layer: expected auto, package or LAYER:HEADS, got {value!r}"
    )


def patched(blob: bytes, shipped: Shipped, layer: int, heads: int) -> bytes:
    """``blob`` with the alignment layer and heads replaced (a layer counted from the end
    when negative, kept inside the decoder)."""
    n = shipped.decoder_layers
    layer = min(max(layer + n if layer < 0 else layer, 0), max(0, n - 1))
    out = bytearray(blob)
    struct.pack_into(shipped.layer_at.code, out, shipped.layer_at.offset, layer)
    struct.pack_into(shipped.heads_at.code, out, shipped.heads_at.offset, max(0, heads))
    return bytes(out)


def informative(translator: Any, sp: Any) -> bool:
    """Whether the layer chosen for a package does attend somewhere: one probe sentence,
    its rows' peaks averaged. A layer whose attention is flat (a model built so that only
    its reported layer aligns) is no better than the package's own choice, which then
    stands."""
    pieces = sp.encode(_PROBE, out_type=str)
    result = translator.translate_batch([pieces], beam_size=1, return_attention=True)
    rows = [row[: len(pieces)] for row in result[0].attention[0]]
    if not rows:
        return False
    peaks = sum(float(max(row)) for row in rows) / len(rows)
    return peaks >= _FLAT / (len(pieces) + 1)


@contextmanager
def _mapped(model_dir: Path) -> Iterator[mmap.mmap]:
    with (
        (model_dir / "model.bin").open("rb") as f,
        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view,
    ):
        yield view


def plan(
    model_dir: Path, *, demo: bool, setting: str, metadata: Mapping[str, Any]
) -> tuple[int, int] | None:
    """The (layer, heads) to load a model with, None for what it ships (or a model.bin
    whose layout this cannot read). Only the variable index is read, mapped."""
    with _mapped(model_dir) as view:
        shipped = read_shipped(view)
        if shipped is None:
            return None
        return choose(shipped, demo=demo, setting=setting, metadata=dict(metadata))


def model_files(model_dir: Path, choice: tuple[int, int]) -> dict[str, bytes]:
    """Every file of a CTranslate2 model directory, model.bin rewritten for ``choice``
    (``plan``'s answer, not None), to load through the Translator's ``files``."""
    with _mapped(model_dir) as view:
        shipped = read_shipped(view)
        assert shipped is not None  # plan chose a layer, so it read the index
        files = {p.name: p.read_bytes() for p in model_dir.iterdir() if p.is_file()}
        files["model.bin"] = patched(view[:], shipped, *choice)
    return files
