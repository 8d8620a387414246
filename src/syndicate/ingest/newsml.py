"""A NewsML-G2 newsItem (IPTC) onto our article: an agency wire re-syndicated.

Parsed with the feeds' one safe XML parser (no DTD, no entity expansion, no network, no
huge trees); a document that declares a DTD or entities is refused outright, since an
article has no use for one and it is how XXE and entity bombs arrive. Errors name the
element path as the sender wrote it (``newsItem/contentMeta/headline``, ``creator[2]``).

Read: ``@guid``, ``@version``, ``itemMeta`` (itemClass, which must be text; pubStatus,
``stat:canceled`` and ``stat:withheld`` being a withdrawal; firstCreated, versionCreated,
embargoed; the ``irel:seeAlso`` link), ``contentMeta`` (contentCreated, contentModified,
located, infoSource, creator, contributor, language, keyword, subject names, headline,
dateline, by, the summary description), ``rightsInfo`` and the body: the children of
``inlineXML``'s ``html/body`` (or of ``inlineXML`` itself), or ``inlineData`` as text.
Everything else in the G2 model is left alone: it has no article field.
"""

from __future__ import annotations

import html
from copy import deepcopy
from typing import Final

from lxml import etree

from syndicate.errors import ArticleInvalid, FieldError
from syndicate.feeds.newsml import NAR, XHTML
from syndicate.feeds.xml import XML_LANG, fromstring
from syndicate.ingest import draft as d
from syndicate.ingest.draft import PUBSTATUS, Draft
from syndicate.news.roles import normalise_role

ROOT: Final = "newsItem"
_MARKUP: Final = ("application/xhtml+xml", "text/html", "")


def _q(name: str) -> str:
    return f"{{{NAR}}}{name}"


def _refuse(message: str) -> ArticleInvalid:
    return ArticleInvalid([FieldError("$", message)])


def decode_newsml(raw: bytes) -> etree._Element:
    """The ``newsItem`` root of a document; ``ArticleInvalid`` on ``$`` for XML that is
    not well formed, that declares a DTD or entities, or whose root is something else."""
    try:
        root = fromstring(raw)
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"is not well-formed XML: {exc}") from None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.system_url:
        raise _refuse("declares a DTD or entities, which are not accepted")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise _refuse("uses an entity reference, which is not accepted")
    if root.tag != _q(ROOT):
        raise _refuse(f"root element must be a NewsML-G2 {ROOT} ({NAR}), not {root.tag}")
    return root


def _path(el: etree._Element) -> str:
    """The element's path from the root, 1-based positions among same-named siblings."""
    steps = []
    node: etree._Element | None = el
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        same = [s for s in parent if s.tag == node.tag] if parent is not None else [node]
        steps.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    return "/".join(reversed(steps))


def _text(el: etree._Element | None) -> str | None:
    """An element's text ("" for an empty one, so a required field is named where it
    stands empty); None without the element."""
    if el is None:
        return None
    return "".join(map(str, el.itertext())).strip()


def _code(qcode: str | None) -> str:
    """The code of a QCode or scheme URI: ``stat:canceled``, ``.../pubstatusg2/canceled``."""
    return (qcode or "").replace("/", ":").rsplit(":", 1)[-1]


def _name(el: etree._Element) -> tuple[str | None, str]:
    """A party's name: its ``name`` child, else its ``@literal``."""
    child = el.find(_q("name"))
    if child is not None:
        return _text(child), _path(child)
    return el.get("literal"), f"{_path(el)}/@literal"


def _item_meta(draft: Draft, meta: etree._Element) -> None:
    item_class = meta.find(_q("itemClass"))
    if item_class is not None and _code(item_class.get("qcode")) != "text":
        where = f"{_path(item_class)}/@qcode"
        draft.fail(where, f"only text items can be syndicated, not {item_class.get('qcode')}")
    status = meta.find(_q("pubStatus"))
    if status is not None:
        code, where = _code(status.get("qcode")), f"{_path(status)}/@qcode"
        if code in PUBSTATUS:
            draft.put("status", PUBSTATUS[code], where)
        else:
            draft.fail(where, "must be stat:usable, stat:withheld or stat:canceled")
    for tag, key in (("firstCreated", "published_at"), ("versionCreated", "updated_at")):
        _date(draft, meta.find(_q(tag)), key)
    _date(draft, meta.find(_q("embargoed")), "embargo_until")
    for link in meta.iterfind(_q("link")):
        if _code(link.get("rel")) == "seeAlso":
            draft.put("url", link.get("href"), f"{_path(link)}/@href")


def _date(draft: Draft, el: etree._Element | None, key: str, *, wins: bool = False) -> None:
    """A date element; ``wins`` replaces one read before from a less fitting element."""
    if el is not None:
        if wins:
            draft.doc.pop(key, None)
        draft.put(key, d.stamp(_text(el)), _path(el))


def _parties(draft: Draft, meta: etree._Element) -> None:
    for el in meta:
        kind = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if kind not in ("creator", "contributor"):
            continue
        code = _code(el.get("role"))
        if code == "other":
            code = _text(el.find(_q("note"))) or code
        role = normalise_role(code) if code else ("reporting" if kind == "creator" else kind)
        name, where = _name(el)
        draft.append("credits", {"role": role, "name": name}, _path(el), {"name": where})


def _content_meta(draft: Draft, meta: etree._Element) -> None:
    """contentCreated wins over firstCreated for the publication date: it is the story's."""
    _date(draft, meta.find(_q("contentCreated")), "published_at", wins=True)
    _date(draft, meta.find(_q("contentModified")), "updated_at")
    for tag in ("located", "infoSource"):
        el = meta.find(_q(tag))
        if el is not None:
            value, where = _name(el)
            draft.put("dateline" if tag == "located" else "source", value, where)
    _parties(draft, meta)
    language = meta.find(_q("language"))
    if language is not None:
        draft.put("language", language.get("tag"), f"{_path(language)}/@tag")
    for el in meta.iterfind(_q("keyword")):
        draft.tag(_text(el), _path(el))
    for el in meta.iterfind(_q("subject")):
        name = el.find(_q("name"))
        if name is not None and _text(name):
            draft.tag(_text(name), _path(name))
    for tag, key in (("headline", "headline"), ("dateline", "dateline")):
        el = meta.find(_q(tag))
        if el is not None:
            draft.put(key, _text(el), _path(el))
    by = meta.find(_q("by"))
    if by is not None and "credits" not in draft.doc:
        draft.put("credit_line", _text(by), _path(by))
    _summary(draft, meta)


def _summary(draft: Draft, meta: etree._Element) -> None:
    descriptions = list(meta.iterfind(_q("description")))
    chosen = [el for el in descriptions if _code(el.get("role")) == "summary"] or descriptions
    if chosen:
        draft.put("summary", _text(chosen[0]), _path(chosen[0]))


def _rights(draft: Draft, item: etree._Element) -> None:
    info = item.find(_q("rightsInfo"))
    if info is None:
        return
    rights: dict[str, str] = {}
    for tag, key in (("copyrightNotice", "notice"), ("usageTerms", "usage_terms")):
        el = info.find(_q(tag))
        if el is not None and _text(el):
            rights[key] = _text(el) or ""
            draft.origins[f"rights.{key}"] = _path(el)
    holder = info.find(_q("copyrightHolder"))
    if holder is not None:
        name, where = _name(holder)
        if name:
            rights["holder"] = name
            draft.origins["rights.holder"] = where
    if rights:
        draft.doc["rights"] = rights
        draft.origins["rights"] = _path(holder if holder is not None else info)


def _markup(holder: etree._Element) -> str:
    """The content of ``holder`` as an HTML fragment: a copy with every element out of
    its namespace (the body is HTML to us), text and tails escaped by the serialiser."""
    copy = deepcopy(holder)
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(copy)
    inner = "".join(etree.tostring(child, encoding="unicode") for child in copy)
    return html.escape(copy.text or "", quote=False) + inner


def _body(draft: Draft, item: etree._Element) -> None:
    content = item.find(_q("contentSet"))
    if content is None:
        return
    inline = content.find(_q("inlineXML"))
    if inline is not None and str(inline.get("contenttype", "")).lower() in _MARKUP:
        body = inline.find(f"{{{XHTML}}}html/{{{XHTML}}}body")
        holder = body if body is not None else inline
        draft.put("body_html", _markup(holder), _path(holder))
        return
    data = content.find(_q("inlineData"))
    if data is not None and (text := _text(data)):
        draft.put("body_html", d.paragraphs(text), _path(data))


def map_newsml(root: etree._Element) -> Draft:
    """The draft article of one ``newsItem`` (see the module doc)."""
    draft = Draft()
    d.guid(draft, root.get("guid"), f"{ROOT}/@guid")
    d.version(draft, root.get("version"), f"{ROOT}/@version")
    for tag, read in (("itemMeta", _item_meta), ("contentMeta", _content_meta)):
        el = root.find(_q(tag))
        if el is not None:
            read(draft, el)
    draft.put("language", root.get(XML_LANG), f"{ROOT}/@xml:lang")
    _rights(draft, root)
    _body(draft, root)
    for key, where in _MISSING.items():
        draft.origins.setdefault(key, f"{ROOT}/{where}")
    return draft


# Where a required field that is missing altogether should have been.
_MISSING: Final = {
    "id": "@guid",
    "version": "@version",
    "language": "@xml:lang",
    "headline": "contentMeta/headline",
    "published_at": "contentMeta/contentCreated",
    "body_html": "contentSet/inlineXML",
}
