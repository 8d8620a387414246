"""The translate stage on an article at the input limits (docs/limits.md).

Builds the largest article admission lets through: ``MAX_BLOCKS`` paragraphs making
``MAX_SEGMENTS`` segments of distinct news sentences, close to ``MAX_TEXT_CHARS``
characters (so the translation memory cannot help), checks that it is admitted and that
one segment more is refused, then times ``translate_article`` on the `base` gloss model as
one worker child runs it (intra 1, inter 1, the configured beam), and for comparison a
typical article of the benchmark corpus. Prints the timings, the ratio of each to the
600 s ``task_time_limit``, the process's peak resident memory, and one JSON line.

Run: ``.venv/bin/python benchmarks/limits.py`` (builds the base models if needed; a few
minutes on the 2-core development machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import ROOT, SENTENCES, benchmark_articles

from syndicate.config import read_glossary, settings
from syndicate.errors import ArticleInvalid
from syndicate.markup.alignment import AlignedTranslation
from syndicate.markup.segments import Protection
from syndicate.models.demo import install_demo_models
from syndicate.models.engine import Engine
from syndicate.news.article import Article, parse_article
from syndicate.news.limits import MAX_BLOCKS, MAX_SEGMENTS, MAX_TEXT_CHARS
from syndicate.translation.admission import admit
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import segment_fields, translate_article

TASK_TIME_LIMIT = 600.0


def _sentence(n: int) -> str:
    """A distinct news sentence: a corpus sentence numbered, so none repeats."""
    base = SENTENCES[n % len(SENTENCES)].rstrip(".")
    return f"{base} in report {n}."


def largest_article(template: Article) -> Article:
    """``MAX_BLOCKS`` paragraphs, ``MAX_SEGMENTS`` segments with the headline, each
    sentence padded so the whole approaches ``MAX_TEXT_CHARS``."""
    count = MAX_SEGMENTS - 1
    per_block = -(-count // MAX_BLOCKS)  # rounded up: at most MAX_BLOCKS blocks
    budget = (MAX_TEXT_CHARS - len(template.headline)) // count - 1
    sentences = [_sentence(n) for n in range(count)]
    sentences = [s[:-1] + (" and more" * 40)[: max(budget - len(s), 0)] + "." for s in sentences]
    blocks = [sentences[i : i + per_block] for i in range(0, count, per_block)]
    body = "".join(f"<p>{' '.join(block)}</p>" for block in blocks)
    return replace(template, body_html=body, summary=None, dateline=None, media=(), credits=())


def _is_refused(article: Article) -> bool:
    try:
        admit(article)
    except ArticleInvalid:
        return True
    return False


def _timed(engine: Engine, article: Article, pair: str) -> float:
    source, target = pair.split("-")
    translator = engine.translator(source, target)
    glossary = read_glossary(settings().glossary)

    def deduplicated(texts: Sequence[str]) -> list[AlignedTranslation]:
        return translate_with_memory(texts, translator, {})[0]

    start = time.perf_counter()
    translate_article(article, target, deduplicated, engine.models_for(source, target), glossary)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", default="en-ar")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "bench-models")
    args = parser.parse_args(argv)
    install_demo_models(args.models_dir, preset="base", pairs=(args.pair,))
    typical = parse_article(benchmark_articles(3)[-1])
    largest = admit(largest_article(typical))
    longer = replace(largest, body_html=largest.body_html + "<p>One sentence more.</p>")
    assert _is_refused(longer), "one segment past the limit must be refused"
    beam = settings().beam_size
    engine = Engine(args.models_dir, intra_threads=1, inter_threads=1, beam_size=beam)
    _timed(engine, typical, args.pair)  # load the model, warm the caches
    segments = [s for f in segment_fields(largest, Protection()).values() for s in f.segments]
    figures = {
        "beam": beam,
        "largest_segments": len(segments),
        "largest_characters": sum(map(len, segments)),
        "largest_body_bytes": len(largest.body_html.encode()),
        "largest_seconds": round(_timed(engine, largest, args.pair), 1),
        "typical_seconds": round(_timed(engine, typical, args.pair), 2),
    }
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    figures["largest_over_time_limit"] = round(figures["largest_seconds"] / TASK_TIME_LIMIT, 3)
    figures["largest_over_typical"] = round(
        figures["largest_seconds"] / figures["typical_seconds"], 1
    )
    print(f"largest admitted article, {args.pair}, one worker child (intra 1, inter 1):")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
