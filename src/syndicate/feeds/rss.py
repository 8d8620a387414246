"""RSS 2.0 per language, following the RSS Advisory Board's Best Practices Profile.

Built with lxml rather than feedgen: feedgen has no ``media:credit``, no paging links, a
mutable get-or-set builder, and formats dates by switching the process locale; an RSS
channel is a dozen elements, so building the tree directly is shorter and keeps the
project's one parser and one cleaning rule (``feeds.xml``).

Plain-text elements (title, category, dc:creator) carry the text as is; ``description`` is
the summary (else the body's first paragraph, shortened) as entity-encoded HTML, so a
summary reading ``<b>`` stays text in readers and no reader takes the whole body, the
machine-translation note first, as the abstract;
``content:encoded`` is the XHTML body in a CDATA section, a ``]]>`` inside it split over two
sections. As the profile recommends, ``&``, ``<`` and ``>`` in character data are written as
hexadecimal references. Dates use ``email.utils.format_datetime`` in GMT, never the locale.

What partners' software reads (issue 10):
- ``pubDate`` and ``atom:updated`` are when this version showed (its version time, or its
  embargo's end): pollers such as Superdesk take only items newer than their last poll, so
  with version 1's date a correction or a lifted embargo was never ingested. The guid stays.
- One ``dc:creator``, the byline (the authors' names, else every credited name): readers
  such as feedparser keep only the last ``dc:creator``, which showed the video editor.
  Each person's role stays machine-readable as an item-level ``media:credit`` with a
  ``role`` from the provider's credit-role scheme (the one NewsML's ``exrole`` uses).
- ``media:content`` carries a MIME ``type`` (Superdesk drops media without one).
"""

from __future__ import annotations

import copy
import html
import mimetypes
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from syndicate import __version__
from syndicate.feeds.content import body_element, body_markup, translation_note
from syndicate.feeds.record import Channel, Entry, Publication, select_entries, visible_since
from syndicate.feeds.xml import aware, clean_text, element, format_rfc3339, sub, to_bytes
from syndicate.news.article import Article, ArticleStatus, Media, MediaType
from syndicate.news.roles import is_author_role

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
NSMAP: dict[str | None, str] = {"atom": ATOM, "content": CONTENT, "dc": DC, "media": MEDIA}
_ENCODED = f"{{{CONTENT}}}encoded"
_MEDIUM = {MediaType.IMAGE: "image", MediaType.VIDEO: "video", MediaType.AUDIO: "audio"}
# When a URL's extension names no type of its medium: the medium's common container.
_FALLBACK_TYPE = {
    MediaType.IMAGE: "image/jpeg",
    MediaType.VIDEO: "video/mp4",
    MediaType.AUDIO: "audio/mpeg",
}
# The standard library's built-in table only: no system mime.types read from disk.
_TYPES = mimetypes.MimeTypes(filenames=())
ABSTRACT_CHARS = 300  # a description made from the body stops at a word before this
# The profile's recommended spelling of the three characters the serialiser escapes.
_HEX_REFS = ((b"&amp;", b"&#x26;"), (b"&lt;", b"&#x3C;"), (b"&gt;", b"&#x3E;"))


def format_rfc822(value: datetime) -> str:
    """An RFC 822 date with a four-digit year, in GMT, independent of the locale."""
    return format_datetime(aware(value).astimezone(UTC), usegmt=True)


def _channel_meta(channel_el: etree._Element, channel: Channel, now: datetime) -> None:
    sub(channel_el, "title", channel.title)
    sub(channel_el, "link", channel.link)
    sub(channel_el, "description", channel.description)
    sub(channel_el, "language", channel.lang)
    sub(channel_el, "lastBuildDate", format_rfc822(now))
    sub(channel_el, "generator", f"syndicate {__version__}")
    sub(channel_el, "docs", "https://www.rssboard.org/rss-specification")
    sub(channel_el, "ttl", str(channel.ttl_minutes))
    sub(
        channel_el,
        f"{{{ATOM}}}link",
        attrs={"href": channel.self_url, "rel": "self", "type": "application/rss+xml"},
    )
    for link in channel.links:  # RFC 5005 paging, the WebSub hub
        sub(channel_el, f"{{{ATOM}}}link", attrs={"href": link.href, "rel": link.rel})


def _encoded_body(article: Article) -> str:
    """The body div, preceded for a translation by the machine-translation note."""
    body = body_markup(article)
    if article.translation is None:
        return body
    note = html.escape(translation_note(article.translation))
    return f'<p class="machine-translation-note" lang="en" dir="ltr">{note}</p>\n{body}'


def _media_type(medium: Media) -> str:
    """The MIME type of a medium, from its URL's extension, else its kind's common type."""
    url = (medium.url or "").split("?", 1)[0].split("#", 1)[0]
    guessed, _ = _TYPES.guess_type(url, strict=False)
    if guessed and guessed.split("/", 1)[0] == _MEDIUM[medium.type]:
        return guessed
    return _FALLBACK_TYPE[medium.type]


def _media(item: etree._Element, article: Article) -> None:
    """Media RSS: one media:content per medium that has a URL (MRSS requires one)."""
    for medium in article.media:
        if not medium.url:
            continue
        attrs = {"url": medium.url, "medium": _MEDIUM[medium.type], "type": _media_type(medium)}
        content = sub(item, f"{{{MEDIA}}}content", attrs=attrs)
        if medium.caption:
            sub(content, f"{{{MEDIA}}}description", medium.caption, attrs={"type": "plain"})
        if medium.credit:
            sub(content, f"{{{MEDIA}}}credit", medium.credit)


def byline(article: Article) -> str | None:
    """The authors' names (else every credited name), each once, in credit order."""
    authors = [c.name for c in article.credits if is_author_role(c.role)]
    names = dict.fromkeys(authors or [c.name for c in article.credits])
    return ", ".join(names) or None


def _credits(item: etree._Element, article: Article, pub: Publication) -> None:
    """The byline as the one dc:creator, and every person with a role as media:credit."""
    line = byline(article)
    if line:
        sub(item, f"{{{DC}}}creator", line)
    scheme = pub.provider.scheme_uri("creditrole")
    for credit in article.credits:
        attrs = {"role": credit.role, "scheme": scheme}
        sub(item, f"{{{MEDIA}}}credit", credit.name, attrs=attrs)


def abstract(article: Article) -> str | None:
    """The summary, else the body's first paragraph with text, cut at a word boundary."""
    if article.summary:
        return article.summary
    for block in body_element(article).iter("p", "li", "blockquote", "h2", "h3"):
        text = " ".join("".join(str(t) for t in block.itertext()).split())
        if text:
            return _shorten(text, ABSTRACT_CHARS)
    return None


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,;:") + "\u2026"


def _origin(item: etree._Element, article: Article, pub: Publication) -> None:
    """A translation points at what it was made from: Atom ``via`` (RFC 4287: the source of
    the information), with ``hreflang`` saying it is another language. Not ``alternate``,
    which feedparser would show as the item's own link."""
    if pub.origin_page and article.translation:
        attrs = {
            "rel": "via",
            "href": pub.origin_page,
            "type": "text/html",
            "hreflang": article.translation.source_language,
        }
        sub(item, f"{{{ATOM}}}link", None, attrs=attrs)


def _item(article: Article, pub: Publication) -> etree._Element:
    item = element("item")
    sub(item, "title", article.headline)
    if pub.page:
        sub(item, "link", pub.page)
    _origin(item, article, pub)
    description = abstract(article)
    if description:
        sub(item, "description", html.escape(clean_text(description), quote=False))
    sub(item, "guid", pub.guid, attrs={"isPermaLink": "false"})
    shown = visible_since((article, pub))
    sub(item, "pubDate", format_rfc822(shown))
    sub(item, f"{{{ATOM}}}updated", format_rfc3339(shown))
    _credits(item, article, pub)
    for tag in article.tags:
        sub(item, "category", tag)
    sub(item, _ENCODED, _encoded_body(article))
    _media(item, article)
    return item


def build_rss(
    entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int
) -> etree._Element:
    """The RSS 2.0 document of one language: the latest ``limit`` live items, newest first.

    Withdrawn and still-embargoed articles are left out (brief section 5); the tree holds
    each body as plain text, ``render_rss`` turns it into CDATA.
    """
    rss = element("rss", attrs={"version": "2.0"}, nsmap=NSMAP)
    channel_el = sub(rss, "channel")
    _channel_meta(channel_el, channel, now)
    for article, pub in select_entries(entries, channel.lang, now, limit, include_withdrawn=False):
        channel_el.append(_item(article, pub))
    return rss


def _cdata(text: str) -> bytes:
    """One or more CDATA sections holding ``text``; ``]]>`` is split across two of them."""
    return b"<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>").encode() + b"]]>"


def serialise_rss(rss: etree._Element) -> bytes:
    """Serialise with content:encoded as CDATA.

    lxml cannot write split CDATA, so each body is swapped for a processing instruction
    ``<?cdata N?>`` and the bytes are patched after serialising. This is safe because the
    serialiser escapes every ``<`` of character data, so no text can spell a PI.
    """
    doc = copy.deepcopy(rss)
    bodies: list[str] = []
    for index, encoded in enumerate(doc.iter(_ENCODED)):
        bodies.append(encoded.text or "")
        encoded.text = None
        encoded.append(etree.ProcessingInstruction("cdata", str(index)))
    raw = to_bytes(doc)
    for plain, hexref in _HEX_REFS:
        raw = raw.replace(plain, hexref)
    for index, body in enumerate(bodies):
        raw = raw.replace(f"<?cdata {index}?>".encode(), _cdata(body), 1)
    return raw


def render_rss(entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int) -> bytes:
    """``build_rss`` serialised as a UTF-8 RSS document."""
    return serialise_rss(build_rss(entries, channel, now=now, limit=limit))


WITHDRAWN_NOTE = "This story has been withdrawn."


def _withdrawn_item(article: Article, pub: Publication) -> etree._Element:
    """A kill as RSS can say it: the same guid, the time of the kill, the headline and a
    note, nothing of the story (RSS has no status; NewsML and ninjs say ``canceled``)."""
    item = element("item")
    sub(item, "title", article.headline)
    sub(item, "description", WITHDRAWN_NOTE)
    sub(item, "guid", pub.guid, attrs={"isPermaLink": "false"})
    shown = visible_since((article, pub))
    sub(item, "pubDate", format_rfc822(shown))
    sub(item, f"{{{ATOM}}}updated", format_rfc3339(shown))
    sub(item, "category", "withdrawn")
    return item


def render_rss_item(
    article: Article, pub: Publication, channel: Channel, *, now: datetime
) -> bytes:
    """One item alone in its language's channel, as a push carries it (``rss-item``): the
    whole story, or for a kill its guid, headline and a note."""
    rss = element("rss", attrs={"version": "2.0"}, nsmap=NSMAP)
    channel_el = sub(rss, "channel")
    _channel_meta(channel_el, channel, now)
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    channel_el.append(_withdrawn_item(article, pub) if withdrawn else _item(article, pub))
    return serialise_rss(rss)
