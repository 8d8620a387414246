"""NewsML-G2 2.35: one ``newsItem`` per article and language, and the ``newsMessage`` feed.

Built with lxml, one function per element group in the XSD's order (catalogs, rightsInfo,
itemMeta, contentMeta, contentSet); only ``render_*`` serialise. QCodes use IPTC schemes
through the catalogRef (``ninat``, ``stat``, ``sig``, ``drol``, ``irel``) and two provider
schemes declared inline, under the provider's domain: ``exrole`` for credit roles (the
canonical role codes, ``other`` for free-text roles, whose text goes into a ``note``) and
``exrel`` for ``translationOf`` (IPTC's itemrelation has no confirmed term for it).

The XSD does not look inside ``inlineXML``: the body is the markup module's well-formed
XHTML fragment re-homed into the XHTML namespace under ``html/body``, with ``xml:lang``
and ``dir`` on ``inlineXML``, ``html`` and ``body``.

What Superdesk's NewsML-G2 parser reads shaped two choices (issue 10, checked by running
it on these feeds). It keeps only the leading text of each child of ``body``, so a
paragraph with a link or a ``<strong>`` lost everything after it, and a figure vanished;
the contentSet therefore carries the body a second time, as the same HTML the RSS and
ninjs bodies carry, in an ``inlineData`` of type ``text/html`` (an alternative rendition,
what contentSet is for; Superdesk takes the last rendition). And it iterates the
contentSet of every item, so a canceled item has an empty ``contentSet`` rather than
none: without one, a single kill made it refuse the whole newsMessage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from syndicate import __version__
from syndicate.errors import EmptyFeed
from syndicate.feeds.content import body_element, body_markup, translation_note
from syndicate.feeds.record import (
    Channel,
    Entry,
    Provider,
    Publication,
    require_visible,
    select_entries,
)
from syndicate.feeds.xhtml1 import to_strict
from syndicate.feeds.xml import XML_LANG, clean_line, element, format_rfc3339, sub, to_bytes
from syndicate.news.article import Article, ArticleStatus
from syndicate.news.credits import Credit, format_credit_line
from syndicate.news.languages import text_direction
from syndicate.news.roles import REVIEW_ROLE, ROLES, is_author_role

NAR = "http://iptc.org/std/nar/2006-10-01/"
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"
NEWSITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"
XHTML_TYPE = "application/xhtml+xml"
HTML_TYPE = "text/html"


def _q(name: str) -> str:
    return f"{{{NAR}}}{name}"


def _catalogs(root: etree._Element, provider: Provider) -> None:
    sub(root, _q("catalogRef"), attrs={"href": IPTC_CATALOG})
    catalog = sub(root, _q("catalog"))
    sub(catalog, _q("scheme"), attrs={"alias": "exrel", "uri": provider.scheme_uri("itemrelation")})
    sub(catalog, _q("scheme"), attrs={"alias": "exrole", "uri": provider.scheme_uri("creditrole")})


def _rights_info(root: etree._Element, article: Article) -> None:
    rights = article.rights
    if rights is None:
        return
    info = sub(root, _q("rightsInfo"))
    holder = sub(info, _q("copyrightHolder"))
    sub(holder, _q("name"), clean_line(rights.holder))
    if rights.notice:
        sub(info, _q("copyrightNotice"), rights.notice)
    if rights.usage_terms:
        sub(info, _q("usageTerms"), rights.usage_terms)


def _item_links(meta: etree._Element, article: Article, pub: Publication) -> None:
    if article.translation is not None and pub.original_guid:
        sub(
            meta,
            _q("link"),
            attrs={
                "rel": "exrel:translationOf",
                "residref": pub.original_guid,
                "version": str(article.translation.source_version),
                "href": pub.original_url,
                "contenttype": NEWSITEM_TYPE,
            },
        )
    if pub.web_url:
        sub(
            meta,
            _q("link"),
            attrs={"rel": "irel:seeAlso", "href": pub.web_url, "contenttype": "text/html"},
        )


def _item_meta(root: etree._Element, article: Article, pub: Publication) -> None:
    """itemMeta in XSD order: class, provider, times, embargo, status, generator, notes."""
    meta = sub(root, _q("itemMeta"))
    sub(meta, _q("itemClass"), attrs={"qcode": "ninat:text"})
    provider = sub(meta, _q("provider"), attrs={"uri": pub.provider.uri})
    sub(provider, _q("name"), clean_line(pub.provider.name))
    sub(meta, _q("versionCreated"), format_rfc3339(pub.version_created))
    sub(meta, _q("firstCreated"), format_rfc3339(pub.first_created))
    if article.embargo_until is not None:
        sub(meta, _q("embargoed"), format_rfc3339(article.embargo_until))
    withdrawn = article.status is ArticleStatus.WITHDRAWN
    sub(meta, _q("pubStatus"), attrs={"qcode": "stat:canceled" if withdrawn else "stat:usable"})
    sub(meta, _q("generator"), "syndicate", attrs={"versioninfo": __version__})
    if article.translation is not None:
        sub(meta, _q("edNote"), translation_note(article.translation), attrs={XML_LANG: "en"})
    if article.version >= 2:
        sub(meta, _q("signal"), attrs={"qcode": "sig:update"})
    _item_links(meta, article, pub)


def _party(parent: etree._Element, credit: Credit) -> None:
    tag = "creator" if is_author_role(credit.role) else "contributor"
    code = credit.role if credit.role in ROLES else "other"
    party = sub(parent, _q(tag), attrs={"role": f"exrole:{code}"})
    sub(party, _q("name"), clean_line(credit.name))
    if code == "other":
        sub(party, _q("note"), credit.role)


def _administrative(meta: etree._Element, article: Article) -> None:
    sub(meta, _q("contentCreated"), format_rfc3339(article.published_at))
    if article.updated_at is not None:
        sub(meta, _q("contentModified"), format_rfc3339(article.updated_at))
    if article.dateline:
        located = sub(meta, _q("located"))
        sub(located, _q("name"), clean_line(article.dateline))
    if article.source:
        source = sub(meta, _q("infoSource"))
        sub(source, _q("name"), clean_line(article.source))
    for credit in article.credits:
        _party(meta, credit)
    review = article.translation.review if article.translation else None
    if review is not None:  # the editor who approved the machine translation (issue 18)
        party = sub(meta, _q("contributor"), attrs={"role": f"exrole:{REVIEW_ROLE}"})
        sub(party, _q("name"), clean_line(review.editor))
        sub(party, _q("note"), f"Reviewed the translation at {format_rfc3339(review.at)}")


def _descriptive(meta: etree._Element, article: Article) -> None:
    lang = article.language
    sub(meta, _q("language"), attrs={"tag": lang})
    for tag in article.tags:
        sub(meta, _q("keyword"), clean_line(tag))
    sub(meta, _q("headline"), article.headline)
    if article.dateline:
        sub(meta, _q("dateline"), article.dateline)
    authors = [c for c in article.credits if is_author_role(c.role)]
    if authors:
        sub(meta, _q("by"), format_credit_line(authors, lang))
    credit_line = article.credit_line or (
        format_credit_line(article.credits, lang) if article.credits else None
    )
    if credit_line:
        sub(meta, _q("creditline"), clean_line(credit_line))
    if article.summary:
        sub(meta, _q("description"), article.summary, attrs={"role": "drol:summary"})


def _content_meta(root: etree._Element, article: Article) -> None:
    meta = sub(root, _q("contentMeta"))
    _administrative(meta, article)
    _descriptive(meta, article)


def _xhtml(body: etree._Element) -> etree._Element:
    """Move every element of the namespace-less fragment into the XHTML namespace."""
    for el in body.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML}}}{el.tag}"
    return body


def _content_set(root: etree._Element, article: Article) -> None:
    """The XHTML body, then the same body as HTML text; empty for a canceled item."""
    content_set = sub(root, _q("contentSet"))
    if article.status is ArticleStatus.WITHDRAWN:
        return
    lang, direction = article.language, text_direction(article.language)
    i18n = {XML_LANG: lang, "dir": direction}
    inline = sub(content_set, _q("inlineXML"), attrs={"contenttype": XHTML_TYPE, **i18n})
    html = element(f"{{{XHTML}}}html", attrs={"lang": lang, **i18n}, nsmap={None: XHTML})
    inline.append(html)
    sub(sub(html, f"{{{XHTML}}}head"), f"{{{XHTML}}}title", clean_line(article.headline))
    _body(sub(html, f"{{{XHTML}}}body"), _xhtml(body_element(article)), lang)
    html_text = body_markup(article)
    sub(content_set, _q("inlineData"), html_text, attrs={"contenttype": HTML_TYPE, **i18n})


def _body(body: etree._Element, div: etree._Element, lang: str) -> None:
    """The fragment's content as the direct children of ``<body>``, its language and
    direction on ``<body>`` itself: Superdesk's NewsML-G2 parser reads only the direct
    children of ``inlineXML/html/body``, and ingested every item with an empty body while
    they sat in a wrapper ``<div>`` (issue 10). Made XHTML 1.0 Strict (``xhtml1.py``)."""
    body.set("lang", div.get("lang") or lang)
    body.set(XML_LANG, div.get("lang") or lang)
    body.set("dir", div.get("dir") or text_direction(lang))
    body.text = div.text
    body.extend(list(div))
    to_strict(body)


def _news_item(article: Article, pub: Publication) -> etree._Element:
    root = element(
        _q("newsItem"),
        nsmap={None: NAR},
        attrs={
            "guid": pub.guid,
            "version": str(article.version),
            "standard": "NewsML-G2",
            "standardversion": "2.35",
            "conformance": "power",
            XML_LANG: article.language,
            "dir": text_direction(article.language),
        },
    )
    _catalogs(root, pub.provider)
    _rights_info(root, article)
    _item_meta(root, article, pub)
    _content_meta(root, article)
    _content_set(root, article)
    return root


def build_news_item(article: Article, pub: Publication, *, now: datetime) -> etree._Element:
    """The ``newsItem`` for one article in one language (brief section 5).

    A withdrawn article is ``stat:canceled`` with its metadata and an empty contentSet; an embargoed
    one raises ``Embargoed`` until ``now`` reaches the embargo.
    """
    require_visible(article, now)
    return _news_item(article, pub)


def _transmit_id(channel: Channel, now: datetime, items: Iterable[Entry]) -> str:
    """Unique per transmission content: the instant plus a digest of guid@version."""
    digest = hashlib.sha256()
    for article, pub in items:
        digest.update(f"{pub.guid}@{article.version}\n".encode())
    stamp = format_rfc3339(now).replace("-", "").replace(":", "")
    return (
        f"urn:syndicate:{channel.provider.domain}:{channel.lang}:{stamp}:{digest.hexdigest()[:16]}"
    )


def _header_links(header: etree._Element, channel: Channel) -> None:
    """Atom links at the end of the header (its extension point for other namespaces):
    ``self``, then RFC 5005 paging and the WebSub hub (issue 19)."""
    for rel, href in [("self", channel.self_url), *((k.rel, k.href) for k in channel.links)]:
        sub(header, f"{{{ATOM}}}link", attrs={"rel": rel, "href": href})


def build_news_message(
    entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int
) -> etree._Element:
    """The newsMessage feed: header plus the latest ``limit`` items, canceled ones included.

    Raises ``EmptyFeed`` when nothing is visible (the XSD forbids an empty itemSet).
    """
    chosen = select_entries(entries, channel.lang, now, limit, include_withdrawn=True)
    if not chosen:
        raise EmptyFeed(f"no visible item for the {channel.lang} newsMessage")
    root = element(_q("newsMessage"), nsmap={None: NAR, "atom": ATOM})
    header = sub(root, _q("header"))
    sub(header, _q("sent"), format_rfc3339(now))
    sub(header, _q("sender"), channel.provider.domain)
    sub(header, _q("transmitId"), _transmit_id(channel, now, chosen))
    sub(header, _q("origin"), channel.self_url)
    _header_links(header, channel)
    item_set = sub(root, _q("itemSet"))
    for article, pub in chosen:
        item_set.append(_news_item(article, pub))
    return root


def render_news_item(article: Article, pub: Publication, *, now: datetime) -> bytes:
    """``build_news_item`` serialised as a UTF-8 XML document."""
    return to_bytes(build_news_item(article, pub, now=now))


def render_news_message(
    entries: Iterable[Entry], channel: Channel, *, now: datetime, limit: int
) -> bytes:
    """``build_news_message`` serialised as a UTF-8 XML document."""
    return to_bytes(build_news_message(entries, channel, now=now, limit=limit))
