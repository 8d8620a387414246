"""What every format says about one item's content: the XHTML body and the translation note.

NewsML, RSS and ninjs all carry the same body fragment (``<div lang=".." dir="..">``, well-
formed, parsed back through the safe parser; RSS and ninjs, read as HTML, with an end tag
on every non-void element) and the same machine-translation sentence (brief section 4:
"feeds say the text is machine translated and by which model").
"""

from __future__ import annotations

from lxml import etree

from syndicate.feeds.xml import clean_text, format_rfc3339, fromstring
from syndicate.markup.sanitiser import polyglot_markup
from syndicate.markup.segments import to_xhtml_fragment
from syndicate.news.article import Article, ModelInfo, Translation
from syndicate.news.languages import primary

# English names for the note; any other tag is shown as the tag itself.
_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "ckb": "Central Kurdish (Sorani)",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "kmr": "Northern Kurdish (Kurmanji)",
    "ru": "Russian",
    "tr": "Turkish",
}


def _fragment_markup(article: Article) -> str:
    """The body as an XHTML fragment: a translation already is one (markup made it)."""
    if article.translation is not None:
        return article.body_html
    return to_xhtml_fragment(article.body_html, article.language)


def body_element(article: Article) -> etree._Element:
    """The body ``div`` as a fresh, namespace-less element the caller may re-home."""
    return fromstring(clean_text(_fragment_markup(article)))


def body_markup(article: Article) -> str:
    """The body ``div`` for formats read as HTML (RSS ``content:encoded``, ninjs
    ``body_html``): well-formed XHTML without a namespace that an HTML5 parser reads as
    the same tree (``polyglot_markup``). NewsML's inlineXML is read as XML and takes
    ``body_element`` as it is."""
    return polyglot_markup(body_element(article))


def language_name(lang: str) -> str:
    """``English (en)``: a name for the note, falling back to the bare tag."""
    name = _LANGUAGE_NAMES.get(primary(lang))
    return f"{name} ({lang})" if name else lang


def _model_phrase(model: ModelInfo) -> str:
    demo = " (demo model)" if model.demo else ""
    licence = f", licence {model.license}" if model.license else ""  # none before issue 17
    return f"{model.code} {model.version}{demo}{licence}"


def translation_note(translation: Translation) -> str:
    """One English sentence naming the source language and every model in the chain, and
    the editor who reviewed it on the review desk, when one did (issue 18)."""
    models = " then ".join(_model_phrase(m) for m in translation.models) or "an unknown model"
    flagged = len(translation.flags)
    checks = f" {flagged} segment(s) were flagged by the output checks." if flagged else ""
    review = translation.review
    reviewed = (
        f" Reviewed and approved by editor {review.editor} at {format_rfc3339(review.at)}."
        if review
        else ""
    )
    return (
        f"Machine translated from the {language_name(translation.source_language)} original, "
        f"version {translation.source_version}, by Argos package {models}.{checks}{reviewed}"
    )
