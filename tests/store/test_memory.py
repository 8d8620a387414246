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


def test_attention_rows_are_kept_sparse_to_three_decimals(redis: Redis) -> None:
    text = "ab"
    rows = ((0.91234, 0.0871), (0.001, 0.5))
    entry = replace(copy_translation(text), attention=rows)
    memory.put_tm(redis, "m@1", {text: entry})
    back = memory.get_tm(redis, "m@1", [text])[text]
    assert back.attention == ((0.912, 0.087), (0.0, 0.5))
    assert replace(back, attention=()) == replace(entry, attention=())


def test_an_entry_written_before_attention_was_kept_reads_without_rows(redis: Redis) -> None:
    text = "ab"
    memory.put_tm(redis, "m@1", {text: copy_translation(text)})
    (key,) = redis.keys("syn:tm:*")
    redis.set(key, '["ab",[[0,1],[1,2]],["a","b"],[0,1],true]')  # five fields, as before
    back = memory.get_tm(redis, "m@1", [text])[text]
    assert back.attention == () and back.alignment == (0, 1) and back.text == "ab"
