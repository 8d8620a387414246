"""`syndicate status [ID]` and `syndicate retry ID [--lang L]`: what operators read and redo.

``status ID`` shows an article's latest version and a row per language (the same values as
``GET /v1/articles/{id}``); ``status`` alone shows where the store writes (the master,
through Sentinel too, and its replicas), the broker queues with the messages waiting in
each, translations held for review, push partners' deliveries by state and their lag, and
the newest failed and no_model languages (``store_ops.note_failure``).
``retry`` puts unfinished languages back to ``queued`` and enqueues their translations,
with ingest's checks (worker/intake.py ``requeue``): a language nothing knows is refused
(exit 2), a target no worker would translate ends ``no_model`` (exit 1).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime
from typing import Any, Final

from syndicate.cli.console import (
    connected,
    dispatching,
    environment_guarded,
    fail,
    moment,
    print_table,
)
from syndicate.cli.deliveries import print_overview, push_overview
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.errors import NoSuchArticle, UnknownLanguage
from syndicate.news.languages import is_language_tag
from syndicate.store import articles as store
from syndicate.store import ops as store_ops
from syndicate.store import review as store_review
from syndicate.store import server
from syndicate.store.articles import LanguageStatus
from syndicate.store.client import Client
from syndicate.worker.routing import DEFAULT_QUEUE, translate_queue

FAILURES_SHOWN: Final = 20


def _status_dict(status: LanguageStatus) -> dict[str, Any]:
    return {
        "state": str(status.state),
        "version": status.version,
        "at": status.at.isoformat(),
        "reason": status.reason,
    }


def _show_article(client: Client, article_id: str, as_json: bool) -> int:
    item, states = store.get_status(client, article_id)
    article = item.article
    if as_json:
        languages = {lang: _status_dict(st) for lang, st in states.items()}
        head = {"id": article.id, "version": article.version, "status": str(article.status)}
        print(json.dumps({**head, "languages": languages}, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{article.id}: version {article.version} ({article.status}), source {article.language},"
        f" received {moment(item.version_created)}"
    )
    source_first = sorted(states, key=lambda lang: (lang != article.language, lang))
    rows = [
        [lang, str(st.state), str(st.version), moment(st.at), st.reason or ""]
        for lang, st in ((lang, states[lang]) for lang in source_first)
    ]
    print_table(["lang", "state", "version", "at", "reason"], rows)
    return 0


def queue_names(consumed: list[str], targets: tuple[str, ...]) -> list[str]:
    """The work queues to show: always ``syndicate`` and the default targets' translate
    queues (empty ones too), plus every other queue a worker consumes."""
    fixed = [DEFAULT_QUEUE, *(translate_queue(t) for t in targets)]
    others = [q for q in consumed if q not in fixed]
    return [*fixed, *sorted(others)]


def _failure_row(f: store_ops.Failure) -> list[str]:
    return [moment(f.at), f.article_id, str(f.version), f.lang, str(f.state), f.reason or ""]


def held_for_review(client: Client, now: datetime) -> dict[str, dict[str, int]]:
    """Per language that ever held a translation: how many wait for an editor, and the
    oldest one's age in seconds (issue 18)."""
    waiting = store_review.waiting(client, store_review.held_languages(client))
    return {
        lang: {
            "held": w.held,
            "oldest_seconds": int((now - w.oldest).total_seconds()) if w.oldest else 0,
        }
        for lang, w in waiting.items()
    }


def _show_overview(client: Client, as_json: bool, targets: tuple[str, ...]) -> int:
    where = server.topology(client)
    names = queue_names(store_ops.broker_queues(client), targets)
    depths = store_ops.queue_depths(client, names)
    failures = store_ops.recent_failures(client, FAILURES_SHOWN)
    review = held_for_review(client, system_now())
    push = push_overview(client, system_now())
    if as_json:
        recent = [
            {"id": f.article_id, "version": f.version, "lang": f.lang, "state": str(f.state)}
            | {"reason": f.reason, "at": f.at.isoformat()}
            for f in failures
        ]
        overview: dict[str, Any] = {"redis": dataclasses.asdict(where), "queues": depths}
        overview |= {"review": review, "push": push}
        print(json.dumps(overview | {"failures": recent}, ensure_ascii=False, indent=2))
        return 0
    print(f"redis: {where.describe()}")
    print()
    print_table(["queue", "waiting"], [[name, str(n)] for name, n in depths.items()])
    print()
    if review:
        rows = [[lang, str(r["held"]), f"{r['oldest_seconds']} s"] for lang, r in review.items()]
        print_table(["review", "held", "oldest"], rows)
        print()
    if push:
        print_overview(push)
        print()
    if not failures:
        print("no recent failures")
        return 0
    print(f"recent failures (newest first, at most {FAILURES_SHOWN}):")
    headers = ["at", "id", "version", "lang", "state", "reason"]
    print_table(headers, [_failure_row(f) for f in failures])
    return 0


@environment_guarded("status")
def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        if args.id is None:
            return _show_overview(client, args.json, settings.default_targets)
        try:
            return _show_article(client, args.id, args.json)
        except NoSuchArticle:
            return fail("status", f"{args.id}: no such article", 2)


def parse_languages(values: list[str] | None) -> list[str] | None:
    """``--lang ar --lang tr,ckb`` -> ["ar", "tr", "ckb"]; None when not given."""
    if not values:
        return None
    langs = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return list(dict.fromkeys(langs))


@environment_guarded("retry")
def _cmd_retry(args: argparse.Namespace, settings: Settings) -> int:
    langs = parse_languages(args.lang)
    bad = [lang for lang in langs or [] if not is_language_tag(lang)]
    if bad or langs == []:
        return fail("retry", f"--lang: not a language tag: {', '.join(bad) or '(empty)'}", 2)
    from syndicate.models.engine import engine_from
    from syndicate.worker import submit  # Celery loads only for the commands that enqueue

    configured = settings.default_targets
    with dispatching(settings) as (client, celery_app):
        try:
            done = submit.retry(
                client, celery_app, engine_from(settings), args.id, langs, configured, system_now()
            )
        except NoSuchArticle:
            return fail("retry", f"{args.id}: no such article", 2)
        except UnknownLanguage as exc:
            return fail("retry", f"--lang: {exc}", 2)
    if done.again:
        print(f"{args.id}: version {done.version} requeued for {', '.join(done.again)}")
    elif not done.no_model:
        print(f"{args.id}: version {done.version}: nothing to retry (all published or withdrawn)")
    for lang, reason in done.no_model:  # recorded as ingest records it, reason and all
        fail("retry", f"{args.id}: version {done.version}: {lang} ends no_model: {reason}", 1)
    return 1 if done.no_model else 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``status`` and ``retry``."""
    p = commands.add_parser("status", help="an article's languages, or the queues and failures")
    p.add_argument("id", nargs="?", metavar="ID", help="article id (default: the overview)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(handler=_cmd_status)
    p = commands.add_parser("retry", help="queue an article's unfinished languages again")
    p.add_argument("id", metavar="ID")
    p.add_argument(
        "--lang",
        action="append",
        metavar="L",
        help=(
            "only these languages (repeat or comma-separate; default: every unfinished one)."
            " Unknown (exit 2): not a language tag, or neither configured, served by an"
            " installed package, nor among the article's languages. A target no worker can"
            " translate ends no_model with the reason, as at ingest (exit 1)"
        ),
    )
    p.set_defaults(handler=_cmd_retry)
