"""Kurdish on a multilingual model, end to end (issue 17): the running service (worker and
API subprocesses, a private redis-server) with the NLLB-shaped family for en -> tr, ckb and
kmr and a bilingual package for en -> ar. No language token reaches a feed, Sorani comes
out with Sorani letters, one model serves three pairs, and with commercial use on the
CC-BY-NC model is refused while Arabic goes on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from running_service import OPERATOR_TOKEN, Running, running_service

from syndicate.api.credentials import SIGNATURE_HEADER, sign
from syndicate.models.multidemo import FAMILIES
from syndicate.translation.sorani import ARABIC_ONLY

from e2e_processes import wait_for

SECRET = "newsroom-test-secret"
TOKENS = [token for family in FAMILIES.values() for token in family.tokens.values()]
URL = "https://example.org/reports/erbil_water_2024?id=7"
ARTICLE: dict[str, Any] = {
    "id": "kurdish-1",
    "version": 1,
    "language": "en",
    "published_at": "2026-12-01T08:00:00Z",
    "headline": "Water returns to the city of Erbil",
    "summary": "Officials said the new water plant opened on Monday.",
    "body_html": (
        "<p>Local officials said <b>the new camp</b> opened near the city, "
        f"and the report is at {URL} for readers.</p>"
        "<p>The minister, quoted as saying «الكتاب في مدرسة», visited on Monday.</p>"
    ),
    "credits": [{"role": "reporting", "name": "Kawa_Ali Hassan"}],
    "media": [
        {
            "type": "image",
            "url": "https://example.org/camp_1.jpg",
            "caption": "The new camp near the city, officials said.",
            "credit": "Rudaw",
        }
    ],
    "tags": ["water_supply", "Erbil"],
}


@pytest.fixture(scope="module")
def mixed_models_dir(
    nllb_models_dir: Path, demo_models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The NLLB-shaped family and the bilingual en -> ar package (which wins for ar)."""
    models = tmp_path_factory.mktemp("mixed") / "models"
    models.mkdir()
    for package in [*nllb_models_dir.iterdir(), demo_models_dir / "translate-en_ar-demo"]:
        if package.is_dir():
            (models / package.name).symlink_to(package)
    return models


@pytest.fixture
def service(
    mixed_models_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Running]:
    commercial = getattr(request, "param", "false")
    env = {"SYNDICATE_NEWSROOM_SECRET": SECRET, "SYNDICATE_COMMERCIAL_USE": commercial}
    with running_service(tmp_path, mixed_models_dir, **env) as up:
        yield up


def _post(up: Running) -> None:
    body = json.dumps(ARTICLE).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
    answer = up.http.post(f"{up.base}/v1/articles", content=body, headers=headers)
    assert answer.status_code == 202, answer.text


def _languages(up: Running) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    answer = up.http.get(f"{up.base}/v1/articles/{ARTICLE['id']}", headers=auth)
    assert answer.status_code == 200, answer.text
    languages: dict[str, Any] = answer.json()["languages"]
    return languages


def _settled(up: Running, expected: dict[str, str]) -> dict[str, Any] | None:
    languages = _languages(up)
    return languages if {k: v["state"] for k, v in languages.items()} == expected else None


def _feed(up: Running, path: str) -> str:
    answer = up.http.get(f"{up.base}{path}", headers={"Authorization": f"Bearer {up.partner_key}"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_kurdish_through_one_shared_model_with_no_token_in_any_feed(
    service: Running, tmp_path: Path
) -> None:
    _post(service)
    done = {lang: "published" for lang in ("en", "ar", "tr", "ckb", "kmr")}
    wait_for(lambda: _settled(service, done), 120, "every language published")
    for lang in ("ar", "tr", "ckb", "kmr"):
        item = json.loads(_feed(service, f"/v1/items/{ARTICLE['id']}/{lang}.json"))
        feeds = [_feed(service, f"/v1/feeds/{lang}.{ext}") for ext in ("rss", "xml", "json")]
        for text in (json.dumps(item, ensure_ascii=False), *feeds):
            assert not [t for t in TOKENS if t in text], lang
            assert "\u2047" not in text and "Arab " not in text and "Latn " not in text
        [caption] = [d["value"] for a in item["associations"] for d in a.get("descriptions", [])]
        assert caption != ARTICLE["media"][0]["caption"]  # translated, and no token in it
        body = item["bodies"][0]["value"]
        assert URL in body and "<b>" in body and "Kawa_Ali Hassan" in item["by"]
        assert [s["name"] for s in item["subjects"]] == ARTICLE["tags"]
        if lang == "ckb":
            visible = item["headlines"][0]["value"] + item["descriptions"][0]["value"]
            visible += caption + body
            assert not ARABIC_ONLY.intersection(visible), visible
        if lang != "ar":
            assert f"translate-en_{lang}-nllb" in item["edNote"]
            assert "licence CC-BY-NC-4.0" in item["edNote"]
    assert "الكتاب" in _feed(service, f"/v1/items/{ARTICLE['id']}/ar.json")  # never for ar
    log = "".join(p.read_text("utf-8", errors="replace") for p in tmp_path.glob("worker-*.log"))
    assert "one model (" in log and "translate-en_ckb-nllb (en-ckb)" in log
    assert '"models": 2' in log  # per child: the bilingual en-ar and one for tr, ckb, kmr


@pytest.mark.parametrize("service", ["true"], indirect=True)
def test_commercial_use_refuses_the_non_commercial_model_and_arabic_goes_on(
    service: Running,
) -> None:
    _post(service)
    done = {"en": "published", "ar": "published", "tr": "no_model", "ckb": "no_model"}
    done["kmr"] = "no_model"
    languages = wait_for(lambda: _settled(service, done), 120, "ar published, the rest no_model")
    reason = languages["ckb"].get("reason", "")
    assert "translate-en_ckb-nllb is CC-BY-NC-4.0" in reason and "commercial" in reason
    assert "Erbil" in _feed(service, "/v1/feeds/ar.rss")
