"""Language codes: normalising BCP 47 tags and knowing which scripts run right to left."""

from __future__ import annotations

import re

# Primary subtags whose default script is right-to-left (brief section 4 names ar, ckb, fa,
# he, ur; the rest are the other living RTL languages a newsroom may meet).
_RTL = frozenset({"ar", "ckb", "fa", "he", "ur", "ps", "sd", "yi", "dv", "ug", "arz", "azb"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"})
_LATIN_SCRIPTS = frozenset({"latn", "cyrl"})

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def is_language_tag(value: str) -> bool:
    """A syntactically valid BCP 47 tag of the simple kind feeds and Argos use."""
    return bool(LANGUAGE_TAG.fullmatch(value))


def primary(lang: str) -> str:
    """The primary subtag, lower-cased: Argos packages are keyed by it (``ar-IQ`` -> ``ar``)."""
    return lang.split("-", 1)[0].lower()


def text_direction(lang: str) -> str:
    """``rtl`` or ``ltr`` for the HTML ``dir`` attribute; an explicit script subtag wins."""
    subtags = [s.lower() for s in lang.split("-")[1:]]
    for sub in subtags:
        if sub in _RTL_SCRIPTS:
            return "rtl"
        if sub in _LATIN_SCRIPTS:
            return "ltr"
    return "rtl" if primary(lang) in _RTL else "ltr"
