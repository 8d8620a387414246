"""`syndicate feeds render`: from a directory of article JSON files to feed bytes on stdout."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from lxml import etree

from syndicate.cli import feeds as cli_feeds
from syndicate.config import Settings, load_settings
from syndicate.feeds.xml import fromstring
from syndicate.news.article_json import article_to_dict

from feed_samples import SAMPLE, kobani_ar, kobani_en, kobani_tr

NOW = "2025-06-02T12:00:00Z"


def feed_settings() -> Settings:
    """The feeds' settings: the defaults, without the project's file, on the agency's URL."""
    env = {
        "SYNDICATE_PUBLIC_BASE_URL": "https://feeds.rudaw.net",
        "SYNDICATE_FEED_SIZE": "10",
        "SYNDICATE_CONFIG": "/nonexistent.toml",
    }
    return load_settings(env)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    (tmp_path / "rudaw.json").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "kobani-en.json").write_text(json.dumps(article_to_dict(kobani_en())), "utf-8")
    old = replace(kobani_en(), version=1, headline="Old headline", updated_at=None)
    (tmp_path / "kobani-en-v1.json").write_text(json.dumps(article_to_dict(old)), "utf-8")
    translated = [article_to_dict(kobani_ar()), article_to_dict(kobani_tr())]
    (tmp_path / "kobani-translated.json").write_text(json.dumps(translated), "utf-8")
    (tmp_path / "notes.txt").write_text("not an article", "utf-8")
    return tmp_path


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    parser = argparse.ArgumentParser(prog="syndicate")
    cli_feeds.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["feeds", "render", *argv])
    code: int = args.handler(args, feed_settings())
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


def test_rss_for_a_translation_language(
    articles: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run(
        capsysbinary, "ar", "--format", "rss", "--from", str(articles), "--now", NOW
    )
    assert (code, err) == (0, "")
    feed = feedparser.parse(out)
    assert feed.bozo == 0 and feed.feed.language == "ar"
    assert [e.title for e in feed.entries] == [kobani_ar().headline]
    assert feed.entries[0].id == "urn:newsml:feeds.rudaw.net:20250601:kobani-water-2025:ar"


def test_newsml_for_the_source_language_keeps_the_latest_version(
    articles: Path, capsysbinary: pytest.CaptureFixture[bytes], newsml_schema: etree.XMLSchema
) -> None:
    code, out, _ = run(
        capsysbinary, "en", "--format", "newsml", "--from", str(articles), "--now", NOW
    )
    root = fromstring(out)
    assert code == 0 and newsml_schema.validate(root), newsml_schema.error_log
    ns = {"n": "http://iptc.org/std/nar/2006-10-01/"}
    headlines = [h.text for h in root.iterfind("n:itemSet/n:newsItem//n:headline", ns)]
    sample = json.loads(SAMPLE.read_text("utf-8"))
    assert headlines == [kobani_en().headline, sample["headline"]]


def test_ninjs_feed(
    articles: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    ninjs_validator: Draft202012Validator,
) -> None:
    code, out, _ = run(
        capsysbinary,
        "tr",
        "--format",
        "ninjs",
        "--from",
        str(articles),
        "--now",
        NOW,
        "--limit",
        "5",
    )
    value = json.loads(out)
    assert code == 0 and value["self"] == "https://feeds.rudaw.net/v1/feeds/tr.json"
    for item in value["items"]:
        ninjs_validator.validate(item)
    assert [i["language"] for i in value["items"]] == ["tr"]


@pytest.mark.parametrize("version", ["1.6", "2.2"])
def test_ninjs_feed_in_an_older_version(
    articles: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    ninjs_validators: dict[str, Validator],
    version: str,
) -> None:
    argv = ["ar", "--format", "ninjs", "--ninjs-version", version, "--from", str(articles)]
    code, out, _ = run(capsysbinary, *argv, "--now", NOW)
    (item,) = json.loads(out)["items"]
    assert code == 0 and item["language"] == "ar"
    ninjs_validators[version].validate(item)


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        ("bad-json", ["en", "--format", "rss"], "not JSON"),
        ("not-object", ["en", "--format", "rss"], "not an article object"),
        ("none", ["en", "--format", "newsml"], "no visible item"),
        ("none", ["en", "--format", "rss", "--now", "yesterday"], "--now"),
        ("none", ["en", "--format", "rss", "--now", "2025-06-02T12:00:00"], "offset"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    setup: str,
    argv: list[str],
    message: str,
) -> None:
    if setup == "bad-json":
        (tmp_path / "a.json").write_text("{", "utf-8")
    elif setup == "not-object":
        (tmp_path / "a.json").write_text("[1]", "utf-8")
    code, out, err = run(capsysbinary, *argv, "--from", str(tmp_path))
    assert (code, out) == (2, b"")
    assert err.count("\n") == 1 and message in err and err.startswith("syndicate: feeds render:")


def test_missing_directory_is_an_error(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _, err = run(capsysbinary, "en", "--format", "rss", "--from", "/nonexistent/dir")
    assert code == 2 and "not a directory" in err
