"""The `syndicate` command line: a thin adapter over the core and the shell modules.

Exit codes: 0 done, 1 the environment failed (no model, offline), 2 bad input (one
readable line per problem on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from syndicate import logs
from syndicate.cli import feeds as cli_feeds
from syndicate.cli import models as cli_models
from syndicate.cli import run as cli_run
from syndicate.cli import service as cli_service
from syndicate.config import Settings, read_glossary, settings
from syndicate.errors import ArticleInvalid, FieldError, NoModel
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.models.engine import Engine
from syndicate.news.article import Article, article_to_dict, parse_article_json
from syndicate.news.languages import is_language_tag, primary
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _print_field_errors(source: str, error: ArticleInvalid) -> int:
    for e in error.errors:
        print(f"{source}: {e.field}: {e.message}", file=sys.stderr)
    return 2


def _load_article(name: str) -> Article:
    try:
        raw = Path(name).read_bytes() if name != "-" else sys.stdin.buffer.read()
    except OSError as exc:
        raise ArticleInvalid([FieldError("$", f"cannot read the file: {exc.strerror}")]) from exc
    return parse_article_json(raw)


def _targets(arg: str | None, article: Article, s: Settings) -> list[str]:
    chosen = arg.split(",") if arg else list(article.targets or s.default_targets)
    return [t.strip() for t in chosen if t.strip() and primary(t) != primary(article.language)]


def engine_from(s: Settings) -> Engine:
    """The engine with the configured thread counts, beam and segment limit."""
    return Engine(
        s.models_dir,
        intra_threads=s.intra_threads,
        inter_threads=s.inter_threads,
        beam_size=s.beam_size,
        max_segment_tokens=s.max_segment_tokens,
    )


def _deduplicated(translator: SegmentTranslator) -> SegmentTranslator:
    """Send each distinct segment of the article once (no memory across runs here)."""

    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        return translate_with_memory(texts, translator, {})[0]

    return run


def _cmd_translate(args: argparse.Namespace) -> int:
    s = settings()
    try:
        article = _load_article(args.file)
    except ArticleInvalid as exc:
        return _print_field_errors(args.file, exc)
    targets = _targets(args.to, article, s)
    bad = [t for t in targets if not is_language_tag(t)]
    if bad or not targets:
        print(f"syndicate: --to: not a language list: {args.to!r}", file=sys.stderr)
        return 2
    engine, glossary = engine_from(s), read_glossary(s.glossary)
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="syndicate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--log-format", choices=logs.FORMATS, help="serve and worker logs (default: setting)"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser("translate", help="translate one article JSON file (no Redis)")
    p.add_argument("file", help="article JSON file, or - for standard input")
    p.add_argument("--to", help="target languages, comma-separated (default: config)")
    p.set_defaults(handler=_cmd_translate)
    cli_models.register(commands)
    cli_feeds.register(commands)
    cli_service.register(commands)
    cli_run.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    code: int = handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
