"""The glossary: do-not-translate terms and fixed renderings per target language.

Brief section 4: terms such as Rudaw, SDF and Peshmerga pass through byte-identical, others
have a fixed rendering per language (ISIS -> داعش). The file format is
``config/glossary.toml``: a ``keep`` list of strings and a ``render`` table of language
tables, each mapping a source term to its rendering. Matching (whole words, case-sensitive,
longest first) is markup's job; this module only reads and selects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syndicate.errors import FieldError, GlossaryInvalid
from syndicate.markup.segments import Protection
from syndicate.news.languages import is_language_tag, primary


@dataclass(frozen=True, slots=True)
class Glossary:
    """``keep``: terms kept verbatim everywhere; ``render``: lang -> term -> rendering."""

    keep: frozenset[str] = frozenset()
    render: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def protection(self, lang: str, extra_keep: Iterable[str] = ()) -> Protection:
        """What markup must protect when translating into ``lang``; ``extra_keep`` adds
        per-article terms such as credited names. A rendering for ``ar-IQ`` falls back to
        the one for ``ar``."""
        render = self.render.get(lang)
        if render is None:
            render = self.render.get(primary(lang), {})
        keep = self.keep | {term for term in extra_keep if term.strip()}
        return Protection(keep=frozenset(keep), render=dict(render))


def parse_glossary(data: Mapping[str, Any]) -> Glossary:
    """The glossary from its parsed TOML; raises ``GlossaryInvalid`` listing every error."""
    errors = [
        FieldError(str(key), "unknown key (expected keep, render)")
        for key in data
        if key not in ("keep", "render")
    ]
    keep = _keep(data.get("keep", []), errors)
    render = _render(data.get("render", {}), errors)
    if errors:
        raise GlossaryInvalid(errors)
    return Glossary(keep=keep, render=render)


def _keep(value: Any, errors: list[FieldError]) -> frozenset[str]:
    if not isinstance(value, list):
        errors.append(FieldError("keep", "must be a list of terms"))
        return frozenset()
    for i, term in enumerate(value):
        if not _is_term(term):
            errors.append(FieldError(f"keep[{i}]", "must be a non-empty string"))
    return frozenset(term for term in value if _is_term(term))


def _render(value: Any, errors: list[FieldError]) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        errors.append(FieldError("render", "must be a table of language tables"))
        return {}
    render: dict[str, dict[str, str]] = {}
    for lang, table in value.items():
        if not is_language_tag(str(lang)):
            errors.append(FieldError(f"render.{lang}", "is not a language tag"))
        elif not isinstance(table, Mapping):
            errors.append(FieldError(f"render.{lang}", "must be a table of term = rendering"))
        else:
            render[str(lang)] = _renderings(str(lang), table, errors)
    return render


def _renderings(lang: str, table: Mapping[Any, Any], errors: list[FieldError]) -> dict[str, str]:
    for term, rendering in table.items():
        if not _is_term(term) or not _is_term(rendering):
            errors.append(FieldError(f"render.{lang}.{term}", "must map a term to a string"))
    return {t: r for t, r in table.items() if _is_term(t) and _is_term(r)}


def _is_term(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
