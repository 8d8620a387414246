"""The translation memory in Redis: segments already translated by a model, so an update
that changes one sentence sends one sentence to the model (plan.translate_with_memory).

Part of the store (the key is in the table of keys.py). Entries are keyed by the model's
content and the pair (Engine.memory_key), so a model upgrade starts a fresh memory, old
entries expire, and one model serving four languages keeps four memories.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final, cast

from syndicate.markup.alignment import AlignedTranslation
from syndicate.store import keys
from syndicate.store.client import Client, guarded

TM_TTL_SECONDS: Final = 30 * 24 * 3600
_NEGLIGIBLE: Final = 0.005


def _tm_json(tr: AlignedTranslation) -> str:
    value = [tr.source, tr.source_tokens, tr.target_tokens, tr.alignment, tr.complete]
    value.append([_sparse(row) for row in tr.attention])
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sparse(row: Sequence[float]) -> list[list[float]]:
    """A row as ``[source index, weight]`` pairs, weights to three decimals, the negligible
    ones left out: a tenth of the dense row's size, and nothing the projection reads."""
    return [[j, round(w, 3)] for j, w in enumerate(row) if w >= _NEGLIGIBLE]


def _tm_entry(raw: bytes) -> AlignedTranslation:
    """An entry; one written before attention was kept (five fields) reads without rows."""
    source, spans, targets, alignment, complete, *rest = json.loads(raw)
    size = len(spans)
    attention = []
    for pairs in rest[0] if rest else []:
        row = [0.0] * size
        for j, w in pairs:
            row[j] = w
        attention.append(tuple(row))
    return AlignedTranslation(
        source,
        tuple((s, e) for s, e in spans),
        tuple(targets),
        tuple(alignment),
        complete,
        tuple(attention),
    )


@guarded
def get_tm(client: Client, model: str, texts: Sequence[str]) -> dict[str, AlignedTranslation]:
    """Memory hits for ``texts`` under ``model`` (Engine.memory_key), one MGET."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return {}
    raws = cast(list[bytes | None], client.mget([keys.tm_key(model, t) for t in distinct]))
    hits = {text: _tm_entry(raw) for text, raw in zip(distinct, raws, strict=True) if raw}
    return {text: tr for text, tr in hits.items() if tr.source == text}


@guarded
def put_tm(client: Client, model: str, entries: Mapping[str, AlignedTranslation]) -> None:
    """Remember fresh translations under ``model``, one pipelined round trip."""
    pipe = client.pipeline(transaction=False)
    for text, tr in entries.items():
        pipe.set(keys.tm_key(model, text), _tm_json(tr), ex=TM_TTL_SECONDS)
    pipe.execute()
