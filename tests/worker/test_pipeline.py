"""The pipeline steps on a real redis-server with the tiny gloss models: what each task does,
called directly (style guide 10), including redelivery, superseded versions and kills."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from redis import Redis

from syndicate.errors import StaleVersion, UnknownLanguage
from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.models.engine import Engine
from syndicate.news.article import Article, ArticleStatus, parse_article
from syndicate.news.states import LanguageState, Outcome
from syndicate.store import articles, feeds
from syndicate.store.feeds import FeedFormat
from syndicate.translation.glossary import parse_glossary
from syndicate.worker import failures, intake, items, rendering, translating

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE = "https://feeds.example.org"
SITE = FeedSite(make_provider("Example News", "example.org", "", BASE), BASE, 5, 50)
GLOSSARY = parse_glossary({})
CONFIGURED = ("ar", "tr", "ckb", "kmr")


@pytest.fixture(scope="module")
def source() -> Article:
    return parse_article(json.loads(SAMPLE.read_text("utf-8")))


@pytest.fixture(scope="module")
def engine(demo_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """English to Arabic and Turkish only: Sorani and Kurmanji have no model here."""
    models = tmp_path_factory.mktemp("partial") / "models"
    models.mkdir()
    for name in ("translate-en_ar-demo", "translate-en_tr-demo"):
        (models / name).symlink_to(demo_models_dir / name)
    return Engine(models)


def _states(redis: Redis, article_id: str) -> dict[str, LanguageState]:
    return {lang: s.state for lang, s in articles.get_status(redis, article_id)[1].items()}


def _run_all(redis: Redis, engine: Engine, article: Article, now: datetime = NOW) -> None:
    """What the worker does for one accepted version: ingest, translate each, publish."""
    items.publish_source(redis, article.id, article.version, now, site=SITE)
    fan = intake.fan_out(redis, engine, article.id, article.version, CONFIGURED, now)
    langs = [article.language, *fan.withdraw, *fan.translate]
    for lang in langs[1:]:
        ids = (article.id, article.version, lang)
        translating.translate_language(redis, engine, GLOSSARY, ids, now, site=SITE)
    for lang in langs:
        rendering.publish_language(redis, (article.id, article.version, lang), SITE, now)


def _rss_guids(redis: Redis, lang: str) -> list[str]:
    feed = feeds.read_feed(redis, lang, FeedFormat.RSS)
    assert feed is not None
    return [g.text or "" for g in etree.fromstring(feed.body).iter("guid")]


def test_accept_queues_the_source_and_every_target(redis: Redis, source: Article) -> None:
    accepted = intake.accept(redis, source, ["de"], NOW)
    assert accepted.outcome is Outcome.WRITTEN
    assert accepted.targets == ("ar", "tr", "ckb", "kmr")  # the article's own targets win
    assert set(_states(redis, source.id).values()) == {LanguageState.QUEUED}
    assert set(_states(redis, source.id)) == {"en", "ar", "tr", "ckb", "kmr"}


def test_default_targets_apply_and_never_include_the_source(redis: Redis, source: Article) -> None:
    article = replace(source, targets=None)
    assert intake.accept(redis, article, ["en", "ar"], NOW).targets == ("ar",)


def test_accepting_an_older_version_raises_and_keeps_the_newer(
    redis: Redis, source: Article
) -> None:
    intake.accept(redis, replace(source, version=2), [], NOW)
    with pytest.raises(StaleVersion):
        intake.accept(redis, source, [], NOW)
    assert articles.get_article(redis, source.id).article.version == 2


def test_full_run_publishes_with_a_model_and_says_no_model_without(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    _run_all(redis, engine, source)
    states = _states(redis, source.id)
    assert states == {
        "en": LanguageState.PUBLISHED,
        "ar": LanguageState.PUBLISHED,
        "tr": LanguageState.PUBLISHED,
        "ckb": LanguageState.NO_MODEL,
        "kmr": LanguageState.NO_MODEL,
    }
    reason = articles.get_status(redis, source.id)[1]["ckb"].reason or ""
    assert "en->ckb" in reason
    arabic = articles.get_item(redis, source.id, "ar")
    assert arabic is not None and arabic.article.language == "ar"
    assert arabic.article.headline != source.headline
    for lang in ("en", "ar", "tr"):
        assert _rss_guids(redis, lang) == [f"urn:newsml:example.org:20261120:{source.id}:{lang}"]


def test_redelivered_translation_changes_nothing(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    _run_all(redis, engine, source)
    before = feeds.read_feed(redis, "ar", FeedFormat.NEWSML)
    again = translating.translate_language(
        redis, engine, GLOSSARY, (source.id, 1, "ar"), NOW, site=SITE
    )
    assert again.outcome is Outcome.ALREADY_DONE and again.segments == 0
    rendering.render_language(redis, "ar", SITE, NOW + timedelta(minutes=1))
    assert feeds.read_feed(redis, "ar", FeedFormat.NEWSML) == before


def test_translation_memory_spares_the_model_on_an_unchanged_update(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    first = translating.translate_language(
        redis, engine, GLOSSARY, (source.id, 1, "ar"), NOW, site=SITE
    )
    assert first.segments > 0
    update = replace(source, version=2, headline="Floods hit Erbil for a fourth day")
    intake.accept(redis, update, [], NOW)
    second = translating.translate_language(
        redis, engine, GLOSSARY, (source.id, 2, "ar"), NOW, site=SITE
    )
    assert second.outcome is Outcome.WRITTEN
    assert second.segments == 1  # only the new headline went to the model


def test_task_of_a_superseded_version_does_nothing(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    intake.accept(redis, replace(source, version=2), [], NOW)
    old = translating.translate_language(
        redis, engine, GLOSSARY, (source.id, 1, "ar"), NOW, site=SITE
    )
    assert old.outcome is Outcome.STALE
    assert articles.get_item(redis, source.id, "ar") is None
    assert items.publish_source(redis, source.id, 1, NOW, site=SITE) is Outcome.STALE
    assert intake.fan_out(redis, engine, source.id, 1, CONFIGURED, NOW) == intake.FanOut()


def test_withdrawal_cancels_every_language_that_went_out(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    _run_all(redis, engine, source)
    kill = replace(source, version=2, status=ArticleStatus.WITHDRAWN, body_html=None)
    intake.accept(redis, kill, [], NOW)
    _run_all(redis, engine, kill, NOW + timedelta(minutes=5))
    states = _states(redis, source.id)
    assert set(states.values()) == {LanguageState.WITHDRAWN}
    for lang in ("en", "ar", "tr"):
        assert _rss_guids(redis, lang) == []
        newsml = feeds.read_feed(redis, lang, FeedFormat.NEWSML)
        assert newsml is not None and b"stat:canceled" in newsml.body
        item = articles.get_item(redis, source.id, lang)
        assert item is not None and item.article.body_html  # the last text, kept for NewsML


def test_requeue_puts_back_only_unfinished_languages(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    _run_all(redis, engine, source)
    done = intake.requeue(redis, engine, source.id, None, CONFIGURED, NOW)
    assert (done.version, done.source, sorted(done.again)) == (1, "en", ["ckb", "kmr"])
    assert _states(redis, source.id)["ckb"] is LanguageState.QUEUED
    assert intake.requeue(redis, engine, source.id, ["ar"], CONFIGURED, NOW).again == ()


def test_requeue_makes_ingests_checks(redis: Redis, engine: Engine, source: Article) -> None:
    """A target no worker would translate ends no_model again, as at ingest, rather than
    queued for ever; a language nothing knows is refused before anything changes."""
    article = replace(source, targets=("ar", "de"))
    intake.accept(redis, article, CONFIGURED, NOW)
    done = intake.requeue(redis, engine, article.id, ["ar", "de"], CONFIGURED, NOW)
    assert done.again == ("ar",)
    assert done.no_model == (("de", "no translation model installed for en->de"),)
    status = articles.get_status(redis, article.id)[1]["de"]
    assert (status.state, status.reason) == (LanguageState.NO_MODEL, done.no_model[0][1])
    with pytest.raises(UnknownLanguage, match="unknown language xx"):
        intake.requeue(redis, engine, article.id, ["ar", "xx"], CONFIGURED, NOW)
    assert intake.requeue(redis, engine, article.id, ["ckb"], CONFIGURED, NOW).again == ("ckb",)


def test_failure_is_recorded_with_its_reason(redis: Redis, source: Article) -> None:
    intake.accept(redis, source, [], NOW)
    failures.fail_language(redis, (source.id, 1, "tr"), "TranslationRejected: empty", NOW)
    status = articles.get_status(redis, source.id)[1]["tr"]
    assert (status.state, status.reason) == (LanguageState.FAILED, "TranslationRejected: empty")


def test_embargoed_item_enters_the_feed_only_when_the_embargo_ends(
    redis: Redis, engine: Engine, source: Article
) -> None:
    embargoed = replace(source, embargo_until=NOW + timedelta(hours=1))
    intake.accept(redis, embargoed, [], NOW)
    items.publish_source(redis, source.id, 1, NOW, site=SITE)
    edition = rendering.render_language(redis, "en", SITE, NOW)
    assert edition.stale_at == NOW + timedelta(hours=1)
    assert _rss_guids(redis, "en") == []
    empty = feeds.read_feed(redis, "en", FeedFormat.NEWSML)
    assert empty is not None and empty.body == b""  # no NewsML item yet: a poll gets 404
    rendering.render_language(redis, "en", SITE, NOW + timedelta(hours=1, seconds=1))
    assert len(_rss_guids(redis, "en")) == 1


def test_unconfigured_target_without_a_model_ends_as_no_model_at_once(
    redis: Redis, engine: Engine, source: Article
) -> None:
    article = replace(source, targets=("ar", "de", "ckb"))
    intake.accept(redis, article, ["ar", "tr", "ckb"], NOW)
    fan = intake.fan_out(redis, engine, article.id, 1, ["ar", "tr", "ckb"], NOW)
    assert fan == intake.FanOut(translate=("ar", "ckb"))  # ckb is configured: its worker
    status = articles.get_status(redis, article.id)[1]["de"]  # may have the model
    assert status.state is LanguageState.NO_MODEL and "en->de" in (status.reason or "")


def test_a_kill_goes_to_every_target_at_once_even_one_no_model_serves(
    redis: Redis, engine: Engine, source: Article
) -> None:
    kill = replace(source, status=ArticleStatus.WITHDRAWN, body_html=None, targets=("ar", "de"))
    intake.accept(redis, kill, ["ar"], NOW)
    fan = intake.fan_out(redis, engine, kill.id, 1, ["ar"], NOW)
    assert fan == intake.FanOut(withdraw=("ar", "de"))
    _run_all(redis, engine, kill)
    assert set(_states(redis, kill.id).values()) == {LanguageState.WITHDRAWN}


def test_later_versions_reach_every_language_that_went_out_whatever_their_targets(
    redis: Redis, engine: Engine, source: Article
) -> None:
    intake.accept(redis, source, [], NOW)
    _run_all(redis, engine, source)  # out in en, ar, tr (ckb, kmr: no model)
    narrower = replace(source, version=2, headline="Erbil floods recede", targets=("ar",))
    assert intake.accept(redis, narrower, [], NOW).targets == ("ar", "tr")
    _run_all(redis, engine, narrower)
    turkish = articles.get_item(redis, source.id, "tr")
    assert turkish is not None and turkish.article.version == 2  # no stale v1 left in tr
    kill = replace(source, version=3, status=ArticleStatus.WITHDRAWN, body_html=None)
    kill = replace(kill, targets=("kmr",))
    assert intake.accept(redis, kill, [], NOW).targets == ("kmr", "ar", "tr")
    _run_all(redis, engine, kill, NOW + timedelta(minutes=5))
    for lang in ("en", "ar", "tr"):
        assert _rss_guids(redis, lang) == []
    assert set(_states(redis, source.id).values()) == {LanguageState.WITHDRAWN}


def test_translated_counts_the_stored_translations_flags_by_reason(
    redis: Redis, engine: Engine, source: Article
) -> None:
    odd = replace(source, id="odd-words", headline="Zorvex quilpt")  # no lexicon word in it
    intake.accept(redis, odd, [], NOW)
    done = translating.translate_language(
        redis, engine, GLOSSARY, (odd.id, 1, "ar"), NOW, site=SITE
    )
    stored = articles.get_item(redis, odd.id, "ar")
    assert stored is not None and stored.article.translation is not None
    reasons = [f.reason for f in stored.article.translation.flags]
    assert done.flags == {r: reasons.count(r) for r in set(reasons)}
    assert done.flags.get("untranslated", 0) >= 1
