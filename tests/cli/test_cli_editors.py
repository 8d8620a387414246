"""`syndicate editors add|list|revoke` in-process on a real redis-server (issue 18): the
token is printed once, only its SHA-256 is stored, it opens the review API for the
editor's languages until revoked; `syndicate status` shows the held count and age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.desk.access import actor_for, token_digest
from syndicate.news.article import parse_article
from syndicate.translation.glossary import parse_glossary
from syndicate.translation.stage import draft_translation
from syndicate.worker import holding, intake

from refusals import MINIMAL
from stub_translators import upper


def _add(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> str:
    assert cli.main(["editors", "add", *args], settings) == 0
    captured = capsys.readouterr()
    assert "shown this once" in captured.err
    (token,) = captured.out.splitlines()
    return token


def test_add_prints_a_token_once_and_stores_its_digest_only(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    token = _add(capsys, service_settings, "dilan", "--languages", "ckb,kmr")
    stored = b"".join(
        b"".join(service.hgetall(k).values()) if service.type(k) == b"hash" else b""
        for k in service.keys("*")
    )
    assert token.encode() not in stored and token_digest(token).encode() in stored
    actor = actor_for(service, token, None)
    assert actor is not None and actor.may_review("ckb") and not actor.may_review("ar")
    assert cli.main(["editors", "list"], service_settings) == 0
    listed = capsys.readouterr().out
    assert "dilan" in listed and "ckb,kmr" in listed and token not in listed
    assert cli.main(["editors", "revoke", "dilan"], service_settings) == 0
    assert actor_for(service, token, None) is None
    assert cli.main(["editors", "revoke", "dilan"], service_settings) == 2


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["operator", "--languages", "ckb"], "not operator"),
        (["bad name", "--languages", "ckb"], "a name is"),
        (["dilan", "--languages", "ckb,not a tag"], "--languages"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    service_settings: Settings,
    service: Redis,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    problem: str,
) -> None:
    assert cli.main(["editors", "add", *args], service_settings) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert problem in line


def test_a_name_is_added_once(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(capsys, service_settings, "dilan", "--languages", "ckb")
    assert cli.main(["editors", "add", "dilan", "--languages", "ar"], service_settings) == 2


def test_status_shows_the_held_count_and_the_oldest_age(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    article = parse_article(MINIMAL)
    intake.accept(service, article, ["ckb"], datetime.now(UTC))
    draft = draft_translation(article, "ckb", upper, (), parse_glossary({}))
    holding.hold(service, draft, datetime.now(UTC) - timedelta(minutes=5))
    assert cli.main(["status", "--json"], service_settings) == 0
    review = json.loads(capsys.readouterr().out)["review"]
    assert review["ckb"]["held"] == 1 and 290 < review["ckb"]["oldest_seconds"] < 600
    assert cli.main(["status", article.id], service_settings) == 0
    assert "in_review" in capsys.readouterr().out
    assert cli.main(["status"], service_settings) == 0
    assert "review" in capsys.readouterr().out
