"""The one safe XML parser and the element helpers every XML renderer builds with.

All parsing of XML in the feeds goes through ``fromstring`` (no entity expansion, no DTD,
no network, no huge trees), and all text and attribute values go through ``clean_text`` on
their way into a tree: lxml refuses characters that XML 1.0 cannot carry (most C0 control
characters, lone surrogates, U+FFFE/U+FFFF), so they are dropped rather than failing a
whole feed over one stray byte in a headline. Every other character, markup-like text,
``]]>``, RTL and emoji included, is kept and escaped by the serialiser.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast

from lxml import etree

from syndicate.errors import NaiveDatetime
from syndicate.markup.sanitiser import xml_text

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"

# XSD whitespace other than the space (g2normalizedString is "[\S ]*").
_LINE_BREAKS = re.compile("[\t\n\r]")

# lxml parser objects must not be used by two threads at once; each thread gets its own.
_PARSERS = threading.local()

Attrs = Mapping[str, str | None]


def fromstring(data: str | bytes) -> etree._Element:
    """Parse XML with the project's one safe parser (raises ``etree.XMLSyntaxError``)."""
    if not hasattr(_PARSERS, "xml"):
        _PARSERS.xml = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
    parser: etree.XMLParser = _PARSERS.xml
    return etree.fromstring(data, parser)


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry; everything else is kept."""
    return xml_text(value)  # the sanitiser's rule: one definition of what XML can carry


def clean_line(value: str) -> str:
    """``clean_text`` plus tab, CR and LF turned into spaces, for single-line XSD strings."""
    return _LINE_BREAKS.sub(" ", clean_text(value))


def _set_attrs(el: etree._Element, attrs: Attrs | None) -> None:
    for name, value in (attrs or {}).items():
        if value is not None:
            el.set(name, clean_text(value))


def element(
    tag: str,
    text: str | None = None,
    attrs: Attrs | None = None,
    nsmap: Mapping[str | None, str] | None = None,
) -> etree._Element:
    """A new root element; ``None`` attribute values are left out."""
    # lxml-stubs type nsmap as Mapping[str, str], but lxml takes None for the default namespace.
    el = etree.Element(tag, nsmap=cast("Mapping[str, str] | None", nsmap))
    _set_attrs(el, attrs)
    if text is not None:
        el.text = clean_text(text)
    return el


def sub(
    parent: etree._Element, tag: str, text: str | None = None, attrs: Attrs | None = None
) -> etree._Element:
    """Append a child element with cleaned text and attributes and return it."""
    el = etree.SubElement(parent, tag)
    _set_attrs(el, attrs)
    if text is not None:
        el.text = clean_text(text)
    return el


def to_bytes(root: etree._Element) -> bytes:
    """Serialise a finished tree as a UTF-8 document with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def aware(value: datetime) -> datetime:
    """``value`` itself, or ``NaiveDatetime`` when it carries no offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetime(f"naive datetime {value.isoformat()} cannot go into a feed")
    return value


def format_rfc3339(value: datetime) -> str:
    """An instant as RFC 3339 / xs:dateTime in UTC, ``Z`` suffix, whole seconds."""
    utc = aware(value).astimezone(UTC).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")
