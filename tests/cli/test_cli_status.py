"""`syndicate status [ID]` and `syndicate retry` in-process on a real redis-server, and the
recent-failures index they read (ops.note_failure, written by the pipeline)."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.models.engine import Engine
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, ops
from syndicate.translation.glossary import parse_glossary
from syndicate.worker import failures, translating

from api_support import feed_site

ERBIL = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
ERBIL_ID = "newsroom-2026-11-erbil-floods"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def enqueued(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> Redis:
    """The Erbil article enqueued (version 1, every language queued), output discarded."""
    assert cli.main(["enqueue", str(ERBIL)], service_settings) == 0
    capsys.readouterr()
    return service


def _tasks(client: Redis, queue: str) -> list[tuple[str, list[Any]]]:
    found = []
    for raw in client.lrange(queue, 0, -1):
        envelope = json.loads(raw)
        found.append(
            (envelope["headers"]["task"], json.loads(base64.b64decode(envelope["body"]))[0])
        )
    return found


def _set(client: Redis, lang: str, state: LanguageState, reason: str | None = None) -> None:
    assert articles.set_state(client, ERBIL_ID, 1, lang, state, NOW, reason) is Outcome.WRITTEN


def test_status_of_an_article_is_a_row_per_language_source_first(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(enqueued, "en", LanguageState.PUBLISHED)
    _set(enqueued, "ckb", LanguageState.NO_MODEL, "no translation model installed for en->ckb")
    assert cli.main(["status", ERBIL_ID], service_settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{ERBIL_ID}: version 1 (published), source en")
    assert lines[1].split() == ["lang", "state", "version", "at", "reason"]
    rows = [line.split(None, 4) for line in lines[2:]]
    assert [r[0] for r in rows] == ["en", "ar", "ckb", "kmr", "tr"]
    assert rows[0][1:4] == ["published", "1", "2026-11-20T12:00:00Z"]
    assert rows[2][1] == "no_model"
    assert rows[2][4] == "no translation model installed for en->ckb"
    assert rows[1][1] == "queued"


def test_status_json_matches_the_api_shape(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(enqueued, "tr", LanguageState.FAILED, "TranslationRejected: runaway output")
    assert cli.main(["status", "--json", ERBIL_ID], service_settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["id"], data["version"], data["status"]) == (ERBIL_ID, 1, "published")
    assert set(data["languages"]) == {"en", "ar", "tr", "ckb", "kmr"}
    assert data["languages"]["tr"] == {
        "state": "failed",
        "version": 1,
        "at": NOW.isoformat(),
        "reason": "TranslationRejected: runaway output",
    }


def test_status_of_an_unknown_article_is_exit_2(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status", "no-such-id"], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.err == "syndicate status: no-such-id: no such article\n"


def test_status_overview_shows_every_default_queue_and_recent_failures(
    service_settings: Settings, enqueued: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failures.fail_language(enqueued, (ERBIL_ID, 1, "tr"), "ValueError: boom", NOW)
    no_models = Engine(tmp_path / "no-models")
    ids = (ERBIL_ID, 1, "ckb")
    later = NOW + timedelta(minutes=1)
    done = translating.translate_language(
        enqueued, no_models, parse_glossary({}), ids, later, site=feed_site()
    )
    assert done.outcome is LanguageState.NO_MODEL
    assert cli.main(["status"], service_settings) == 0
    out = capsys.readouterr().out
    where, waiting, recent = out.split("\n\n")
    assert where.startswith("redis: 127.0.0.1:") and "master, 0 replicas connected" in where
    queues = dict(line.split() for line in waiting.splitlines()[1:])
    assert queues == {
        "syndicate": "1",
        "translate.ar": "0",
        "translate.tr": "0",
        "translate.ckb": "0",
        "translate.kmr": "0",
    }
    listed = recent.splitlines()
    assert listed[0].startswith("recent failures")
    assert listed[2].split(None, 5) == [
        "2026-11-20T12:01:00Z",
        ERBIL_ID,
        "1",
        "ckb",
        "no_model",
        "no translation model installed for en->ckb",
    ]
    assert listed[3].split(None, 5)[3:] == ["tr", "failed", "ValueError: boom"]


def test_status_overview_json_on_an_empty_store(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status", "--json"], service_settings) == 0
    data = json.loads(capsys.readouterr().out)
    where = data.pop("redis")
    assert where["role"] == "master" and where["sentinels"] is None
    assert where["master"] == service_settings.redis_url.split("/")[2]
    assert data == {
        "queues": {
            "syndicate": 0,
            "translate.ar": 0,
            "translate.tr": 0,
            "translate.ckb": 0,
            "translate.kmr": 0,
        },
        "review": {},
        "push": [],
        "failures": [],
    }


def test_status_shows_every_queue_a_worker_consumes(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    ops.note_worker(service, "w1@host", NOW, ["syndicate", "translate.fa"])
    ops.note_worker(service, "w2@host", NOW, ["translate.ps", "translate.fa"])
    ops.note_worker(service, "w3@host", NOW)  # a beat that names no queue changes nothing
    assert ops.broker_queues(service) == ["syndicate", "translate.fa", "translate.ps"]
    assert cli.main(["status", "--json"], service_settings) == 0
    queues = json.loads(capsys.readouterr().out)["queues"]
    assert list(queues)[-2:] == ["translate.fa", "translate.ps"]
    assert set(queues) == {"syndicate", "translate.fa", "translate.ps"} | {
        f"translate.{lang}" for lang in service_settings.default_targets
    }


def test_failures_index_keeps_the_newest_hundred(service: Redis) -> None:
    for n in range(ops.FAILURES_KEPT + 5):
        at = NOW + timedelta(seconds=n)
        ops.note_failure(service, f"a{n}", 1, "ar", LanguageState.FAILED, "boom", at)
    recent = ops.recent_failures(service, 1000)
    assert len(recent) == ops.FAILURES_KEPT
    assert recent[0].article_id == f"a{ops.FAILURES_KEPT + 4}"
    assert recent[0].at == NOW + timedelta(seconds=ops.FAILURES_KEPT + 4)
    assert recent[-1].article_id == "a5"
    assert [f.article_id for f in ops.recent_failures(service, 2)] == ["a104", "a103"]


def test_retry_requeues_a_no_model_language_and_enqueues_its_translation(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    for lang in ("en", "ar", "tr", "kmr"):
        _set(enqueued, lang, LanguageState.PUBLISHED)
    _set(enqueued, "ckb", LanguageState.NO_MODEL, "no translation model installed for en->ckb")
    assert cli.main(["retry", ERBIL_ID], service_settings) == 0
    assert capsys.readouterr().out == f"{ERBIL_ID}: version 1 requeued for ckb\n"
    assert _tasks(enqueued, "translate.ckb") == [("syndicate.translate", [ERBIL_ID, 1, "ckb"])]
    _, states = articles.get_status(enqueued, ERBIL_ID)
    assert states["ckb"].state is LanguageState.QUEUED
    assert states["ar"].state is LanguageState.PUBLISHED


def test_retry_of_chosen_languages_takes_repeats_and_commas(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["retry", ERBIL_ID, "--lang", "ar,tr", "--lang", "kmr"], service_settings) == 0
    assert capsys.readouterr().out == f"{ERBIL_ID}: version 1 requeued for ar, tr, kmr\n"
    for lang in ("ar", "tr", "kmr"):
        assert enqueued.llen(f"translate.{lang}") == 1
    assert enqueued.llen("translate.ckb") == 0


def test_retry_with_nothing_unfinished_says_so_and_exits_0(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    for lang in ("en", "ar", "tr", "ckb", "kmr"):
        _set(enqueued, lang, LanguageState.PUBLISHED)
    assert cli.main(["retry", ERBIL_ID], service_settings) == 0
    assert "nothing to retry" in capsys.readouterr().out
    assert [k for k in enqueued.keys("translate.*")] == []


def test_retry_of_an_unknown_article_or_a_bad_language_is_exit_2(
    service_settings: Settings, enqueued: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["retry", "no-such-id"], service_settings) == 2
    assert cli.main(["retry", ERBIL_ID, "--lang", "a r"], service_settings) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "syndicate retry: no-such-id: no such article",
        "syndicate retry: --lang: not a language tag: a r",
    ]


def test_retry_of_a_language_no_worker_would_translate_ends_no_model(
    service_settings: Settings, enqueued: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16: it went back to ``queued`` on a queue no worker reads, for ever."""
    reason = "no translation model installed for en->de"
    _set(enqueued, "de", LanguageState.NO_MODEL, reason)  # ingest ended it so
    settings = replace(service_settings, models_dir=tmp_path / "no-models")
    assert cli.main(["retry", ERBIL_ID, "--lang", "de"], settings) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"syndicate retry: {ERBIL_ID}: version 1: de ends no_model: {reason}"
    ]
    status = articles.get_status(enqueued, ERBIL_ID)[1]["de"]
    assert (status.state, status.reason) == (LanguageState.NO_MODEL, reason)
    assert enqueued.llen("translate.de") == 0


def test_retry_of_a_language_nothing_knows_is_exit_2_and_changes_nothing(
    service_settings: Settings, enqueued: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = replace(service_settings, models_dir=tmp_path / "no-models")
    before = articles.get_status(enqueued, ERBIL_ID)[1]
    assert cli.main(["retry", ERBIL_ID, "--lang", "ar,xx"], settings) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"syndicate retry: --lang: unknown language xx: not configured, served by no installed"
        f" package and not among {ERBIL_ID}'s languages"
    ]
    assert articles.get_status(enqueued, ERBIL_ID)[1] == before
    assert enqueued.llen("translate.ar") == 0 and enqueued.llen("translate.xx") == 0
