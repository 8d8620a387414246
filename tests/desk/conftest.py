"""Browser fixtures: one running service holding Sorani for review, and Debian's chromium
driven by Playwright, one browser for the session
(its executable_path, never a browser download); skipped with the reason where no
chromium is installed (.ci/run installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest
from running_service import running_service

from syndicate.desk.access import new_editor_token, token_digest
from syndicate.store import editors
from syndicate.store.client import connect

from desk_service import SAMPLE, SECOND, SECRET, TESTS, Desk, article

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM: Final = Path("/usr/bin/chromium")
FLAGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def desk(demo_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The service holding ckb, with the sample and a second article held, and an editor."""
    directory = tmp_path_factory.mktemp("desk")
    env = {"SYNDICATE_NEWSROOM_SECRET": SECRET, "SYNDICATE_REVIEW_HOLD": "ckb"}
    with running_service(directory, demo_models_dir, **env) as up:
        token = new_editor_token()
        client = connect(up.redis.url)
        editors.add_editor(
            client, editors.Editor("dilan", token_digest(token), ("ckb", "kmr"), datetime.now(UTC))
        )
        client.close()
        source = SAMPLE if SAMPLE.exists() else TESTS / "data" / "erbil-floods.json"
        found = Desk(up.base, up.http, up.partner_key, token, "", "", [])
        sorani = article(source, "desk-sorani")
        sorani["body_html"] = _linked(sorani["body_html"])
        found.sorani = found.post(sorani)
        found.second = found.post(article(SECOND, "desk-second"))
        for article_id in (found.sorani, found.second):
            found.wait_state(article_id, "in_review")
        yield found


def _linked(body: str) -> str:
    """The sample's first paragraph with a link and a strong word, so there are tags to
    keep (the sample itself is plain paragraphs)."""
    first = body.index("</p>")
    words = body[:first].split(" ")
    words[3] = f'<a href="https://www.rudaw.net/english">{words[3]}</a>'
    words[6] = f"<strong>{words[6]}</strong>"
    return " ".join(words) + body[first:]
