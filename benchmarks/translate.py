"""Translate-stage throughput: raw CTranslate2, the pipeline, and Argos' own HTML path.

Everything runs in one process on the same `base` gloss package (Transformer-base, int8),
beam size 4 for everyone (the Argos default), over the same >= 20 articles, HTML in and
HTML out, and is counted in the sentences the pipeline sends to the model:

(a) raw: ``translate_batch`` over exactly those sentences (already tokenised, no attention
    returned), best of a small grid of thread and batching settings: the physical limit;
(b) pipeline: ``translate_article`` per article (sanitise, segment, one batched call with
    attention, reassemble by alignment), in the project's configuration;
(c) argos default: ``argostranslatefiles.translatehtml.translate_html`` as LibreTranslate
    runs it, default thread settings, one article at a time;
(d) argos tuned: the same path with one thread per call, two replicas and two articles in
    flight (LibreTranslate --threads 2 with ARGOS_INTRA_THREADS=1).

Argos' default sentence splitter (MiniSBD) downloads a model at first use, which cannot
work offline, so (c) and (d) split with syndicate's rule-based splitter instead
(argos_path.py). That only makes Argos faster (no ONNX inference), so the comparison stays
fair. Argos' result cache is bypassed (fresh ``PackageTranslation`` objects) so no run is
served from memory.

Run: ``.venv/bin/python benchmarks/translate.py`` (``make bench``); ``--multilingual nllb
--pair en-ckb`` runs the multilingual demo model (issue 17), raw calls with its language
tokens as the engine passes them. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece as spm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from argos_path import argos_environment, argos_html, argos_translation
from corpus import ROOT, benchmark_articles

from syndicate.config import read_glossary, settings
from syndicate.markup.alignment import AlignedTranslation
from syndicate.models.demo import install_demo_models
from syndicate.models.engine import Engine
from syndicate.models.multidemo import FAMILIES, install_family
from syndicate.news.article import Article, parse_article
from syndicate.translation.plan import translate_with_memory
from syndicate.translation.stage import translate_article

BEAM = 4
DEFAULT_MODELS = ROOT / "var" / "bench-models"


def _best_seconds(
    run: Callable[[], object], repeats: int, warm_up: Callable[[], object] | None = None
) -> float:
    """Warm up (models load, caches fill), then the best of ``repeats`` timed runs."""
    (warm_up or run)()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _over(
    one: Callable[[Article], object], articles: Sequence[Article], in_flight: int
) -> Callable[[], object]:
    """All articles through ``one``, sequentially or ``in_flight`` at a time."""

    def run() -> object:
        if in_flight == 1:
            return [one(a) for a in articles]
        with ThreadPoolExecutor(in_flight) as pool:
            return list(pool.map(one, articles))

    return run


def _timed(
    one: Callable[[Article], object], articles: Sequence[Article], in_flight: int, repeats: int
) -> float:
    """Best time over all articles, after one article as warm-up (model load excluded)."""
    return _best_seconds(_over(one, articles, in_flight), repeats, lambda: one(articles[0]))


def _pipeline(engine: Engine, source: str, target: str) -> Callable[[Article], object]:
    glossary = read_glossary(settings().glossary)
    models = engine.models_for(source, target)
    translator = engine.translator(source, target)

    def deduplicated(texts: Sequence[str]) -> list[AlignedTranslation]:
        return translate_with_memory(texts, translator, {})[0]

    def one(article: Article) -> Article:
        return translate_article(article, target, deduplicated, models, glossary)

    return one


def _sent_batches(
    engine: Engine, articles: Sequence[Article], source: str, target: str
) -> list[list[str]]:
    """The texts the pipeline sends, one list per article call, captured from a real run."""
    sent: list[list[str]] = []
    glossary = read_glossary(settings().glossary)
    models = engine.models_for(source, target)

    def recording(texts: Sequence[str]) -> list[AlignedTranslation]:
        sent.append(list(texts))
        return engine.translate(source, target, texts)

    def deduplicated(texts: Sequence[str]) -> list[AlignedTranslation]:
        return translate_with_memory(texts, recording, {})[0]

    for article in articles:
        translate_article(article, target, deduplicated, models, glossary)
    return sent


def _raw(
    package: Path, batches: list[list[list[str]]], repeats: int, forced: Sequence[str] = ()
) -> tuple[float, str]:
    """The fastest raw configuration found: (seconds, description); prints the grid.
    ``forced``: a multilingual model's target prefix, as the engine passes it."""
    results: list[tuple[float, str]] = []
    everything = [tokens for batch in batches for tokens in batch]
    for intra, inter in ((1, 1), (2, 1), (1, 2)):
        translator = ctranslate2.Translator(
            str(package / "model"), device="cpu", intra_threads=intra, inter_threads=inter
        )
        for mode, max_batch in (("per-article", 0), ("all", 0), ("all", 16)):
            if mode == "per-article" and inter > 1:
                max_batch = -1  # split each article's call over the replicas
            label = f"intra={intra} inter={inter} {mode} max_batch_size={max_batch}"

            def run(
                t: Any = translator, mode: str = mode, mb: int = max_batch, n: int = inter
            ) -> object:
                calls = batches if mode == "per-article" else [everything]
                return [
                    t.translate_batch(
                        call,
                        target_prefix=[list(forced)] * len(call) if forced else None,
                        beam_size=BEAM,
                        max_batch_size=-(-len(call) // n) if mb < 0 else mb,
                    )
                    for call in calls
                ]

            seconds = _best_seconds(
                run, repeats, lambda t=translator: t.translate_batch(batches[0])
            )
            print(f"  raw {label}: {seconds:.2f} s", flush=True)
            results.append((seconds, label))
        del translator
    return min(results)


def _argos(package: Path, intra: int, inter: int) -> Callable[[Article], object]:
    translation = argos_translation(package, intra, inter, BEAM)

    def one(article: Article) -> str:
        return argos_html(translation, article.body_html) + translation.translate(article.headline)

    return one


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=22)
    parser.add_argument("--pair", default="en-ar")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--multilingual",
        choices=sorted(FAMILIES),
        help="the multilingual demo model (base preset) instead of the bilingual one; its "
        "own models dir (var/bench-models-<family>) unless --models-dir says otherwise",
    )
    args = parser.parse_args(argv)
    if args.multilingual and args.models_dir == DEFAULT_MODELS:
        args.models_dir = ROOT / "var" / f"bench-models-{args.multilingual}"
    return args


def _install(args: argparse.Namespace) -> None:
    if args.multilingual:
        install_family(args.models_dir, args.multilingual, "base")
    else:
        install_demo_models(args.models_dir, preset="base", pairs=(args.pair,))


def _pipeline_seconds(
    args: argparse.Namespace, engine: Engine, articles: list[Article], pair: tuple[str, str]
) -> float:
    """The pipeline's best of three settings: a fair rival picks its best too."""
    single = Engine(args.models_dir, intra_threads=1, inter_threads=1, beam_size=BEAM)
    pipeline = {
        "intra=1 inter=2, one article at a time": _timed(
            _pipeline(engine, *pair), articles, 1, args.repeats
        ),
        "intra=1 inter=2, two articles in flight": _timed(
            _pipeline(engine, *pair), articles, 2, args.repeats
        ),
        "intra=1 inter=1, one article at a time": _timed(
            _pipeline(single, *pair), articles, 1, args.repeats
        ),
    }
    for label, seconds in pipeline.items():
        print(f"  pipeline {label}: {seconds:.2f} s", flush=True)
    return min(pipeline.values())


def _argos_seconds(models_dir: Path, package: Path, articles: list[Article]) -> tuple[float, float]:
    """argostranslate's own path as shipped (default threads), then at its best setting."""
    argos_environment(models_dir)
    default_s = _timed(_argos(package, 0, 1), articles, 1, 1)
    print(f"  argos default (intra=0 inter=1, one at a time): {default_s:.2f} s", flush=True)
    tuned_times = {
        "intra=1 inter=2, two in flight": _timed(_argos(package, 1, 2), articles, 2, 1),
        "intra=1 inter=1, one at a time": _timed(_argos(package, 1, 1), articles, 1, 1),
    }
    for label, seconds in tuned_times.items():
        print(f"  argos tuned {label}: {seconds:.2f} s", flush=True)
    return default_s, min(tuned_times.values())


def _report(sentences: int, seconds: dict[str, float]) -> str:
    rate = {name: sentences / s for name, s in seconds.items()}
    return json.dumps(
        {
            "raw_sentences_per_s": round(rate["raw"], 2),
            "pipeline_sentences_per_s": round(rate["pipeline"], 2),
            "argos_default_sentences_per_s": round(rate["default"], 2),
            "argos_tuned_sentences_per_s": round(rate["tuned"], 2),
            "pipeline_vs_raw": round(rate["pipeline"] / rate["raw"], 2),
            "pipeline_vs_argos_default": round(rate["pipeline"] / rate["default"], 2),
            "pipeline_vs_argos_tuned": round(rate["pipeline"] / rate["tuned"], 2),
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    source, target = args.pair.split("-")
    _install(args)
    articles = [parse_article(a) for a in benchmark_articles(args.articles)]

    engine = Engine(args.models_dir, intra_threads=1, inter_threads=2, beam_size=BEAM)
    entry = engine.catalogue().route(source, target)[0]
    package, lead = entry.package.path, entry.tokens.source_prefix
    texts = _sent_batches(engine, articles, source, target)
    sentences = sum(len(t) for t in texts)
    print(f"{len(articles)} articles, {sentences} sentences sent, pair {args.pair}, beam {BEAM}")
    print(f"package {entry.package.code} {entry.package.version}")
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    tokens = [[[*lead, *sp.encode(t, out_type=str)] for t in batch] for batch in texts]

    raw_s, raw_label = _raw(package, tokens, args.repeats, entry.tokens.target_prefix)
    print(f"raw winner: {raw_label}")
    pipeline_s = _pipeline_seconds(args, engine, articles, (source, target))
    default_s, tuned_s = _argos_seconds(args.models_dir, package, articles)
    seconds = {"raw": raw_s, "pipeline": pipeline_s, "default": default_s, "tuned": tuned_s}
    print(_report(sentences, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
