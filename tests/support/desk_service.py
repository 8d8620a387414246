"""The review desk's running service as the browser tests drive it (tests/desk/): the
articles they post, the states they wait for, the feed they read, and a logged-in page."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from running_service import OPERATOR_TOKEN

from syndicate.api.credentials import SIGNATURE_HEADER, sign_timestamped

from e2e_processes import wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
SAMPLE = REPO.parent / "shared" / "samples" / "rudaw-isis-final-moments.json"
SECOND = TESTS / "data" / "basra-water.json"
SECRET = "desk-newsroom-secret"
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}


@dataclass
class Desk:
    base: str
    http: httpx.Client
    partner_key: str
    token: str
    sorani: str
    second: str
    posted: list[str]

    def post(self, article: dict[str, Any]) -> str:
        body = json.dumps(article).encode()
        headers = {"Content-Type": "application/json"}
        headers[SIGNATURE_HEADER] = sign_timestamped(body, SECRET, int(time.time()))
        answer = self.http.post(f"{self.base}/v1/articles", content=body, headers=headers)
        assert answer.status_code == 202, answer.text
        self.posted.append(article["id"])
        return str(article["id"])

    def state(self, article_id: str, lang: str = "ckb") -> str | None:
        auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
        answer = self.http.get(f"{self.base}/v1/articles/{article_id}", headers=auth)
        langs = answer.json().get("languages", {}) if answer.status_code == 200 else {}
        return langs.get(lang, {}).get("state")

    def wait_state(self, article_id: str, state: str, lang: str = "ckb") -> None:
        wait_for(lambda: self.state(article_id, lang) == state, 120, f"{article_id} {state}")

    def feed(self) -> str:
        auth = {"Authorization": f"Bearer {self.partner_key}"}
        answer = self.http.get(f"{self.base}/v1/feeds/ckb.json", headers=auth)
        return answer.text if answer.status_code == 200 else ""


def article(path: Path, article_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data | {"id": article_id, "version": 1, "targets": ["ckb"]}


def login(browser: Browser, desk: Desk, token: str, **context: Any) -> Page:
    page = browser.new_context(**({"viewport": LAPTOP} | context)).new_page()
    page.goto(f"{desk.base}/desk/")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Waiting for review')")
    return page
