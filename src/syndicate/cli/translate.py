"""``syndicate translate``: one article through the translate stage, without Redis."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from syndicate.config import Settings, read_glossary
from syndicate.errors import ArticleInvalid, FieldError, NoModel
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models.engine import engine_from
from syndicate.news.article import Article
from syndicate.news.article_json import article_to_dict
from syndicate.news.languages import is_language_tag, primary
from syndicate.translation.admission import read_article_json
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article


def _print_field_errors(source: str, error: ArticleInvalid) -> int:
    for e in error.errors:
        print(f"{source}: {e.field}: {e.message}", file=sys.stderr)
    return 2


def _load_article(name: str) -> Article:
    try:
        raw = Path(name).read_bytes() if name != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        raise ArticleInvalid([FieldError("$", f"cannot read the file: {exc.strerror}")]) from exc
    return read_article_json(raw)


def _targets(arg: str | None, article: Article, s: Settings) -> list[str]:
    chosen = arg.split(",") if arg else list(article.targets or s.default_targets)
    return [t.strip() for t in chosen if t.strip() and primary(t) != primary(article.language)]


def _deduplicated(translator: SegmentTranslator) -> SegmentTranslator:
    """Send each distinct segment of the article once (no memory across runs here)."""

    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        return translate_with_memory(texts, translator, {})[0]

    return run


def _cmd_translate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        article = _load_article(args.file)
    except ArticleInvalid as exc:
        return _print_field_errors(args.file, exc)
    targets = _targets(args.to, article, settings)
    bad = [t for t in targets if not is_language_tag(t)]
    if bad or not targets:
        print(f"syndicate: --to: not a language list: {args.to!r}", file=sys.stderr)
        return 2
    engine, glossary = engine_from(settings), read_glossary(settings.glossary)
    try:
        chains = {t: engine.models_for(primary(article.language), primary(t)) for t in targets}
    except NoModel as exc:
        print(f"syndicate: {exc} (see `syndicate models --help`)", file=sys.stderr)
        return 1
    results = []
    for target, models in chains.items():
        translator = _deduplicated(engine.translator(primary(article.language), primary(target)))
        translated = translate_article(article, target, translator, models, glossary)
        results.append(article_to_dict(translated))
    json.dump(
        results[0] if len(results) == 1 else results, sys.stdout, ensure_ascii=False, indent=2
    )
    sys.stdout.write("\n")
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    p = commands.add_parser("translate", help="translate one article JSON file (no Redis)")
    p.add_argument("file", help="article JSON file, or - for standard input")
    p.add_argument("--to", help="target languages, comma-separated (default: config)")
    p.set_defaults(handler=_cmd_translate)
