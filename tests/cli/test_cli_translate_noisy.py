"""Packages built elsewhere, installed with ``syndicate models install`` and run through
``syndicate translate`` (issue 11): one whose reported attention is heavily noisy (45% of
target tokens misaligned), one whose word order changes with moderate noise on top. Their
translations are a clean package's, so every inline element must land on the words it
does with the clean one, where the hull of the argmax links misplaces many."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from syndicate.cli import main as cli
from syndicate.config import load_settings
from syndicate.markup import reassembly
from syndicate.markup.hull import project_spans_hull
from syndicate.models.demo import PRESETS, build_package, train_sentencepiece
from syndicate.models.variants import LEVELS, Variant

PAIR, TARGET = "en-ar", "ar"
BODY = """
<p>The <a href="https://example.org/1">local council</a> in <strong>Duhok</strong> said on
<em>Sunday</em> that <strong>450</strong> <em>displaced families</em> had moved to the
<a href="https://example.org/2">new camp</a> near the <em>old bridge</em>.</p>
<p>Officials told <b>reporters</b> that <i>schools</i> and <strong>clinics</strong> would
open after the <em>winter</em>, and that the <a href="https://example.org/3">regional
government</a> had sent <strong>water</strong> and <em>food</em> to <b>12</b> villages.</p>
<p>"We need <em>help</em> now," said <a href="https://example.org/4">one <b>mother</b></a>
of <strong>three</strong>. Aid groups said the <em>last flood</em> had closed the
<strong>main road</strong>.</p>
"""


def _article(path: Path) -> Path:
    ids = iter(range(1000))
    body = re.sub(r"<([a-z]+)(?=[\s>])", lambda m: f'<{m.group(1)} id="n{next(ids)}"', BODY)
    article = {
        "id": "noisy-1",
        "version": 1,
        "language": "en",
        "published_at": "2026-12-03T08:00:00Z",
        "headline": "Families move to the new camp",
        "body_html": " ".join(body.split()),
    }
    path.write_text(json.dumps(article), "utf-8")
    return path


def _translated(
    root: Path, name: str, variant: Variant, article: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """Build the package apart, install it by file into its own models dir, translate."""
    built = root / name / "built"
    built.mkdir(parents=True)
    sp_model = train_sentencepiece("en", TARGET, PRESETS["tiny"].vocab_size)
    package = build_package(PAIR, built, "tiny", sp_model, variant)
    env = {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_MODELS_DIR": str(root / name)}
    settings = load_settings(env)
    assert cli.main(["models", "install", str(package)], settings) == 0
    capsys.readouterr()
    assert cli.main(["translate", str(article), "--to", TARGET], settings) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return _elements(out["body_html"])


def _elements(html: str) -> dict[str, str]:
    """Each inline element's text (whitespace dropped), by id; every id must occur once."""
    root = etree.fromstring(html)
    found: dict[str, str] = {}
    for el in root.iter():
        key = el.get("id")
        if key is not None and el.tag not in ("p", "div"):
            assert key not in found, f"{key} twice"
            found[key] = "".join("".join(el.itertext()).split())
    return found


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _article(tmp_path_factory.mktemp("noisy") / "article.json")


@pytest.mark.parametrize(
    ("name", "variant", "truth"),
    [
        ("heavy", Variant(LEVELS["heavy"]), Variant()),
        ("reorder-moderate", Variant(LEVELS["moderate"], reorder=True), Variant(reorder=True)),
    ],
)
def test_elements_land_on_the_words_they_do_with_exact_attention(
    name: str,
    variant: Variant,
    truth: Variant,
    article: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    want = _translated(tmp_path, "truth", truth, article, capsys)
    got = _translated(tmp_path, name, variant, article, capsys)
    assert set(got) == set(want) and len(want) >= 20
    same = sum(got[k] == want[k] for k in want)
    assert same >= len(want) - 1, {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    # The noise is real: the hull of the argmax links, without the span check, misplaces.
    monkeypatch.setattr(reassembly, "project_spans", project_spans_hull)
    monkeypatch.setattr(reassembly, "CHECK", 0.0)
    hull = _translated(tmp_path, f"{name}-hull", variant, article, capsys)
    assert sum(hull[k] == want[k] for k in want) < same - 3
