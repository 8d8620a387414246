"""`syndicate enqueue` and `syndicate backfill` in-process, on a real redis-server: articles
are stored, ingest messages land in the broker's `syndicate` list, bad input is exit 2 with
one line per problem, a Redis outage is exit 1 in one line."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from redis import Redis

from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.news.article import parse_article_json
from syndicate.news.states import LanguageState
from syndicate.store import articles

if TYPE_CHECKING:
    from conftest import RedisServer

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
RUDAW = SAMPLE / "rudaw-isis-final-moments.json"
ERBIL = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
RUDAW_ID = "rudaw-20022019-isis-final-moments"
ERBIL_ID = "newsroom-2026-11-erbil-floods"


def messages(client: Redis, queue: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of every message waiting in a Celery queue on Redis."""
    found = []
    for raw in client.lrange(queue, 0, -1):
        envelope = json.loads(raw)
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        found.append((envelope["headers"]["task"], args))
    return found


def _article(path: Path, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return {**data, **changes}


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_enqueue_stores_each_article_and_sends_its_ingest(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["enqueue", str(RUDAW), str(ERBIL)], service_settings) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{RUDAW_ID}: version 1 queued for ar, tr, ckb, kmr",
        f"{ERBIL_ID}: version 1 queued for ar, tr, ckb, kmr",
    ]
    assert sorted(messages(service, "syndicate")) == [
        ("syndicate.ingest", [ERBIL_ID, 1, "en"]),
        ("syndicate.ingest", [RUDAW_ID, 1, "en"]),
    ]
    _, states = articles.get_status(service, RUDAW_ID)
    assert {lang: s.state for lang, s in states.items()} == dict.fromkeys(
        ["ar", "ckb", "en", "kmr", "tr"], LanguageState.QUEUED
    )


def test_enqueue_of_a_known_version_sends_nothing_more(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["enqueue", str(RUDAW)], service_settings) == 0
    assert cli.main(["enqueue", str(RUDAW)], service_settings) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{RUDAW_ID}: version 1 already known"
    assert service.llen("syndicate") == 1


def test_enqueue_dispatches_a_stored_version_whose_ingest_was_never_sent(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    article = parse_article_json(RUDAW.read_bytes())  # its sender died, its claim lapsed
    languages = [article.language, *(article.targets or ())]
    articles.save_version(service, article, languages, datetime.now(UTC), claim_seconds=0)
    assert cli.main(["enqueue", str(RUDAW)], service_settings) == 0
    assert "never reached the broker: queued now" in capsys.readouterr().out
    assert messages(service, "syndicate") == [("syndicate.ingest", [RUDAW_ID, 1, "en"])]


def test_enqueue_reads_arrays_and_standard_input(
    service_settings: Settings,
    service: Redis,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    both = _write(tmp_path / "both.json", [_article(RUDAW), _article(ERBIL, targets=["ar"])])
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(both.read_bytes())))
    assert cli.main(["enqueue", "-"], service_settings) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{RUDAW_ID}: version 1 queued for ar, tr, ckb, kmr",
        f"{ERBIL_ID}: version 1 queued for ar",
    ]
    assert service.llen("syndicate") == 2


def test_enqueue_rejects_an_invalid_article_with_one_line_per_field(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path / "bad.json", _article(RUDAW, headline="", colour="red"))
    assert cli.main(["enqueue", str(bad)], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 2
    assert any(line.startswith(f"{bad}: headline: ") for line in lines)
    assert any(line.startswith(f"{bad}: colour: ") for line in lines)
    assert service.keys("syn:*") == []
    assert service.llen("syndicate") == 0


def test_enqueue_goes_on_after_a_bad_file_and_still_exits_2(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ', "utf-8")
    assert (
        cli.main(
            ["enqueue", str(broken), str(tmp_path / "missing.json"), str(ERBIL)], service_settings
        )
        == 2
    )
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{ERBIL_ID}: version 1 queued for ar, tr, ckb, kmr"]
    assert [line.split(": ")[:2] for line in captured.err.splitlines()] == [
        [str(broken), "$"],
        [str(tmp_path / "missing.json"), "$"],
    ]
    assert service.llen("syndicate") == 1


def test_enqueue_of_an_older_version_names_the_stored_one_and_exits_2(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = _write(tmp_path / "v2.json", _article(RUDAW, version=2))
    assert cli.main(["enqueue", str(newer)], service_settings) == 0
    assert cli.main(["enqueue", str(RUDAW)], service_settings) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "version 1 is older than stored version 2" in err[0]
    assert articles.get_article(service, RUDAW_ID).article.version == 2
    assert service.llen("syndicate") == 1


def test_enqueue_without_redis_is_one_line_and_exit_1(
    service_settings: Settings,
    throwaway_redis_server: RedisServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    throwaway_redis_server.stop()
    settings = replace(service_settings, redis_url=throwaway_redis_server.url)
    assert cli.main(["enqueue", str(RUDAW)], settings) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith("syndicate enqueue: Redis unavailable")
    assert "Traceback" not in captured.err


def test_backfill_queues_the_good_reports_the_bad_and_exits_2(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "a-good.json", _article(RUDAW))
    bad = _write(tmp_path / "b-bad.json", [_article(ERBIL, version=0), _article(ERBIL)])
    (tmp_path / "notes.txt").write_text("not an article", "utf-8")
    assert cli.main(["backfill", str(tmp_path)], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["backfill: 2 queued, 0 known, 0 stale, 1 invalid"]
    assert f"{bad}[0]: version: " in captured.err
    assert "backfill" in captured.err  # the progress bar
    assert sorted(args[0] for _, args in messages(service, "syndicate")) == [ERBIL_ID, RUDAW_ID]


def test_backfill_again_counts_known_and_stale_and_exits_0(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "a.json", _article(RUDAW, version=2))
    assert cli.main(["backfill", str(tmp_path)], service_settings) == 0
    _write(tmp_path / "b.json", _article(RUDAW))
    assert cli.main(["backfill", str(tmp_path)], service_settings) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "backfill: 0 queued, 1 known, 1 stale, 0 invalid"
    assert "older than stored version 2" in captured.err
    assert service.llen("syndicate") == 1


def test_backfill_of_a_missing_directory_is_exit_2(
    service_settings: Settings, service: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["backfill", str(tmp_path / "nowhere")], service_settings) == 2
    assert capsys.readouterr().err.strip().endswith("not a directory")
