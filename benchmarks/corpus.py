"""The benchmark corpus: the shared sample, the test article and generated articles.

Generated articles mix sentences of real news register with the markup newsrooms publish
(links, emphasis, lists, headings, quotes, figures, embeds), from a fixed seed so every run
measures the same text.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"

SENTENCES = [
    "The government said on Monday that the new budget would be sent to parliament next week.",
    "Security forces arrested three suspects after an attack on a police checkpoint near Kirkuk.",
    "Thousands of people gathered in the city center to protest against rising prices.",
    "The president met the prime minister to discuss the security situation in the region.",
    "Officials said at least 12 people were killed and 30 others were wounded in the blast.",
    "Aid agencies warned that children in the camps need food, water and medical care.",
    "The army said its forces had taken control of two villages after heavy fighting.",
    "Schools and hospitals were closed as the storm moved across the country.",
    "The minister told reporters that the talks with Baghdad were making progress.",
    "Oil exports resumed on Tuesday after a pause of more than two months.",
    "Refugees who fled the war say they want to return to their homes.",
    "The United Nations called on all sides to protect civilians and allow aid to reach them.",
    "Local officials said the new bridge would open to traffic in the spring.",
    "Farmers in the region say the drought has destroyed much of this year's harvest.",
    "The court sentenced the former official to seven years in prison for corruption.",
    "Election results are expected to be announced by the end of the week.",
    "Doctors at the hospital said the number of patients had doubled in a month.",
    "The border crossing was reopened on Sunday for trucks carrying food and medicine.",
    "Women and children make up most of the people living in the camp.",
    "The company plans to build a new power plant that will provide electricity to the city.",
    "Police said the fire started in a market and spread to nearby shops.",
    "Teachers went on strike to demand that their salaries be paid on time.",
    "The foreign minister will visit Ankara and Tehran later this month.",
    "Residents said they heard explosions and gunfire throughout the night.",
    "The dam holds enough water to supply the region for two years.",
    "Rescue teams worked through the night to reach families trapped under the rubble.",
    "The parliament voted to approve the law after a long debate.",
    "Prices of bread and fuel have risen sharply since the start of the year.",
    "The fighters withdrew from the town after the ceasefire came into force.",
    "Journalists were not allowed to enter the area for security reasons.",
    "Dr. Sara Omar said the U.S. team would arrive at 10 a.m. on Thursday.",
    "The report found that 2.5 million people need humanitarian assistance.",
    "Students protested outside the university to demand better services.",
    "The governor said the water supply would return to normal within days.",
    "Hundreds of families returned to the old city after the roads were cleared of mines.",
    "The new airport terminal can handle three million passengers a year.",
    "Health officials reported 150 new cases of the disease in the past week.",
    "Kurdish and Iraqi officials agreed to form a joint committee on the disputed areas.",
    "The museum reopened after years of work to restore its collection.",
    "Snow closed the mountain roads between the two cities for several hours.",
]

_INLINE = ["a", "strong", "em", "b", "i", "span"]


def _decorate(sentence: str, rng: random.Random) -> str:
    """Wrap one or two runs of words in inline markup, links with attributes."""
    words = sentence.split(" ")
    for _ in range(rng.randint(0, 2)):
        start = rng.randrange(len(words))
        end = min(len(words), start + rng.randint(1, 3))
        if any("<" in w or ">" in w for w in words[start:end]):
            continue
        tag = rng.choice(_INLINE)
        attrs = f' href="https://www.example.org/news/{rng.randint(1, 9999)}"' if tag == "a" else ""
        words[start] = f"<{tag}{attrs}>{words[start]}"
        words[end - 1] = f"{words[end - 1]}</{tag}>"
    return " ".join(words)


def _paragraph(rng: random.Random) -> str:
    return " ".join(_decorate(s, rng) for s in rng.sample(SENTENCES, rng.randint(2, 4)))


def _block(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return f"<h2>{_decorate(rng.choice(SENTENCES).rstrip('.'), rng)}</h2>"
    if kind < 0.2:
        items = "".join(f"<li>{_decorate(s, rng)}</li>" for s in rng.sample(SENTENCES, 3))
        return f"<ul>{items}</ul>"
    if kind < 0.28:
        return f"<blockquote><p>“{_paragraph(rng)}”</p></blockquote>"
    if kind < 0.34:
        n = rng.randint(1, 999)
        return (
            f'<figure><img src="https://www.example.org/img/{n}.jpg" alt="{rng.choice(SENTENCES)}">'
            f"<figcaption>{_decorate(rng.choice(SENTENCES), rng)}</figcaption></figure>"
        )
    if kind < 0.38:
        return (
            '<iframe src="https://www.youtube.com/embed/x1y2z3" width="560" height="315"></iframe>'
        )
    return f"<p>{_paragraph(rng)}</p>"


def generated_article(index: int, rng: random.Random) -> dict[str, Any]:
    body = "\n".join(_block(rng) for _ in range(rng.randint(6, 10)))
    return {
        "id": f"bench-{index:03d}",
        "version": 1,
        "language": "en",
        "published_at": "2026-11-01T08:00:00Z",
        "headline": rng.choice(SENTENCES).rstrip("."),
        "summary": rng.choice(SENTENCES),
        "body_html": body,
        "tags": ["bench", f"topic-{index % 5}"],
        "credit_line": "Reporting by Hana Aziz in Erbil, editing by Ayub Nuri",
    }


def benchmark_articles(count: int = 22, seed: int = 7) -> list[dict[str, Any]]:
    """The shared sample and the test article (where present) plus generated ones."""
    fixed = [
        SAMPLES / "rudaw-isis-final-moments.json",
        ROOT / "tests" / "data" / "erbil-floods.json",
    ]
    articles = [json.loads(p.read_text("utf-8")) for p in fixed if p.exists()]
    rng = random.Random(seed)
    articles += [generated_article(i, rng) for i in range(count - len(articles))]
    return articles
