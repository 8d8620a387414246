"""The translation memory (store/memory.py) on a real redis-server."""

from __future__ import annotations

from dataclasses import replace

from redis import Redis

from syndicate.markup.alignment import AlignedTranslation, copy_translation
from syndicate.store import memory


def _aligned(text: str) -> AlignedTranslation:
    return replace(copy_translation(text), complete=False)


def test_translation_memory_round_trip_per_model(redis: Redis) -> None:
    texts = ["Floods hit Erbil.", "Rain continues.", "Floods hit Erbil."]
    assert memory.get_tm(redis, "translate-en_ar@1.0", texts) == {}
    entries = {t: _aligned(t) for t in texts[:2]}
    memory.put_tm(redis, "translate-en_ar@1.0", entries)
    assert memory.get_tm(redis, "translate-en_ar@1.0", [*texts, "New."]) == entries
    assert memory.get_tm(redis, "translate-en_ar@1.1", texts) == {}
    assert memory.get_tm(redis, "translate-en_ar@1.0", []) == {}
    assert all(0 < redis.ttl(k) <= memory.TM_TTL_SECONDS for k in redis.keys("syn:tm:*"))
