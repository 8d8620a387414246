"""The WebSub hub's rules (push/websub.py): what a subscription request must hold, which
topics this hub serves, the signature a subscriber checks, the challenge it must echo."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from syndicate.push import websub

BASE = "https://feeds.example.org"
FORM = {
    "hub.mode": "subscribe",
    "hub.topic": f"{BASE}/v1/feeds/ar.rss",
    "hub.callback": "https://partner.example.com/cb",
}


def test_a_subscription_request_is_read_with_its_lease_and_secret() -> None:
    intent = websub.read_intent({**FORM, "hub.lease_seconds": "3600", "hub.secret": "s3"})
    assert (intent.mode, intent.lease_seconds, intent.secret) == ("subscribe", 3600, "s3")
    assert websub.read_intent(FORM).lease_seconds == websub.DEFAULT_LEASE
    assert (
        websub.read_intent({**FORM, "hub.lease_seconds": "99999999"}).lease_seconds
        == websub.MAX_LEASE
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hub.mode": "publish"}, "hub.mode"),
        ({"hub.topic": ""}, "hub.topic"),
        ({"hub.callback": ""}, "hub.callback"),
        ({"hub.lease_seconds": "-5"}, "hub.lease_seconds"),
        ({"hub.lease_seconds": "0"}, "hub.lease_seconds"),
        ({"hub.secret": "x" * 200}, "hub.secret"),
    ],
)
def test_a_bad_request_names_its_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        websub.read_intent({**FORM, **changes})


def test_only_this_hubs_rss_and_newsml_feeds_are_topics() -> None:
    assert websub.topic_feed(f"{BASE}/v1/feeds/ar.rss", BASE) == ("ar", "rss")
    assert websub.topic_feed(f"{BASE}/v1/feeds/ckb-IQ.xml", BASE + "/") == ("ckb-IQ", "newsml")
    others = [f"{BASE}/v1/feeds/ar.json", "https://other.example/v1/feeds/ar.rss"]
    others += [f"{BASE}/v1/feeds/not a tag.rss", f"{BASE}/v1/items/x/ar.xml"]
    for topic in others:
        assert websub.topic_feed(topic, BASE) is None


def test_a_distribution_is_signed_with_the_subscribers_secret_and_links_hub_and_self() -> None:
    body = b"<rss/>"
    headers = websub.distribution_headers(
        "application/rss+xml", body, f"{BASE}/v1/websub", FORM["hub.topic"], "s3"
    )
    expected = hmac.new(b"s3", body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature"] == f"sha256={expected}"
    assert headers["Link"] == f'<{BASE}/v1/websub>; rel="hub", <{FORM["hub.topic"]}>; rel="self"'
    assert "X-Hub-Signature" not in websub.distribution_headers("t", body, "h", "t", None)


def test_the_intent_holds_only_when_the_challenge_comes_back() -> None:
    assert websub.challenge_met("abc", 200, "abc\n")
    assert not websub.challenge_met("abc", 200, "abd")
    assert not websub.challenge_met("abc", 404, "abc")
    assert not websub.challenge_met("abc", None, "")
