"""The translate stage end to end on real (tiny gloss) Argos packages: the shared sample and
our own richly marked-up article, en->ar and en->tr, through the CLI and into the feeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from syndicate.config import load_settings, read_glossary
from syndicate.feeds.newsml import render_news_item
from syndicate.feeds.record import Provider, derive_publication
from syndicate.markup.segments import to_xhtml_fragment
from syndicate.models.engine import engine_from
from syndicate.news.article import Article, parse_article, parse_article_json
from syndicate.translation.stage import translate_article

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO.parent / "shared" / "samples" / "rudaw-isis-final-moments.json"
OWN = REPO / "tests" / "data" / "erbil-floods.json"
ARTICLES = [pytest.param(SAMPLE, id="rudaw-sample"), pytest.param(OWN, id="erbil-floods")]


def _cli(models: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNDICATE_MODELS_DIR": str(models)}
    return subprocess.run(
        [sys.executable, "-m", "syndicate.cli", *args],
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _translate(models: Path, article: Article, lang: str) -> Article:
    settings = load_settings({"SYNDICATE_MODELS_DIR": str(models)})
    engine = engine_from(settings)
    return translate_article(
        article,
        lang,
        engine.translator("en", lang),
        engine.models_for("en", lang),
        read_glossary(settings.glossary),
    )


def _body(article: Article) -> etree._Element:
    return etree.fromstring(article.body_html)


@pytest.mark.parametrize("path", ARTICLES)
def test_cli_translates_to_arabic_and_turkish_keeping_names_and_tags(
    demo_models_dir: Path, path: Path
) -> None:
    done = _cli(demo_models_dir, "translate", str(path), "--to", "ar,tr")
    assert done.returncode == 0, done.stderr
    source = parse_article_json(path.read_bytes())
    outputs: list[dict[str, Any]] = json.loads(done.stdout)
    assert [o["language"] for o in outputs] == ["ar", "tr"]
    for data in outputs:
        translated = parse_article(data, allow_translation=True)
        assert translated.tags == source.tags
        assert [c.name for c in translated.credits] == [c.name for c in source.credits]
        assert [c.role for c in translated.credits] == [c.role for c in source.credits]
        for credit in source.credits:
            assert credit.name in (translated.credit_line or "")
        assert translated.headline != source.headline
        assert translated.translation is not None
        assert translated.translation.models[0].demo is True


@pytest.mark.parametrize("path", ARTICLES)
def test_body_keeps_its_structure_links_and_embeds(demo_models_dir: Path, path: Path) -> None:
    source = parse_article_json(path.read_bytes())
    for lang, direction in (("ar", "rtl"), ("tr", "ltr")):
        original = etree.fromstring(to_xhtml_fragment(source.body_html, lang))
        body = _body(_translate(demo_models_dir, source, lang))
        assert (body.get("lang"), body.get("dir")) == (lang, direction)
        assert [e.tag for e in body.iter()] == [e.tag for e in original.iter()]
        for mine, theirs in zip(body.iter(), original.iter(), strict=True):
            assert {k: v for k, v in mine.attrib.items() if k != "alt"} == {
                k: v for k, v in theirs.attrib.items() if k != "alt"
            }
        for embed in ("iframe", "video", "audio", "code", "pre", "time"):
            assert [etree.tostring(e) for e in body.iter(embed)] == [
                etree.tostring(e) for e in original.iter(embed)
            ]


def test_whole_sentences_translate_exactly_with_the_gloss_lexicon(demo_models_dir: Path) -> None:
    article = parse_article_json(OWN.read_bytes())
    ar, tr = (_translate(demo_models_dir, article, lang) for lang in ("ar", "tr"))
    assert _body(ar).findall(".//li")[0].text == "The طريق to الموصل was closed."
    assert _body(tr).findall(".//li")[0].text == "The yol to Musul was closed."
    assert ar.headline == "فيضانات hit أربيل as مطر continues for third يوم"
    assert tr.headline == "Seller hit Erbil as yağmur continues for third gün"


def test_a_link_over_lexicon_words_wraps_exactly_their_translations(
    demo_models_dir: Path,
) -> None:
    article = parse_article_json(OWN.read_bytes())
    ar, tr = (_translate(demo_models_dir, article, lang) for lang in ("ar", "tr"))
    for translated, words in ((ar, "the مدينة"), (tr, "the şehir")):
        link = _body(translated).find(".//a")
        assert link is not None
        assert link.text == words
        assert link.get("href") == "https://www.example.org/tags/erbil"
        assert link.tail is not None and link.tail.startswith(" on Wednesday")


def test_protected_text_and_numbers_come_back_verbatim(demo_models_dir: Path) -> None:
    article = parse_article_json(OWN.read_bytes())
    body = _body(_translate(demo_models_dir, article, "ar"))
    span = body.find(".//span[@translate='no']")
    assert span is not None and span.text == "Greater Zab"
    text = "".join(body.itertext())
    for verbatim in ("2.5", "40", "9 a.m.", "Rudaw", "KRG", "Peshmerga"):
        assert verbatim in text


def test_glossary_rendering_replaces_isis_in_arabic(demo_models_dir: Path) -> None:
    article = parse_article_json(SAMPLE.read_bytes())
    ar = _translate(demo_models_dir, article, "ar")
    assert "ISIS" not in ar.body_html and "ISIS" not in ar.headline
    assert ar.body_html.count("داعش") == article.body_html.count("ISIS")


def test_translated_article_renders_a_valid_newsml_item(
    demo_models_dir: Path, newsml_schema: etree.XMLSchema
) -> None:
    article = parse_article_json(SAMPLE.read_bytes())
    provider = Provider(name="Rudaw", domain="rudaw.net", uri="https://www.rudaw.net/")
    for lang in ("ar", "tr"):
        translated = _translate(demo_models_dir, article, lang)
        pub = derive_publication(translated, provider, "https://feeds.example.org")
        item = etree.fromstring(
            render_news_item(translated, pub, now=datetime(2026, 1, 1, tzinfo=UTC))
        )
        newsml_schema.assertValid(item)
        assert "demo" in "".join(item.itertext())


def test_bad_article_exits_2_with_one_line_per_field(demo_models_dir: Path) -> None:
    bad = json.dumps({"id": "x y", "version": 0, "language": "en", "headline": ""}).encode()
    done = _cli(demo_models_dir, "translate", "-", "--to", "ar", stdin=bad)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    fields = {line.split(": ")[1] for line in lines}
    assert {"id", "version", "headline", "published_at"} <= fields
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_missing_model_exits_1_naming_the_pair(demo_models_dir: Path) -> None:
    done = _cli(demo_models_dir, "translate", str(SAMPLE), "--to", "fr")
    assert done.returncode == 1
    assert "en->fr" in done.stderr or "en-fr" in done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_missing_file_exits_2_with_one_line(demo_models_dir: Path, tmp_path: Path) -> None:
    done = _cli(demo_models_dir, "translate", str(tmp_path / "nope.json"), "--to", "ar")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot read" in done.stderr


def test_a_body_past_the_limits_exits_2_with_one_line(demo_models_dir: Path) -> None:
    data = json.loads(SAMPLE.read_bytes())
    data["body_html"] = "<div>" * 300 + "x" + "</div>" * 300 + "<p>lost</p>"
    done = _cli(demo_models_dir, "translate", "-", "--to", "ar", stdin=json.dumps(data).encode())
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("-: body_html: nests elements") and done.stdout == ""
