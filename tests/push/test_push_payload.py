"""What a push carries (push/payload.py): one item in the partner's format, a signature a
receiver can check with the push secret, and an idempotency key per item version."""

from __future__ import annotations

import json
from dataclasses import replace

import feedparser
from lxml import etree

from syndicate.api.credentials import Verdict, verify
from syndicate.feeds.rss import WITHDRAWN_NOTE
from syndicate.push.payload import (
    DELIVERY_HEADER,
    PushFormat,
    item_ref,
    push_headers,
    render_body,
)
from syndicate.signing import SIGNATURE_HEADER

from feed_samples import NOW, channel, entry, kobani_ar, withdrawn

SECRET = "whsec_test"
NAR = "{http://iptc.org/std/nar/2006-10-01/}"


def test_each_format_carries_the_one_item_with_its_guid_and_version() -> None:
    article, pub = entry(kobani_ar())
    newsml = etree.fromstring(render_body(PushFormat.NEWSML, article, pub, channel("ar"), NOW))
    assert (newsml.tag, newsml.get("guid")) == (f"{NAR}newsItem", pub.guid)
    assert newsml.get("version") == str(article.version)
    ninjs = json.loads(render_body(PushFormat.NINJS, article, pub, channel("ar"), NOW))
    assert (ninjs["uri"], ninjs["version"], ninjs["language"]) == (pub.guid, "2", "ar")
    rss = feedparser.parse(render_body(PushFormat.RSS_ITEM, article, pub, channel("ar"), NOW))
    assert [e.id for e in rss.entries] == [pub.guid]
    assert rss.entries[0].title == article.headline


def test_a_kill_says_canceled_and_carries_no_story() -> None:
    article, pub = entry(withdrawn(kobani_ar()))
    ninjs = json.loads(render_body(PushFormat.NINJS, article, pub, channel("ar"), NOW))
    assert ninjs["pubStatus"] == "canceled" and "bodies" not in ninjs
    body = render_body(PushFormat.RSS_ITEM, article, pub, channel("ar"), NOW)
    rss = feedparser.parse(body)
    assert [e.id for e in rss.entries] == [pub.guid]
    assert rss.entries[0].summary == WITHDRAWN_NOTE
    assert b"content:encoded" not in body


def test_an_embargoed_item_is_rendered_as_it_shows_when_the_embargo_ends() -> None:
    later = replace(kobani_ar(), embargo_until=NOW.replace(year=NOW.year + 1))
    article, pub = entry(later)
    ninjs = json.loads(render_body(PushFormat.NINJS, article, pub, channel("ar"), NOW))
    assert ninjs["embargoedUntil"].startswith(str(NOW.year + 1))


def test_the_signature_verifies_with_the_push_secret_only_and_binds_the_time() -> None:
    article, pub = entry(kobani_ar())
    body = render_body(PushFormat.NINJS, article, pub, channel("ar"), NOW)
    at = int(NOW.timestamp())
    headers = push_headers(PushFormat.NINJS, body, SECRET, at, item_ref(article, pub))
    signature = headers[SIGNATURE_HEADER]
    assert signature.startswith(f"t={at},v1=")
    assert verify(body, SECRET, signature, at + 5, 300) is Verdict.VALID
    assert verify(body, "whsec_other", signature, at, 300) is Verdict.BAD
    assert verify(body + b" ", SECRET, signature, at, 300) is Verdict.BAD
    assert verify(body, SECRET, signature, at + 301, 300) is Verdict.STALE
    assert headers[DELIVERY_HEADER] == f"{pub.guid}:{article.version}"
    assert headers["Content-Type"].startswith("application/json")
    assert (headers["X-Syndicate-Item"], headers["X-Syndicate-Language"]) == (article.id, "ar")


def test_every_version_has_its_own_idempotency_key() -> None:
    first, pub = entry(kobani_ar())
    killed, _ = entry(withdrawn(kobani_ar()))
    keys = {item_ref(a, pub).delivery_id for a in (first, killed)}
    assert keys == {f"{pub.guid}:{first.version}", f"{pub.guid}:{first.version + 1}"}
    assert item_ref(killed, pub).withdrawn and not item_ref(first, pub).withdrawn
