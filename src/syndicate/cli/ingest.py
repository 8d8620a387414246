"""`syndicate enqueue FILE|-...` and `syndicate backfill DIR`: articles straight into Redis.

Each article is validated exactly as ``POST /v1/articles`` validates a body
(``read_article_json``: size limit, unknown fields, every rule of brief section 2, the body
limits of translation/admission.py), then
accepted and dispatched through the API's own path (worker/submit.py): the version is
stored, and its ingest sent for a new version, or for a replay whose ingest never reached
the broker. A file holds one article object or an array of them; each
element of an array is checked on its own, so one bad article never stops the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs in the test extra

from syndicate.cli.console import dispatching, environment_guarded, fail
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.errors import ArticleInvalid, FieldError, StaleVersion
from syndicate.news.article import Article
from syndicate.news.payload import decode_json
from syndicate.news.states import Outcome
from syndicate.store.client import Client
from syndicate.translation.admission import read_article_json
from syndicate.worker.submit import submit

if TYPE_CHECKING:
    from celery import Celery

_STDIN = "-"


class Result(StrEnum):
    """How one article ended, as the backfill summary counts it."""

    QUEUED = "queued"
    KNOWN = "known"
    STALE = "stale"
    INVALID = "invalid"


def _parse(raw: bytes) -> Article | ArticleInvalid:
    try:
        return read_article_json(raw)
    except ArticleInvalid as exc:
        return exc


def _is_array(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def read_articles(label: str, raw: bytes) -> Iterator[tuple[str, Article | ArticleInvalid]]:
    """Every article of one file's bytes, named ``label`` (``label[i]`` inside an array),
    each an Article or the ``ArticleInvalid`` that lists all its broken rules."""
    if not _is_array(raw):
        yield label, _parse(raw)
        return
    try:
        records: list[Any] = decode_json(raw, max_bytes=len(raw))
    except ArticleInvalid as exc:
        yield label, exc
        return
    for index, record in enumerate(records):
        body = json.dumps(record, ensure_ascii=False).encode()  # the API's per-body limit
        yield f"{label}[{index}]", _parse(body)


def _read(name: str) -> bytes | ArticleInvalid:
    try:
        return sys.stdin.buffer.read() if name == _STDIN else Path(name).read_bytes()
    except OSError as exc:
        return ArticleInvalid([FieldError("$", f"cannot read the file: {exc.strerror}")])


def _label(name: str) -> str:
    return "<stdin>" if name == _STDIN else name


def _file_articles(name: str) -> Iterator[tuple[str, Article | ArticleInvalid]]:
    raw = _read(name)
    if isinstance(raw, ArticleInvalid):
        yield _label(name), raw
        return
    yield from read_articles(_label(name), raw)


def submit_one(
    client: Client, celery_app: Celery, article: Article, default_targets: tuple[str, ...]
) -> tuple[Result, str]:
    """Accept one valid article and dispatch its ingest when there is work (for
    ``default_targets`` unless it names its own); a result and the line that tells the
    operator what happened."""
    try:
        done = submit(client, celery_app, article, default_targets, system_now())
    except StaleVersion as exc:
        return Result.STALE, f"{exc}; nothing changed"
    accepted = done.accepted
    head = f"{accepted.article_id}: version {accepted.version}"
    targets = ", ".join(accepted.targets) or "the source language only"
    if accepted.outcome is Outcome.WRITTEN:
        return Result.QUEUED, f"{head} queued for {targets}"
    if done.dispatched:
        return Result.QUEUED, f"{head} already known, but never reached the broker: queued now"
    return Result.KNOWN, f"{head} already known"


def _print_invalid(label: str, error: ArticleInvalid) -> None:
    for e in error.errors:
        print(f"{label}: {e.field}: {e.message}", file=sys.stderr)


@environment_guarded("enqueue")
def _cmd_enqueue(args: argparse.Namespace, settings: Settings) -> int:
    code = 0
    targets = settings.default_targets
    with dispatching(settings) as (client, celery_app):
        for name in args.files:
            for label, parsed in _file_articles(name):
                if isinstance(parsed, ArticleInvalid):
                    _print_invalid(label, parsed)
                    code = 2
                    continue
                result, line = submit_one(client, celery_app, parsed, targets)
                print(line, file=sys.stderr if result is Result.STALE else sys.stdout)
                code = 2 if result is Result.STALE else code
    return code


def _backfill_file(
    client: Client,
    celery_app: Celery,
    targets: tuple[str, ...],
    path: Path,
    counts: Counter[Result],
) -> None:
    for label, parsed in _file_articles(str(path)):
        if isinstance(parsed, ArticleInvalid):
            counts[Result.INVALID] += 1
            tqdm.write(f"{label}: {parsed}", file=sys.stderr)
            continue
        result, line = submit_one(client, celery_app, parsed, targets)
        counts[result] += 1
        if result is Result.STALE:
            tqdm.write(line, file=sys.stderr)


def summary(counts: Counter[Result]) -> str:
    """``backfill: 3 queued, 1 known, 0 stale, 1 invalid``."""
    return "backfill: " + ", ".join(f"{counts[r]} {r}" for r in Result)


@environment_guarded("backfill")
def _cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        return fail("backfill", f"{directory}: not a directory", 2)
    files = sorted(directory.glob("*.json"))
    counts: Counter[Result] = Counter()
    bar = tqdm(files, desc="backfill", unit="file", file=sys.stderr)
    with dispatching(settings) as (client, celery_app), bar:
        for path in bar:
            _backfill_file(client, celery_app, settings.default_targets, path, counts)
            bar.set_postfix({r.value: counts[r] for r in Result}, refresh=False)
    print(summary(counts))
    return 2 if counts[Result.INVALID] else 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``enqueue`` and ``backfill``."""
    p = commands.add_parser("enqueue", help="validate articles and queue them for translation")
    p.add_argument("files", nargs="+", metavar="FILE", help="article JSON file, or - for stdin")
    p.set_defaults(handler=_cmd_enqueue)
    p = commands.add_parser("backfill", help="enqueue every *.json article file in a directory")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.set_defaults(handler=_cmd_backfill)
