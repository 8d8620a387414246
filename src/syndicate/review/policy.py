"""Which translations wait for an editor, and which languages an editor may act on
(issue 18): the ``[review]`` settings and an editor's ``--languages``, read the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from syndicate.news.languages import primary

EVERY: Final = "*"


def covers(langs: Sequence[str], lang: str) -> bool:
    """True when ``langs`` names ``lang``, its primary language (``ar`` covers ``ar-IQ``)
    or ``*``; case does not matter."""
    wanted = {code.strip().lower() for code in langs}
    return EVERY in wanted or lang.lower() in wanted or primary(lang).lower() in wanted


@dataclass(frozen=True, slots=True)
class ReviewPolicy:
    """``hold``: every translation into these languages waits for an editor;
    ``hold_flagged``: one waits only if an output check flagged a segment. Other
    languages publish at once."""

    hold: tuple[str, ...] = ()
    hold_flagged: tuple[str, ...] = ()

    def holds(self, lang: str, flagged: bool) -> bool:
        return covers(self.hold, lang) or (flagged and covers(self.hold_flagged, lang))
