"""Argos' own HTML path (``argostranslatefiles.translatehtml.translate_html`` over
``argostranslate.tags``), set up as LibreTranslate runs it, for the benchmarks to compare
against: translate.py times it, fidelity.py scores where it puts the tags.

Argos' default sentence splitter (MiniSBD) downloads a model at first use, which cannot
work offline, so the translation splits with syndicate's rule-based splitter instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from syndicate.markup.sentences import split_sentences


def argos_environment(models_dir: Path) -> None:
    """Point argostranslate (which reads settings at import) at the benchmark's packages."""
    scratch = Path(tempfile.mkdtemp(prefix="syndicate-bench-argos-"))
    os.environ.update(
        ARGOS_PACKAGES_DIR=str(models_dir),
        XDG_DATA_HOME=str(scratch / "data"),
        XDG_CACHE_HOME=str(scratch / "cache"),
        XDG_CONFIG_HOME=str(scratch / "config"),
        ARGOS_DEBUG="0",
    )


class _Splitter:
    def split_sentences(self, text: str) -> list[str]:
        return [text[a:b] for a, b in split_sentences(text)]


def argos_translation(package: Path, intra: int, inter: int, beam: int) -> Any:
    """An Argos ``PackageTranslation`` of one installed package directory."""
    from argostranslate import package as argos_package
    from argostranslate import settings as argos_settings
    from argostranslate import translate as argos_translate

    argos_settings.intra_threads, argos_settings.inter_threads = intra, inter
    argos_settings.beam_size = beam
    pkg = argos_package.Package(package)
    translation = argos_translate.PackageTranslation(
        argos_translate.Language(pkg.from_code, pkg.from_name),
        argos_translate.Language(pkg.to_code, pkg.to_name),
        pkg,
    )
    translation.sentencizer = _Splitter()
    return translation


def argos_html(translation: Any, html: str) -> str:
    """``html`` through Argos' tag path."""
    from argostranslatefiles.translatehtml import translate_html

    return str(translate_html(translation, html))
