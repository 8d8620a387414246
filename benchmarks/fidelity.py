"""Tag placement fidelity under realistic attention: noisy and reordering gloss models.

Issue 11, deliverable 3. The corpus (``data/fidelity.html``: news and help-centre articles,
654 inline spans) goes from English into each ``--targets`` language (ar and kmr by
default: one right-to-left, one Latin script, and two builds, so two draws of which steps
are misaligned) through the real pipeline (``translate_article``: sanitise, segment, one
batched Engine call at beam 4 on the installed package, project, reassemble) for each
model level: ``clean``, ``mild``, ``moderate``, ``heavy`` (12%, 30%, 45% of target tokens
misaligned in the reported attention, translation unchanged), ``reorder`` (adjective-noun
pairs swapped, attention exact), ``reorder-moderate``, and the multilingual demo models
``nllb`` and ``madlad`` (issue 17: one model for four languages, chosen by a target prefix
or a source token; clean attention, the bilingual clean model's text). Packages are built
into a temporary directory (``--preset tiny`` by default; ``base`` is the Transformer-base
shape) and installed with argostranslate's own code.

Methods, on the same installed package: ``hull`` (the hull projection,
``project_spans_hull``, the method before issue 11), ``new`` (the production path:
``project_spans`` over the attention rows, then, for element spans placed with less than
``reassembly.CHECK``, their own texts translated alone and looked for in the translation),
``frag`` (the same, but the fragments come back from the check as a trained model's may,
unlike a gloss model's: ``differing``), ``attn`` (``project_spans`` without the check:
what the attention rows alone achieve) and
``argos`` (Argos' tag path, ``translate_html``, see argos_path.py).

Truth: the pipeline with the hull projection on the level's exact-attention twin (``clean``
for the noisy levels, ``reorder`` for the reordering ones, the multilingual model itself
for ``nllb`` and ``madlad``) at beam 1, whose alignment is
the true one (at beam 4 CTranslate2 scrambles step 0's attention across a batch, see
docs/models.md; a gloss model's text does not depend on the beam).
A span (an inline element, points such as ``<br/>`` included) is **exact** when, in its
block, the text before it and the text inside it (whitespace ignored) are the truth's.
Invariants (issue 2), per block: the output is well-formed XML, every inline element of the
block is there exactly once, the text is the truth's (whitespace ignored), and every
glossary term and number of the source comes out as the glossary says.

Run: ``.venv/bin/python benchmarks/fidelity.py`` (``make fidelity``). The last line is one
JSON object: ``placement_exact`` and ``invariants`` per method and level (over all
targets), the spans and blocks scored (all targets), each level's measured misaligned
share, and ``checked``: span texts the new method translated alone, per span scored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from argos_path import argos_environment, argos_html, argos_translation
from fidelity_score import Scores, score_article

from syndicate.config import read_glossary, settings
from syndicate.markup import alignment, projection, reassembly
from syndicate.markup.alignment import AlignedTranslation
from syndicate.markup.hull import project_spans_hull
from syndicate.models.demo import install_demo_models
from syndicate.models.engine import Engine
from syndicate.models.multidemo import FAMILIES, install_family
from syndicate.models.variants import LEVELS, Variant
from syndicate.news.article import Article, parse_article
from syndicate.translation.glossary import Glossary
from syndicate.translation.stage import translate_article

CORPUS = Path(__file__).resolve().parent / "data" / "fidelity.html"
SOURCE, BEAM = "en", 4
VARIANTS = {
    "clean": Variant(),
    **{name: Variant(level) for name, level in LEVELS.items()},
    "reorder": Variant(reorder=True),
    "reorder-moderate": Variant(LEVELS["moderate"], reorder=True),
}
# Issue 17: the multilingual demo models (their text is the bilingual clean model's; their
# own SentencePiece model, so each is its own exact-attention twin at beam 1).
LEVELS = [*VARIANTS, *FAMILIES]
TRUTH = {name: "reorder" if v.reorder else "clean" for name, v in VARIANTS.items()}
TRUTH |= {name: name for name in FAMILIES}
_OPEN_TAG = re.compile(r"<([a-z][a-z0-9]*)(?=[\s/>])")
Projection = Callable[[AlignedTranslation, Sequence[alignment.SourceSpan]], Any]


def load_corpus(path: Path = CORPUS) -> list[Article]:
    """The corpus's articles, every element given an ``id`` (f0, f1, ...) to find it by."""
    text = re.sub(r"<!--.*?-->", "", path.read_text("utf-8"), flags=re.S)
    counter = iter(range(1_000_000))
    articles = []
    for chunk in text.split("@@ ")[1:]:
        head, _, body = chunk.partition("\n")
        ident, headline = (part.strip() for part in head.split("|", 1))
        body = _OPEN_TAG.sub(lambda m: f'<{m.group(1)} id="f{next(counter)}"', body.strip())
        payload = {
            "id": ident,
            "version": 1,
            "language": SOURCE,
            "published_at": "2026-12-01T08:00:00Z",
            "headline": headline,
            "body_html": body,
        }
        articles.append(parse_article(payload))
    return articles


@dataclass(frozen=True)
class Method:
    """A projection, the span check's threshold (0: off), and whether the fragments the
    check translates alone come back as a trained model's might (``differing``)."""

    projection: Projection
    check: float
    differ: bool = False


def methods() -> dict[str, Method]:
    """The projections to compare: the hull baseline, the production method, the same
    with fragments that differ from their words in context, and without the span check
    (what attention alone achieves)."""
    return {
        "hull": Method(project_spans_hull, 0.0),
        "new": Method(projection.project_spans, reassembly.CHECK),
        "frag": Method(projection.project_spans, reassembly.CHECK, differ=True),
        "attn": Method(projection.project_spans, 0.0),
    }


def differing(results: Sequence[AlignedTranslation]) -> list[AlignedTranslation]:
    """Fragments translated alone as a trained model may give them, unlike a gloss model:
    every other one of two words or more lacks its first word (an article or a
    conjunction it takes only in context), the rest end their last word otherwise."""
    out = []
    for k, tr in enumerate(results):
        words = tr.text.split()
        if len(words) > 1:
            words = words[1:] if k % 2 else [*words[:-1], words[-1] + "ul"]
        text = " ".join(words)
        out.append(AlignedTranslation(tr.source, (), (text,), (-1,)))
    return out


@contextmanager
def projecting(method: Method) -> Iterator[None]:
    """Reassembly with ``method`` instead of the production one (benchmark only)."""
    saved = reassembly.project_spans, reassembly.CHECK
    reassembly.project_spans, reassembly.CHECK = method.projection, method.check
    try:
        yield
    finally:
        reassembly.project_spans, reassembly.CHECK = saved


class Level:
    """One level's package for one pair, built and installed in its own models dir; its
    engine translates each distinct batch once (the methods share the results)."""

    def __init__(self, root: Path, target: str, preset: str, name: str, beam: int = BEAM) -> None:
        models_dir = root / target / name / "models"
        if name in FAMILIES:
            install_family(models_dir, name, preset)
        else:
            pair = (f"{SOURCE}-{target}",)
            install_demo_models(models_dir, preset, pair, variant=VARIANTS[name])
        self.target, self.engine = target, Engine(models_dir, beam_size=beam)
        self.package = self.engine.catalogue().route(SOURCE, target)[0].package.path
        self.models = self.engine.models_for(SOURCE, target)
        self.memo: dict[tuple[str, ...], list[AlignedTranslation]] = {}

    def translate(self, texts: Sequence[str]) -> list[AlignedTranslation]:
        key = tuple(texts)
        if key not in self.memo:
            self.memo[key] = self.engine.translate(SOURCE, self.target, texts)
        return self.memo[key]

    def pipeline(self, article: Article, method: Method, glossary: Glossary) -> str:
        calls: list[int] = []

        def translate(texts: Sequence[str]) -> list[AlignedTranslation]:
            calls.append(len(texts))  # the article's segments first, then the span check
            out = self.translate(texts)
            return differing(out) if method.differ and len(calls) > 1 else out

        with projecting(method):
            out = translate_article(article, self.target, translate, self.models, glossary)
        return out.body_html or ""


def misaligned(level: Level, truth: Level) -> tuple[int, int]:
    """(target tokens whose reported alignment is not the true one, target tokens)."""
    total = wrong = 0
    for key in level.memo.keys() & truth.memo.keys():  # the level's span checks aside
        for got, want in zip(level.memo[key], truth.memo[key], strict=True):
            total += len(got.alignment)
            wrong += sum(a != b for a, b in zip(got.alignment, want.alignment, strict=True))
    return wrong, total


def run(preset: str, targets: Sequence[str], names: Sequence[str], root: Path) -> dict[str, Any]:
    """Every level named of every pair scored; counts add up over the pairs."""
    articles, glossary = load_corpus(), read_glossary(settings().glossary)
    projections = methods()
    argos_environment(root / "argos-home")
    scores = {m: {n: Scores() for n in names} for m in [*projections, "argos"]}
    noise = {n: [0, 0] for n in names}
    checks = dict.fromkeys(names, 0)  # span texts the new method translated alone
    for target in targets:
        levels = {n: Level(root, target, preset, n) for n in names}
        # Beam 1: the same text, and attention CTranslate2 reports right at step 0 too.
        twins = {TRUTH[n] for n in names}
        exact = {n: Level(root, target, preset, n, beam=1) for n in twins}
        truths = {
            name: [level.pipeline(a, projections["hull"], glossary) for a in articles]
            for name, level in exact.items()
        }
        for name, level in levels.items():
            outputs = {
                m: [level.pipeline(a, fn, glossary) for a in articles]
                for m, fn in projections.items()
            }
            translation = argos_translation(level.package, 1, 1, BEAM)
            outputs["argos"] = [argos_html(translation, a.body_html or "") for a in articles]
            for method, htmls in outputs.items():
                for article, html, want in zip(articles, htmls, truths[TRUTH[name]], strict=True):
                    source = article.body_html or ""
                    scores[method][name] += score_article(source, html, want, glossary, target)
            wrong, total = misaligned(level, exact[TRUTH[name]])
            noise[name] = [noise[name][0] + wrong, noise[name][1] + total]
            checks[name] += sum(len(k) for k in level.memo if k not in exact[TRUTH[name]].memo)
    shares = {n: round(w / max(1, t), 3) for n, (w, t) in noise.items()}
    return {"scores": scores, "misaligned": shares, "checked": checks}


def _table(scores: dict[str, dict[str, Scores]], noise: dict[str, float]) -> str:
    names = list(next(iter(scores.values())))
    lines = [
        "level:          " + "".join(f"{n:>18}" for n in names),
        "misaligned:     " + "".join(f"{noise[n]:>18.3f}" for n in names),
    ]
    for method, by_level in scores.items():
        exact = "".join(f"{by_level[n].exact_share:>18.3f}" for n in names)
        held = "".join(f"{by_level[n].invariant_share:>18.3f}" for n in names)
        lines += [f"{method:<6} exact    {exact}", f"{method:<6} invariant{held}"]
    return "\n".join(lines)


def _arguments(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str], list[str]]:
    """The options, the target languages and the noise levels asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=("tiny", "base"), default="tiny")
    parser.add_argument(
        "--targets",
        default="ar,kmr",
        help="target languages from en, comma-separated (each pair is its own build, so its "
        "own draw of misaligned steps; default ar,kmr: one RTL, one Latin script)",
    )
    parser.add_argument(
        "--levels", default=",".join(LEVELS), help=f"a subset of {', '.join(LEVELS)}"
    )
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    names = [n.strip() for n in args.levels.split(",") if n.strip()]
    if unknown := [n for n in names if n not in LEVELS]:
        parser.error(f"unknown levels: {', '.join(unknown)}")
    return args, targets, names


def _summary(result: dict[str, Any], targets: list[str], preset: str) -> dict[str, Any]:
    """The JSON last line: every method's shares by level, and what the run covered."""
    scores: dict[str, dict[str, Scores]] = result["scores"]
    any_level = next(iter(scores["hull"].values()))
    return {
        "placement_exact": {
            m: {n: round(s.exact_share, 4) for n, s in by.items()} for m, by in scores.items()
        },
        "invariants": {
            m: {n: round(s.invariant_share, 4) for n, s in by.items()} for m, by in scores.items()
        },
        "invariant_failures": {
            m: {n: s.failures for n, s in by.items()} for m, by in scores.items()
        },
        "misaligned": result["misaligned"],
        "checked": {n: round(c / max(1, any_level.spans), 3) for n, c in result["checked"].items()},
        "spans": any_level.spans,
        "blocks": any_level.blocks,
        "targets": targets,
        "preset": preset,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args, targets, names = _arguments(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="syndicate-fidelity-") as tmp:
        result = run(args.preset, targets, names, Path(tmp))
    scores: dict[str, dict[str, Scores]] = result["scores"]
    any_level = next(iter(scores["hull"].values()))
    pairs = ", ".join(f"{SOURCE} -> {t}" for t in targets)
    print(f"{any_level.spans} spans in {any_level.blocks} blocks, {pairs}, {args.preset} preset")
    print(_table(scores, result["misaligned"]))
    summary = _summary(result, targets, args.preset)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
