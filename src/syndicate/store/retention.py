"""Retention of finished articles: the store forgets an article a while after its work
ended, so Redis does not grow with every article ever received (docs/operations.md,
"Retention"; keys.py lists what goes).

The finished index (``syn:finished``, kept by the Lua scripts that change states, in the
same step) says when each article's latest version ended in every language. ``prune``
takes the oldest entries past the cutoff, at most ``limit`` a call, and removes each
article with one script that looks again first: an article a newer version reopened, one
held for an editor, or one a feed still shows (among the newest ``feed_size`` live or
withdrawn items of one of its languages, or under embargo) is kept. So a feed never loses
an item it shows, and an article updated within the retention keeps its record, its
``first_created`` and so its guid.
"""

from __future__ import annotations

from collections import Counter
from typing import cast

from syndicate.store import keys, scripts
from syndicate.store.client import Client, decode_text, guarded, run_script


@guarded
def prune(
    client: Client, finished_before: float, feed_size: int, now: float, limit: int
) -> Counter[str]:
    """Remove up to ``limit`` articles finished before ``finished_before`` (epoch s), each
    with its state, languages set, items and review logs; returns the outcomes counted (``pruned``;
    ``shown``: still in a feed, looked at again a retention later; ``kept``, ``changed``)."""
    found = client.zrangebyscore(keys.finished_key(), "-inf", finished_before, 0, limit)
    ids = [decode_text(raw) for raw in cast(list[bytes], found)]
    pipe = client.pipeline(transaction=False)
    for article_id in ids:
        pipe.smembers(keys.langs_key(article_id))
    outcomes: Counter[str] = Counter()
    for article_id, members in zip(ids, pipe.execute(), strict=True):
        langs = sorted(decode_text(m) for m in cast(set[bytes], members))
        ids_of = [keys.finished_key(), keys.article_key(article_id), keys.state_key(article_id)]
        ids_of.append(keys.langs_key(article_id))
        for lang in langs:
            ids_of += [keys.items_key(lang), keys.live_key(lang), keys.withdrawn_key(lang)]
            ids_of += [keys.seq_key(lang), keys.review_log_key(article_id, lang)]
        args = [article_id, repr(finished_before), feed_size, repr(now), *langs]
        outcomes[decode_text(run_script(client, scripts.PRUNE, ids_of, args))] += 1
    return outcomes
