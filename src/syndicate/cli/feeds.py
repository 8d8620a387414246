"""`syndicate feeds render LANG --format rss|newsml|ninjs [--ninjs-version 1.6|2.2|3.1]`:
one feed from article files.

Reads every ``*.json`` file in ``--from DIR`` (default: the current directory): each holds
an article object or an array of them, plain source articles or the output of
``syndicate translate``. Only articles in LANG are kept, the highest version per id, and
the feed goes to standard output as bytes. Without a store, each publication record is
derived from its article (``feeds.record.derive_publication``): the provider comes from the
``provider_*`` settings, else the host of ``public_base_url`` and the articles' most common
``source``. Errors are
one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.cli.console import command_group
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.errors import ArticleInvalid, SyndicateError
from syndicate.feeds.edition import FORMATS, make_channel, make_provider, render_format
from syndicate.feeds.ninjs_versions import DEFAULT_VERSION, NinjsVersion
from syndicate.feeds.record import Entry, derive_publication
from syndicate.news.article import Article, parse_article


class _InputError(Exception):
    """A file in --from that cannot be used; the message names it."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``feeds render`` to the top-level subcommands."""
    actions = command_group(commands, "feeds", "render partner feeds")
    render = actions.add_parser("render", help="render one language's feed to standard output")
    render.add_argument("lang", help="language tag of the feed, e.g. ar")
    render.add_argument("--format", required=True, choices=sorted(FORMATS))
    render.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=Path("."),
        help="directory of article JSON files (default: current directory)",
    )
    render.add_argument(
        "--ninjs-version",
        type=NinjsVersion,
        choices=list(NinjsVersion),
        default=DEFAULT_VERSION,
        help=f"with --format ninjs (default: {DEFAULT_VERSION})",
    )
    render.add_argument("--limit", type=int, help="items in the feed (default: feed_size)")
    render.add_argument("--now", help="render as of this RFC 3339 instant (default: now)")
    render.set_defaults(handler=_cmd_render)


def _records(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise _InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _InputError(f"{path}: not JSON: {exc}") from exc
    return data if isinstance(data, list) else [data]


def _parse(path: Path, index: int, record: Any) -> Article:
    if not isinstance(record, dict):
        raise _InputError(f"{path}[{index}]: not an article object")
    try:
        return parse_article(record, allow_translation=True)
    except ArticleInvalid as exc:
        raise _InputError(f"{path}[{index}]: {exc}") from exc


def load_articles(directory: Path, lang: str) -> list[Article]:
    """The newest version of every article in ``lang`` found in ``directory``."""
    if not directory.is_dir():
        raise _InputError(f"{directory}: not a directory")
    latest: dict[str, Article] = {}
    for path in sorted(directory.glob("*.json")):
        for index, record in enumerate(_records(path)):
            article = _parse(path, index, record)
            if article.language.lower() != lang.lower():
                continue
            known = latest.get(article.id)
            if known is None or article.version > known.version:
                latest[article.id] = article
    return list(latest.values())


def _now(raw: str | None) -> datetime:
    if raw is None:
        return system_now()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise _InputError(f"--now: not an RFC 3339 instant: {raw!r}") from exc
    if value.tzinfo is None:
        raise _InputError(f"--now: needs an offset or Z: {raw!r}")
    return value


def _render(args: argparse.Namespace, s: Settings) -> bytes:
    now = _now(args.now)
    articles = load_articles(args.source, args.lang)
    base = s.public_base_url
    provider = make_provider(s.provider_name, s.provider_domain, s.provider_uri, base, articles)
    channel = make_channel(args.lang, args.format, provider, base, s.feed_ttl)
    entries: list[Entry] = [(a, derive_publication(a, provider, base)) for a in articles]
    limit = s.feed_size if args.limit is None else args.limit
    version = args.ninjs_version
    return render_format(args.format, entries, channel, now=now, limit=limit, version=version)


def _cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    try:
        data = _render(args, settings)
    except (_InputError, SyndicateError) as exc:
        print(f"syndicate: feeds render: {exc}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0
