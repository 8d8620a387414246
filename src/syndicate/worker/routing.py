"""Task and queue names: what the API, the CLI and workers agree on over the broker.

Ingest and publish run on ``syndicate``; each target language has its own
``translate.<lang>`` queue, so an operator can run one worker per language. Pushes to
partners and WebSub subscribers run on ``push``, read only by push workers (``syndicate
worker --push``, a thread pool): a partner that answers slowly or not at all holds a push
thread, never an ingest or a translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from syndicate.config import Settings
from syndicate.news.languages import primary

INGEST: Final = "syndicate.ingest"
TRANSLATE: Final = "syndicate.translate"
PUBLISH: Final = "syndicate.publish"
DEFAULT_QUEUE: Final = "syndicate"  # ingest and publish; translations go to translate.<lang>
PUSH: Final = "syndicate.push"
WEBSUB_VERIFY: Final = "syndicate.websub.verify"
PUSH_QUEUE: Final = "push"


def translate_queue(lang: str) -> str:
    """The queue of one target language, so an operator can run a worker per language.

    A regional tag shares its language's queue (``ar-IQ`` -> ``translate.ar``): the ``ar``
    package serves it, so the worker that has it must read it. On a queue of its own it
    waited for ever, read by no worker (issue 9); its state and feed stay under ``ar-IQ``.
    """
    return f"translate.{primary(lang)}"


def consumed_queues(targets: Sequence[str]) -> tuple[str, ...]:
    """``syndicate`` (ingest, publish) and the translate queue of every target."""
    return tuple(dict.fromkeys([DEFAULT_QUEUE, *(translate_queue(t) for t in targets)]))


def installed_targets(s: Settings) -> list[str]:
    """The languages the installed packages translate into."""
    from syndicate.models.packages import list_packages

    return [p.to_code for p in list_packages(s.models_dir)]


def default_queues(s: Settings) -> tuple[str, ...]:
    """What a worker consumes unless told otherwise: the configured targets' queues and
    those of every installed package's target."""
    return consumed_queues([*s.default_targets, *installed_targets(s)])
