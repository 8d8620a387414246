"""A Superdesk newsroom posting to us, end to end: real redis-server, a real worker with
the gloss models and the API under uvicorn, driven over real HTTP with the bytes and the
signature Superdesk's HTTP push sends. The push is translated and published, a second
version updates every feed, a canceled one withdraws it everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from running_service import OPERATOR_TOKEN, running_service

from e2e_processes import wait_for
from foreign_samples import ROUTE, SUPERDESK_SECRET, superdesk_headers, superdesk_push, transmitted

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
FINAL = {"en": "published", "ar": "published", "tr": "published"}
FINAL |= {"ckb": "no_model", "kmr": "no_model"}


@dataclass
class Newsroom:
    base: str
    key: str
    http: httpx.Client

    def push(self, item: dict[str, Any]) -> httpx.Response:
        body = transmitted(item)
        return self.http.post(f"{self.base}{ROUTE}", content=body, headers=superdesk_headers(body))

    def states(self, article_id: str, version: int) -> dict[str, str] | None:
        answer = self.http.get(
            f"{self.base}/v1/articles/{article_id}",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
        )
        langs = answer.json().get("languages", {}) if answer.status_code == 200 else {}
        if not langs or any(s["version"] != version for s in langs.values()):
            return None
        return {lang: s["state"] for lang, s in langs.items()}

    def wait(self, article_id: str, version: int, expected: dict[str, str]) -> None:
        wait_for(
            lambda: self.states(article_id, version) == expected, 90, f"{article_id} v{version}"
        )

    def get(self, path: str) -> httpx.Response:
        answer = self.http.get(
            f"{self.base}{path}", headers={"Authorization": f"Bearer {self.key}"}
        )
        assert answer.status_code == 200, answer.text
        return answer


@pytest.fixture(scope="module")
def newsroom(
    partial_models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Newsroom]:
    directory = tmp_path_factory.mktemp("ingest")
    secret = {"SYNDICATE_SUPERDESK_SECRET": SUPERDESK_SECRET}
    with running_service(directory, partial_models_dir, **secret) as up:
        yield Newsroom(up.base, up.partner_key, up.http)


def _rss_items(newsroom: Newsroom, lang: str, article_id: str) -> list[etree._Element]:
    rss = etree.fromstring(newsroom.get(f"/v1/feeds/{lang}.rss").content)
    return [
        i for i in rss.iter("item") if (i.findtext("guid") or "").endswith(f":{article_id}:{lang}")
    ]


def test_a_superdesk_push_is_translated_published_updated_and_withdrawn(newsroom: Newsroom) -> None:
    item = superdesk_push()
    article_id = item["guid"]
    answer = newsroom.push(item)
    assert answer.status_code == 202, answer.text
    newsroom.wait(article_id, 1, FINAL)
    for lang in ("en", "ar", "tr"):
        (rss_item,) = _rss_items(newsroom, lang, article_id)
        media = rss_item.find(f"{MEDIA}content")
        assert media is not None and media.get("url", "").endswith("5c8e1e2a.jpg")
        news_item = etree.fromstring(newsroom.get(f"/v1/items/{article_id}/{lang}.xml").content)
        creators = [c.findtext(f"{G2}name") for c in news_item.iter(f"{G2}creator")]
        assert creators == ["Vivyan Fatah"]  # writing; editing and photos are contributors
        assert [k.text for k in news_item.iter(f"{G2}keyword")] == list(
            ("flood", "weather", "Kurdistan Region", "floods")
        )
        ninjs = json.loads(newsroom.get(f"/v1/feeds/{lang}.json").content)
        assert [i["version"] for i in ninjs["items"] if article_id in i["uri"]] == ["1"]
    arabic = etree.fromstring(newsroom.get(f"/v1/items/{article_id}/ar.xml").content)
    assert arabic.findtext(f".//{G2}headline") != item["headline"]  # translated

    update = superdesk_push(version="2", headline="Erbil floods: schools stay shut")
    assert newsroom.push(update).status_code == 202
    newsroom.wait(article_id, 2, FINAL)
    english = etree.fromstring(newsroom.get(f"/v1/items/{article_id}/en.xml").content)
    assert english.get("version") == "2"
    assert english.findtext(f".//{G2}headline") == "Erbil floods: schools stay shut"
    assert newsroom.push(update).status_code == 200  # Superdesk retrying: a replay

    kill = superdesk_push(
        version="3", pubstatus="canceled", body_html="<p>This story was withdrawn.</p>"
    )
    assert newsroom.push(kill).status_code == 202
    newsroom.wait(article_id, 3, dict.fromkeys(FINAL, "withdrawn"))
    for lang in ("en", "ar", "tr"):
        wait_for(lambda lg=lang: not _rss_items(newsroom, lg, article_id), 30, f"{lang} kill")
        canceled = etree.fromstring(newsroom.get(f"/v1/items/{article_id}/{lang}.xml").content)
        assert canceled.find(f".//{G2}pubStatus").get("qcode") == "stat:canceled"
