"""Articles and publication records the feed tests render: the Rudaw sample and our own.

``kobani_*`` is an article of our own with images, a video, five credits and non-Latin
tags, in English and as hand-written Arabic and Turkish translations.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.feeds.record import Channel, Entry, Provider, derive_publication, feed_url
from syndicate.news.article import (
    Article,
    ArticleStatus,
    Credit,
    Media,
    MediaType,
    ModelInfo,
    Rights,
    Translation,
)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "samples" / "rudaw-isis-final-moments.json"
STANDARDS = Path(os.environ.get("SYNDICATE_STANDARDS_DIR", SHARED / "standards"))
BASE_URL = "https://feeds.example.org"
PROVIDER = Provider(name="Rudaw", domain="rudaw.net", uri="https://www.rudaw.net/")
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rudaw_sample() -> Article:
    """The shared sample, built directly (credits as the credits parser yields them)."""
    raw: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    return Article(
        id=raw["id"],
        version=raw["version"],
        language=raw["language"],
        published_at=_when(raw["published_at"]),
        headline=raw["headline"],
        body_html=raw["body_html"],
        source=raw["source"],
        section=raw["section"],
        dateline=raw["dateline"],
        tags=tuple(raw["tags"]),
        credit_line=raw["credit_line"],
        credits=(
            Credit("reporting", "Vivyan Fatah", "Syria"),
            Credit("production", "Ayub Nuri"),
            Credit("video_editing", "Masoud Mustafa"),
        ),
        rights=Rights(holder=raw["rights"]["holder"]),
    )


KOBANI_TAGS = ("Kobani", "کۆبانێ", "سوريا", "Türkiye", "water & power", "💧")
KOBANI_CREDITS = (
    Credit("reporting", "Hêvî Mustafa", "Kobani"),
    Credit("additional_reporting", "Sîdar Ehmed", "Qamishli"),
    Credit("photography", "Zana Omer"),
    Credit("video_editing", "Masoud Mustafa"),
    Credit("voice over", "Lara O'Neil & Co."),
)
KOBANI_MEDIA = (
    Media(
        MediaType.IMAGE,
        "https://img.example.org/kobani/tank.jpg",
        "A water tank on the edge of Kobani & its queue",
        "Zana Omer/Rudaw",
    ),
    Media(MediaType.IMAGE, "https://img.example.org/kobani/well.jpg", "A new well", None),
    Media(
        MediaType.VIDEO, "https://video.example.org/kobani.mp4", "Residents speak", "Masoud Mustafa"
    ),
    Media(MediaType.AUDIO, None, "Interview (no file yet)", None),
)
KOBANI_RIGHTS = Rights(
    "Rudaw Media Network",
    "© 2025 Rudaw. All rights reserved.",
    "Licensed partners only; no resale.",
)


def kobani_en() -> Article:
    return Article(
        id="kobani-water-2025",
        version=2,
        language="en",
        published_at=_when("2025-06-01T08:00:00+03:00"),
        updated_at=_when("2025-06-01T10:30:00Z"),
        headline="Kobani's water < crisis > & the ]]> problem",
        summary="Residents of Kobani queue for water as wells run dry.",
        dateline="KOBANI, Syria",
        url="https://www.rudaw.net/english/kobani-water",
        source="Rudaw",
        body_html=(
            "<p>Residents <strong>queue</strong> for water &amp; power.</p>"
            '<figure><img src="https://img.example.org/kobani/tank.jpg" alt="A tank"/>'
            "<figcaption>A water tank</figcaption></figure>"
            "<p>Officials say ]]&gt; is not a problem &lt;here&gt;.</p>"
        ),
        tags=KOBANI_TAGS,
        credits=KOBANI_CREDITS,
        credit_line=(
            "Reporting by Hêvî Mustafa in Kobani, additional reporting by Sîdar Ehmed "
            "in Qamishli, photography by Zana Omer, video editing by Masoud Mustafa, "
            "voice over by Lara O'Neil & Co."
        ),
        media=KOBANI_MEDIA,
        rights=KOBANI_RIGHTS,
    )


def _translation(target: str, demo: bool) -> Translation:
    model = ModelInfo(f"en-{target}", f"translate-en_{target}", "1.9", demo)
    return Translation(source_language="en", source_version=2, models=(model,))


def kobani_ar() -> Article:
    en = kobani_en()
    return Article(
        id=en.id,
        version=en.version,
        language="ar",
        published_at=en.published_at,
        updated_at=en.updated_at,
        headline="أزمة المياه في كوباني & مشكلة ]]>",
        summary="سكان كوباني يصطفون للحصول على الماء مع جفاف الآبار.",
        dateline="كوباني، سوريا",
        source=en.source,
        url=en.url,
        body_html=(
            '<div lang="ar" dir="rtl"><p>السكان <strong>يصطفون</strong> للماء &amp; الكهرباء.'
            "</p><p>يقول المسؤولون إن ]]&gt; ليست مشكلة.</p></div>"
        ),
        tags=en.tags,
        credits=tuple(Credit(c.role, c.name, c.location) for c in en.credits),
        credit_line="تقرير: Hêvî Mustafa في كوباني، تصوير: Zana Omer",
        media=en.media,
        rights=en.rights,
        translation=_translation("ar", demo=True),
    )


def kobani_tr() -> Article:
    en = kobani_en()
    return Article(
        id=en.id,
        version=en.version,
        language="tr",
        published_at=en.published_at,
        updated_at=en.updated_at,
        headline="Kobani'de su krizi: İnsanlar kuyruğa giriyor",
        summary="Kuyular kururken Kobani sakinleri su için sıraya giriyor.",  # noqa: RUF001
        dateline="KOBANİ, Suriye",
        source=en.source,
        body_html=(
            '<div lang="tr" dir="ltr"><p>Sakinler su &amp; elektrik için '
            "<strong>sıraya giriyor</strong>.</p></div>"  # noqa: RUF001
        ),
        tags=en.tags,
        credits=en.credits,
        credit_line="Haber: Hêvî Mustafa, Kobani",
        media=en.media,
        rights=en.rights,
        translation=_translation("tr", demo=False),
    )


def kobani_ckb() -> Article:
    """Central Kurdish (Sorani), right to left, from a demo model."""
    en = kobani_en()
    return Article(
        id=en.id,
        version=en.version,
        language="ckb",
        published_at=en.published_at,
        updated_at=en.updated_at,
        headline="قەیرانی ئاو لە کۆبانێ & کێشەی ]]>",
        summary="دانیشتووانی کۆبانێ بۆ ئاو ڕیز دەبەستن.",
        dateline="کۆبانێ، سووریا",
        source=en.source,
        url=en.url,
        body_html=(
            '<div lang="ckb" dir="rtl"><p>دانیشتووان بۆ ئاو &amp; کارەبا '
            '<strong>ڕیز دەبەستن</strong>.</p><p><a href="https://www.rudaw.net/">ڕووداو</a>'
            " دەڵێت ]]&gt; کێشە نییە.</p></div>"
        ),
        tags=en.tags,
        credits=en.credits,
        credit_line="ڕاپۆرت: Hêvî Mustafa لە کۆبانێ",
        media=en.media,
        rights=en.rights,
        translation=_translation("ckb", demo=True),
    )


TRANSLATIONS = {"ar": kobani_ar, "tr": kobani_tr, "ckb": kobani_ckb}


def edition_articles(lang: str) -> list[Article]:
    """What one language's feeds carry in the consumer tests: the Kobani story (source or
    translation) and a withdrawn story; English adds the Rudaw sample."""
    if lang == "en":
        return [kobani_en(), rudaw_sample(), withdrawn(_killed(rudaw_sample()))]
    return [TRANSLATIONS[lang](), withdrawn(_killed(TRANSLATIONS[lang]()))]


def _killed(article: Article) -> Article:
    return replace(article, id=f"killed-{article.id}")


def entry(article: Article) -> Entry:
    return article, derive_publication(article, PROVIDER, BASE_URL)


def channel(lang: str, extension: str = "rss") -> Channel:
    return Channel(
        lang=lang,
        title=f"Rudaw ({lang})",
        description=f"Rudaw stories in {lang}",
        link="https://www.rudaw.net/",
        self_url=feed_url(BASE_URL, lang, extension),
        provider=PROVIDER,
    )


def withdrawn(article: Article) -> Article:
    return replace(
        article, status=ArticleStatus.WITHDRAWN, version=article.version + 1, body_html=""
    )
