"""Which languages and formats a partner may read: one rule for the API, which answers
polls, and the worker, which pushes items to partners (issue 19).

``*`` grants every language or format; a partner recorded with no formats has every format
(``--formats`` is optional in ``syndicate partners add``), one with no languages has none.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

ALL: Final = "*"  # in a partner's languages or formats: every one


def reads_language(languages: Collection[str], lang: str) -> bool:
    """True when ``lang`` is among ``languages`` (or they hold ``*``), case-insensitively."""
    langs = {code.lower() for code in languages}
    return ALL in langs or lang.lower() in langs


def is_entitled(languages: Collection[str], formats: Collection[str], lang: str, fmt: str) -> bool:
    """True when a partner with ``languages`` and ``formats`` may read ``lang`` in ``fmt``."""
    chosen = set(formats) or {ALL}
    return reads_language(languages, lang) and (ALL in chosen or fmt in chosen)
