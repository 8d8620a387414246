"""The NewsML-G2 body as XHTML 1.0 Strict, the one XHTML schema validators know.

``inlineXML`` takes any XHTML, and libxml2 checks it laxly; but ``xmlschema`` with its
default settings validates the XHTML namespace against its bundled ``xhtml1-strict.xsd``
and rejected a whole newsMessage for one HTML5 ``<figure>`` (issue 10). "Valid" must not
depend on the partner's validator, so the NewsML body keeps only what XHTML 1.0 Strict
allows: HTML5 elements become a ``div`` or ``span`` carrying the old name as its class
(``<figure>`` -> ``<div class="figure">``), an embed keeps its source as a link, text and
inline elements directly in ``body`` or ``blockquote`` are wrapped in a ``p``, and
attributes Strict does not know are left out. RSS and ninjs keep the HTML5 body.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

XHTML: Final = "http://www.w3.org/1999/xhtml"
XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BLOCK: Final = _words(
    "address blockquote del div dl fieldset h1 h2 h3 h4 h5 h6 hr ins ol p pre table ul"
)
_INLINE: Final = _words(
    "a abbr acronym b bdo big br cite code dfn em i img kbd q samp small span strong sub sup tt var"
)
_STRUCTURE: Final = _words("li dt dd caption thead tbody tfoot tr td th col colgroup")
# HTML5 elements that stand for a block; any other unknown element becomes a span.
_HTML5_BLOCK: Final = _words(
    "article aside details dialog figcaption figure footer header hgroup main nav section "
    "summary audio video iframe picture center"
)
_EMBEDS: Final = frozenset({"audio", "video", "iframe"})
# Containers whose children must be blocks in Strict: loose text and inline runs get a p.
_BLOCK_ONLY: Final = frozenset({"body", "blockquote"})
_CORE_ATTRS: Final = frozenset({"id", "class", "style", "title", "lang", "dir", XML_LANG})
_ATTRS: Final = {
    "a": {"href", "name", "hreflang", "rel", "rev", "type", "charset"},
    "img": {"src", "alt", "width", "height", "longdesc"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "table": {"summary", "width", "border", "frame", "rules", "cellspacing", "cellpadding"},
    "td": {"abbr", "axis", "headers", "scope", "rowspan", "colspan", "align", "valign"},
    "th": {"abbr", "axis", "headers", "scope", "rowspan", "colspan", "align", "valign"},
    "col": {"span", "width", "align", "valign"},
    "colgroup": {"span", "width", "align", "valign"},
}


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _rename(el: etree._Element) -> None:
    """An element Strict does not have becomes a div or span named by its class."""
    name = _local(el)
    if name in _BLOCK or name in _INLINE or name in _STRUCTURE:
        return
    source = el.get("src")
    el.tag = f"{{{XHTML}}}{'div' if name in _HTML5_BLOCK else 'span'}"
    el.set("class", " ".join(filter(None, [name, el.get("class")])))
    if name in _EMBEDS and source:
        link = etree.SubElement(el, f"{{{XHTML}}}a", href=source)
        link.text = source


def _prune_attributes(el: etree._Element) -> None:
    allowed = _CORE_ATTRS | _ATTRS.get(_local(el), set())
    for name in list(el.attrib):
        if name not in allowed:
            del el.attrib[name]
    if _local(el) == "img" and el.get("alt") is None:
        el.set("alt", "")  # required in Strict


def _paragraph(text: str | None = None) -> etree._Element:
    p = etree.Element(f"{{{XHTML}}}p")
    p.text = text
    return p


def _meaningful(text: str | None) -> str | None:
    return text if text and text.strip() else None


def _wrap_loose(container: etree._Element) -> None:
    """Text and inline children of a block-only container, run by run, into a ``p``."""
    nodes = list(container)
    leading, container.text = _meaningful(container.text), None
    for node in nodes:
        container.remove(node)  # lxml keeps each node's tail with it
    run = _paragraph(leading) if leading else None
    for node in nodes:
        if _local(node) not in _BLOCK:
            run = run if run is not None else _paragraph()
            run.append(node)
            continue
        if run is not None:
            container.append(run)
        tail, node.tail = _meaningful(node.tail), None
        container.append(node)
        run = _paragraph(tail) if tail else None
    if run is not None:
        container.append(run)


def to_strict(body: etree._Element) -> etree._Element:
    """``body`` (an XHTML ``<body>`` element) made XHTML 1.0 Strict, in place."""
    for el in list(body.iter(etree.Element)):
        if el is body:
            continue
        _rename(el)
        _prune_attributes(el)
    for container in [el for el in body.iter(etree.Element) if _local(el) in _BLOCK_ONLY]:
        _wrap_loose(container)
    return body
