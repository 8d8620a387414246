"""The key builders (store/keys.py): one prefix, a docstring table that lists every key
they build, no key spelled outside the store, and no key written without the prefix."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from redis import Redis

from syndicate.markup.alignment import copy_translation
from syndicate.news.article import Article
from syndicate.store import articles, feeds, keys, memory, partners
from syndicate.store.feeds import FeedFormat
from syndicate.store.partners import Partner

SRC: Final = Path(__file__).resolve().parents[2] / "src" / "syndicate"
NOW: Final = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_ROW: Final = re.compile(r"^\| ``(syn:[^`]+)``", re.M)
_LITERAL: Final = re.compile(r"""["'f]syn:|["']syn["']""")


def _builders() -> Iterator[tuple[str, Callable[..., str]]]:
    for name, fn in inspect.getmembers(keys, inspect.isfunction):
        if name.endswith("_key") and fn.__module__ == keys.__name__:
            yield name, fn


def _sample(fn: Callable[..., str]) -> str:
    params = inspect.signature(fn).parameters.values()
    return fn(*(7 if p.annotation == "int" else "x" for p in params))


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]*\\\}", "[^:]+", re.escape(template)))


def test_every_syndicate_key_has_the_prefix() -> None:
    built = {name: _sample(fn) for name, fn in _builders()}
    assert len(built) >= 18
    for name, key in built.items():
        assert key.startswith("syn:") and "::" not in key, name


def test_the_docstring_table_lists_exactly_the_keys_built() -> None:
    templates = _ROW.findall(keys.__doc__ or "")
    patterns = [_pattern(t) for t in templates]
    built = {n: _sample(fn) for n, fn in _builders()}
    unlisted = [n for n, key in built.items() if not any(p.fullmatch(key) for p in patterns)]
    assert not unlisted, f"keys.py builds keys its table misses: {unlisted}"
    pairs = zip(templates, patterns, strict=True)
    unbuilt = [t for t, p in pairs if not any(p.fullmatch(key) for key in built.values())]
    assert not unbuilt, f"the table lists keys no builder makes: {unbuilt}"


def test_no_module_outside_the_store_spells_a_key() -> None:
    outside = [p for p in SRC.rglob("*.py") if "store" not in p.relative_to(SRC).parts]
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in outside
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if _LITERAL.search(line)
    ]
    assert outside and not found, found


def test_the_literal_scan_catches_a_key() -> None:
    assert _LITERAL.search('DELIVERIES = "syn:deliveries"')
    assert _LITERAL.search("key = f'syn:feed:{lang}'")
    assert not _LITERAL.search("see store/keys.py for the key table")


def test_every_key_written_has_the_prefix(redis: Redis, source: Article) -> None:
    articles.save_version(redis, source, ("ar", "tr"), NOW)
    articles.publish_item(redis, source, NOW)
    feeds.write_feed(redis, "en", FeedFormat.RSS, b"<rss/>", 1, NOW)
    partners.add_partner(redis, Partner("agency", "0" * 64, ("ar",), ("rss",), NOW))
    memory.put_tm(redis, "m@1", {"a": copy_translation("a")})
    written = [k.decode() for k in redis.keys("*")]
    assert len(written) == 14 and all(k.startswith("syn:") for k in written)
