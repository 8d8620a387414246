"""Credit roles: the canonical codes, each language's label table, and the role words
newsrooms write.

Brief section 4: role labels ("Reporting by") come from this table, never from the model.
The tables are written by hand for newsroom use. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from syndicate.news.languages import primary

ROLES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "reporting": "Reporting by",
        "additional_reporting": "Additional reporting by",
        "writing": "Writing by",
        "editing": "Editing by",
        "production": "Produced by",
        "video_editing": "Video editing by",
        "photography": "Photos by",
        "camera": "Camera by",
        "compilation": "Compiled by",
        "graphics": "Graphics by",
        "translation": "Translated by",
    }
)

# The role the feeds give the editor who approved a machine translation (issue 18).
REVIEW_ROLE: Final = "editing"

# NewsML-G2 calls the people who wrote the story creators and everyone else contributors.
_AUTHOR_ROLES: Final = frozenset({"reporting", "writing", "additional_reporting"})


@dataclass(frozen=True, slots=True)
class Style:
    """How one language writes a credit line: labels, list words and where a place goes."""

    labels: Mapping[str, str]
    conjunction: str  # between the last two names
    comma: str  # between the other names
    group_separator: str  # between role groups
    place: str  # appended to the names; ``{}`` is the (translated) location
    attach_conjunction: bool = False  # Arabic writes و joined to the next word


# Written by hand for newsroom use; the colon forms are how these languages print credits.
_STYLES: Final[Mapping[str, Style]] = MappingProxyType(
    {
        "en": Style(ROLES, " and ", ", ", "; ", " in {}"),
        "ar": Style(
            {
                "reporting": "تقرير:",
                "additional_reporting": "شارك في إعداد التقرير:",
                "writing": "كتابة:",
                "editing": "تحرير:",
                "production": "إنتاج:",
                "video_editing": "مونتاج:",
                "photography": "تصوير:",
                "camera": "كاميرا:",
                "compilation": "إعداد:",
                "graphics": "غرافيك:",
                "translation": "ترجمة:",
            },
            " و",
            "، ",
            "؛ ",
            " من {}",
            attach_conjunction=True,
        ),
        "tr": Style(
            {
                "reporting": "Haber:",
                "additional_reporting": "Habere katkıda bulunan:",  # noqa: RUF001
                "writing": "Yazan:",
                "editing": "Editör:",
                "production": "Yapımcı:",  # noqa: RUF001
                "video_editing": "Video kurgu:",
                "photography": "Fotoğraf:",
                "camera": "Kamera:",
                "compilation": "Derleyen:",
                "graphics": "Grafik:",
                "translation": "Çeviri:",
            },
            " ve ",
            ", ",
            "; ",
            # A suffix would need vowel harmony with a name the model chose; brackets do not.
            " ({})",
        ),
        "ckb": Style(
            {
                "reporting": "ڕاپۆرتی:",
                "additional_reporting": "ڕاپۆرتی زیاتر:",
                "writing": "نووسینی:",
                "editing": "دەستکاریکردنی:",
                "production": "بەرهەمهێنانی:",
                "video_editing": "مۆنتاژی:",
                "photography": "وێنە:",
                "camera": "کامێرا:",
                "compilation": "ئامادەکردنی:",
                "graphics": "گرافیک:",
                "translation": "وەرگێڕانی:",
            },
            " و ",
            "، ",
            "؛ ",
            " لە {}",
        ),
        "kmr": Style(
            {
                "reporting": "Nûçe:",
                "additional_reporting": "Beşdariya nûçeyê:",
                "writing": "Nivîsandin:",
                "editing": "Edîtor:",
                "production": "Berhemanîn:",
                "video_editing": "Montaj:",
                "photography": "Wêne:",
                "camera": "Kamera:",
                "compilation": "Amadekar:",
                "graphics": "Grafîk:",
                "translation": "Werger:",
            },
            " û ",
            ", ",
            "; ",
            # "li"/"ji" want the oblique case, which a translated place name lacks.
            " ({})",
        ),
    }
)
LABEL_LANGUAGES: Final = tuple(_STYLES)

# Role words as newsrooms write them before "by" or ":" (lower case). The labels of every
# language in _STYLES are added below, so a credit line we wrote reads back.
_ROLE_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "reporting": (
        "reporting",
        "reported",
        "report",
        "reporter",
        "reporters",
        "story",
        "interview",
        "interviews",
        "interviewed",
    ),
    "additional_reporting": (
        "additional reporting",
        "additional reporter",
        "additional reporters",
        "contributing",
        "contributed reporting",
    ),
    "writing": ("writing", "written", "writer", "writers", "words", "text"),
    "editing": ("editing", "edited", "editor", "editors"),
    "production": ("production", "produced", "producer", "producers", "producing"),
    "video_editing": ("video editing", "video edited", "video editor", "video editors", "montage"),
    "photography": (
        "photos",
        "photo",
        "photographs",
        "photography",
        "photographer",
        "photographers",
        "photographed",
        "pictures",
        "picture",
        "images",
        "image",
    ),
    "camera": (
        "camera",
        "cameraman",
        "camerawoman",
        "camera operator",
        "video",
        "videography",
        "videographer",
        "filmed",
        "filming",
        "cinematography",
        "cinematographer",
    ),
    "compilation": ("compiled", "compilation", "compiler", "compiling"),
    "graphics": (
        "graphics",
        "graphic",
        "infographic",
        "infographics",
        "illustration",
        "illustrations",
        "illustrated",
        "design",
        "designed",
    ),
    "translation": ("translated", "translation", "translator", "translators", "translating"),
}


def _bare_label(label: str) -> str:
    """A label without its trailing "by" or colon: the role word itself."""
    return re.sub(r"(?:\s+by)?\s*:?\s*$", "", label.strip(), flags=re.IGNORECASE)


def _role_lookup() -> dict[str, str]:
    words = {word: role for role, forms in _ROLE_WORDS.items() for word in forms}
    for style in _STYLES.values():
        words |= {_bare_label(label).casefold(): role for role, label in style.labels.items()}
    return words | {role.replace("_", " "): role for role in ROLES}


ROLE_BY_WORD: Final = MappingProxyType(_role_lookup())


def is_author_role(role: str) -> bool:
    """Whether the role made the story (NewsML creator) rather than helped (contributor)."""
    return role in _AUTHOR_ROLES


def normalise_role(role: str) -> str:
    """The canonical code for a role word, code or label in any table language.

    "Reporter", "reporting", "Reporting by" and "تقرير:" all give ``reporting``; a role we
    do not know is kept as given, only stripped, so nothing the newsroom wrote is lost.
    """
    stripped = role.strip()
    key = re.sub(r"[\s_-]+", " ", _bare_label(stripped)).casefold()
    return ROLE_BY_WORD.get(key, stripped)


def style_for(lang: str) -> Style:
    """How ``lang`` writes credits; English for a language without a table."""
    return _STYLES.get(primary(lang), _STYLES["en"])


def role_label(role: str, lang: str) -> str:
    """The label printed before names: the language's own, English for other languages.

    A free-text role outside ``ROLES`` is its own label (brief section 4: never the model's).
    """
    return style_for(lang).labels.get(role, role)
