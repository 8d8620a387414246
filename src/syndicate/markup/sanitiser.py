"""The HTML sanitiser: article bodies from the CMS in, a safe well-formed fragment out.

Brief section 4: no script, style, event attribute or script URL survives. The body is
parsed with lxml's HTML parser (no network, no DTD, comments and processing instructions
removed) inside a ``<body>`` wrapper, cleaned, then written as XML and read back with a
safe XML parser, so every later step works on exactly what the feeds will carry.

Decisions, element by element:

- dropped with their content: script, style, template, noscript, head, title, meta, link,
  base, object, embed, applet, param, frame, frameset, form controls (input, button, select,
  option, optgroup, textarea, datalist, keygen, output) and SVG animation elements (animate,
  set, ...), which can write ``javascript:`` into an ``href``;
- void elements libxml2 wrongly nests content in (embed, source, track, wbr) have that
  content moved back out after them first, so dropping an embed keeps the text after it;
- unwrapped (tag dropped, content kept, so no article text is lost): html, body, form, and
  any element whose name is not a plain XML name (``o:p`` from word processors);
- everything else is kept, unknown elements included (markup treats them as inline spans).

Attributes are dropped when their name is not a plain XML name (``xlink:href``, ``@click``,
``xmlns``: they would not survive an XML round trip), starts with ``on``, is ``srcdoc``, is
a URL attribute whose value, stripped of whitespace and control characters and case-folded,
starts with ``javascript:``, ``vbscript:`` or ``data:`` (``JaVa\\tscript:`` included), or is
a ``style`` with script in it (``expression(``, ``url(javascript:...)``, bindings).
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from syndicate.errors import ArticleInvalid, FieldError
from syndicate.news.article import declaration_problem
from syndicate.news.languages import text_direction
from syndicate.news.limits import MAX_DEPTH


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements HTML writes without an end tag; every other empty element gets an explicit end
# tag on output, because an HTML reader of the feed would take ``<iframe/>`` as a start tag.
_VOID = _words("area base br col embed hr img input link meta source track wbr")
_DROP = _words(
    "script style template noscript head title meta link base object embed applet param "
    "frame frameset input button select option optgroup textarea datalist keygen output "
    "animate animatemotion animatetransform animatecolor set handler listener"
)
# Void in HTML5, but libxml2 nests what follows inside them: that content is moved back out.
_MISNESTED = ("embed", "keygen", "source", "track", "wbr")
_UNWRAP = frozenset({"html", "body", "form"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_URL_ATTRIBUTES = _words(
    "href src action formaction poster cite background longdesc lowsrc dynsrc codebase "
    "manifest ping profile usemap icon classid archive data srcset imagesrcset"
)
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_BAD_STYLE = ("expression(", "javascript:", "vbscript:", "-moz-binding", "behavior:", "@import")
# Browsers ignore these inside a URL scheme, so an attacker can hide "javascript:" with them.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\s\u200b-\u200f\u2028\u2029\ufeff]+")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# A markup declaration: <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST, <![CDATA[ ...
# XML 1.0 production [2] Char, inverted: characters the output could not carry.
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# lxml parser objects must not be used by two threads at once; each thread gets its own.
_PARSERS = threading.local()


def _html_parser() -> etree.HTMLParser:
    if not hasattr(_PARSERS, "html"):
        _PARSERS.html = etree.HTMLParser(
            encoding="utf-8",
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
        )
    parser: etree.HTMLParser = _PARSERS.html
    return parser


def _xml_parser() -> etree.XMLParser:
    if not hasattr(_PARSERS, "xml"):
        _PARSERS.xml = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
    parser: etree.XMLParser = _PARSERS.xml
    return parser


def sanitised_fragment(html: str) -> str:
    """The sanitised body as one namespace-less XML ``<div>`` (attribute-free wrapper).

    Raises ``ArticleInvalid`` on ``body_html`` for a DOCTYPE or any other markup
    declaration: entity declarations are how XXE and entity bombs get in, and an article
    fragment has no use for them.
    """
    if problem := declaration_problem(html):
        raise ArticleInvalid([FieldError("body_html", problem)])
    body = _parsed_body(xml_text(html))
    wrapper = etree.Element("div")
    if body is not None:
        _clean_characters(body)
        _sanitise(body)
        wrapper.text = body.text
        wrapper.extend(list(body))
    return etree.tostring(wrapper, encoding="unicode")


def _parsed_body(text: str) -> etree._Element | None:
    """The ``<body>`` libxml2 reads from ``text``, refused unless it read all of it.

    libxml2 gives up on a document nested 256 deep (or on a text node over 10 MB) with a
    fatal error, and hands back what it had read: the rest of the body, later paragraphs
    included, was silently lost. A fatal error, or nesting past ``MAX_DEPTH`` (the reason
    is in ``news.limits``), is an input error on ``body_html`` instead.
    """
    parser = _html_parser()
    document = etree.fromstring(f"<html><body>{text}</body></html>".encode(), parser)
    body = document.find("body") if document is not None else None
    depth = _depth(body) if body is not None else 0
    if depth > MAX_DEPTH:
        problem = f"nests elements {depth} deep; the limit is {MAX_DEPTH}"
        raise ArticleInvalid([FieldError("body_html", problem)])
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:
        problem = f"could not be read whole, so it would be published cut: {fatal[0].message}"
        raise ArticleInvalid([FieldError("body_html", problem.strip())])
    return body


def _depth(root: etree._Element) -> int:
    """How many elements deep ``root``'s content nests (``<p>x</p>`` is 1), without
    recursion: the depth is what is being checked."""
    deepest, stack = 0, [(root, 0)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in el)
    return deepest


def _clean_characters(root: etree._Element) -> None:
    """Drop what XML cannot carry from every text, tail and attribute value.

    ``xml_text`` cleans the raw body, but a character reference decodes only in the
    parser: ``&#xFFFE;`` arrives as U+FFFE, which every later XML step refuses.
    """
    for el in root.iter():
        if el.text and _ILLEGAL.search(el.text):
            el.text = xml_text(el.text) or None
        if el.tail and _ILLEGAL.search(el.tail):
            el.tail = xml_text(el.tail) or None
        for name, value in el.attrib.items():
            if _ILLEGAL.search(str(value)):
                el.set(name, xml_text(str(value)))


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (most C0 controls, lone
    surrogates, U+FFFE/U+FFFF); lxml refuses them."""
    return _ILLEGAL.sub("", value)


def parse_fragment(xml: str) -> etree._Element:
    """Read back a fragment this module wrote, with the safe XML parser."""
    return etree.fromstring(xml, _xml_parser())


def serialise_fragment(root: etree._Element, lang: str) -> str:
    """The output form of brief section 4: ``root`` labelled with ``lang`` and ``dir``,
    written as ``polyglot_markup``."""
    root.set("lang", lang)
    root.set("dir", text_direction(lang))
    return polyglot_markup(root)


def polyglot_markup(root: etree._Element) -> str:
    """``root`` as XML that an HTML5 parser reads as the same tree: every empty non-void
    element gets an explicit end tag (``<iframe></iframe>``), void ones stay ``<br/>``.

    An HTML parser ignores the slash of ``<iframe/>``, ``<video/>`` or ``<a id="x"/>`` and
    nests the rest of the body inside that element: an empty embed swallowed the text
    after it in every RSS reader. ``root`` is changed in place (empty texts become "").
    """
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag not in _VOID and el.text is None and not len(el):
            el.text = ""
    return etree.tostring(root, encoding="unicode")


def _sanitise(body: etree._Element) -> None:
    for el in list(body.iter(*_MISNESTED)):
        _hoist(el)
    for el in list(body.iter()):
        if el is body:
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag.lower() in _DROP:
            _drop(el)
        elif tag.lower() in _UNWRAP or not _NAME.match(tag):
            _unwrap(el)
        else:
            _clean_attributes(el)


def _clean_attributes(el: etree._Element) -> None:
    for name, value in list(el.attrib.items()):
        if _is_dangerous(str(name).lower(), str(value)):
            del el.attrib[name]


def _is_dangerous(name: str, value: str) -> bool:
    if not _NAME.match(name) or name.startswith(("on", "xmlns")) or name == "srcdoc":
        return True
    if name in _URL_ATTRIBUTES:
        return any(_is_script_url(part) for part in value.split(","))
    if name == "style":
        folded = _URL_NOISE.sub("", _CSS_COMMENT.sub("", value)).replace("\\", "").lower()
        return any(marker in folded for marker in _BAD_STYLE)
    return False


def _is_script_url(value: str) -> bool:
    """``value`` opens with a scheme that runs code, however it is spaced or cased."""
    return _URL_NOISE.sub("", value).lower().startswith(_BAD_SCHEMES)


def _drop(el: etree._Element) -> None:
    """Remove ``el`` and its content but keep the text that follows it."""
    parent = el.getparent()
    if parent is not None:
        index, tail = parent.index(el), el.tail
        parent.remove(el)
        _insert_text(parent, index, tail)


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content: its text, its children, then its tail."""
    parent = el.getparent()
    if parent is None:
        return
    index, children, tail = parent.index(el), list(el), el.tail
    parent.remove(el)
    _insert_text(parent, index, el.text)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _insert_text(parent, index + len(children), tail)


def _hoist(el: etree._Element) -> None:
    """Move a void element's content out after it, where the author wrote it."""
    parent = el.getparent()
    if parent is None:
        return
    index, children, tail = parent.index(el), list(el), el.tail
    el.tail, el.text = el.text, None
    for offset, child in enumerate(children):
        parent.insert(index + 1 + offset, child)
    _insert_text(parent, index + 1 + len(children), tail)


def _insert_text(parent: etree._Element, index: int, text: str | None) -> None:
    """Add ``text`` where child ``index`` of ``parent`` would start."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text
