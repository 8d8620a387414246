"""The review desk in a real browser (issue 18): Debian's chromium, driven by Playwright,
against the whole service (redis-server, a worker and the API as subprocesses) holding
Sorani for review. An editor logs in with the form's ``token`` field, finds the held Sorani
article, checks it reads right to left, edits a segment with the keyboard (its tags kept),
approves it and sees the edit in the ckb feed; a second article is rejected and nothing of
it is published. The queue and the article page are photographed into docs/."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from desk_service import REPO, TABLET, Desk, login
from e2e_processes import wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def test_login_sets_a_strict_session_cookie_and_every_page_a_self_only_policy(
    browser: Browser, desk: Desk
) -> None:
    page = browser.new_context().new_page()
    first = page.goto(f"{desk.base}/desk/")
    assert first is not None
    policy = first.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    page.fill("input[name=token]", "syned_wrong")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text().startswith("That token opens nothing")
    page = login(browser, desk, desk.token)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "syndicate_desk"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert page.evaluate("document.cookie").find("syndicate_desk=") < 0
    forged = page.request.post(f"{desk.base}/desk/review/{desk.second}/ckb/approve", form={})
    assert forged.status == 403 and "CSRF" in forged.text()  # the session alone is not enough
    assert desk.state(desk.second) == "in_review"
    page.click("text=Log out")
    page.wait_for_selector("input[name=token]")


def _shots(tmp_path: Path) -> Path:
    """docs/ when asked (SYNDICATE_SCREENSHOTS=1 refreshes the README's pictures), else a
    temporary folder: a test run must not leave the checkout changed."""
    return REPO / "docs" if os.environ.get("SYNDICATE_SCREENSHOTS") else tmp_path


def test_edit_with_the_keyboard_approve_and_see_it_in_the_feed(
    browser: Browser, desk: Desk, tmp_path: Path
) -> None:
    page = login(browser, desk, desk.token)
    link = page.locator(f"a.item[href='/desk/review/{desk.sorani}/ckb']")
    assert link.count() == 1
    page.screenshot(path=str(_shots(tmp_path) / "desk-queue.png"), full_page=True)
    link.click()
    page.wait_for_selector("table.segments")
    assert page.locator("h1[dir=rtl][lang=ckb]").count() == 1
    texts = page.locator("td.translation .text")
    assert (
        texts.count() > 5 and texts.count() == page.locator("td.translation .text[dir=rtl]").count()
    )
    page.screenshot(path=str(_shots(tmp_path) / "desk-article.png"), full_page=False)
    row = page.locator("tr.segment", has=page.locator("td.translation .tag")).first
    tags = row.locator("td.translation .tag").count()
    row.focus()
    page.keyboard.press("e")
    area = row.locator("textarea")
    assert area.evaluate("el => el === document.activeElement")
    text = area.input_value()
    assert "<1>" in text
    area.fill(text.replace("<1>", "<1>DESKEDIT ", 1))
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("tr.segment.edited")
    edited = page.locator("tr.segment.edited")
    assert "DESKEDIT" in edited.locator("td.translation .text").inner_text()
    assert edited.locator("td.translation .text .tag").count() == tags
    assert "Edited by dilan" in edited.inner_text()
    assert "edited" in page.locator("ol.history").inner_text()
    page.click("button.approve")
    page.wait_for_selector("h1:has-text('Waiting for review')")
    before = _published_before(desk, "DESKEDIT")
    assert before.rstrip().endswith(">")  # the edit sits inside the tag it was written in
    # the feeds are stored before the state says published (docs/architecture.md, step 3):
    # a poll may see the item a moment before the state does
    desk.wait_state(desk.sorani, "published")


def _published_before(desk: Desk, mark: str) -> str:
    """The published ckb body up to ``mark``, once the feed shows it."""
    wait_for(lambda: mark in desk.feed(), 120, "the edit in the ckb feed")
    body: str = next(
        i["bodies"][0]["value"] for i in json.loads(desk.feed())["items"] if mark in json.dumps(i)
    )
    return body[: body.index(mark)]


def test_a_rejected_article_publishes_nothing(browser: Browser, desk: Desk) -> None:
    page = login(browser, desk, desk.token)
    page.goto(f"{desk.base}/desk/review/{desk.second}/ckb")
    page.fill("input[name=reason]", "names are wrong")
    page.click("button.danger")
    page.wait_for_selector("h1:has-text('Waiting for review')")
    assert desk.state(desk.second) == "rejected"
    assert page.locator(f"a.item[href='/desk/review/{desk.second}/ckb']").count() == 0
    assert desk.second not in desk.feed()


def test_the_pages_read_on_a_tablet_without_sideways_scrolling(
    browser: Browser, desk: Desk
) -> None:
    page = login(browser, desk, desk.token, viewport=TABLET)
    for path in ("/desk/", f"/desk/review/{desk.second}/ckb"):
        page.goto(f"{desk.base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
