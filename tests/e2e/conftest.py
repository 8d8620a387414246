"""End-to-end fixtures: real worker (and server) subprocesses on a private redis-server, with
the tiny gloss models for en->ar and en->tr only (Sorani and Kurmanji say ``no_model``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_processes import Processes


@pytest.fixture(scope="session")
def partial_models_dir(demo_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """English to Arabic and Turkish (and back) only."""
    models = tmp_path_factory.mktemp("e2e-models") / "models"
    models.mkdir()
    for name in ("translate-en_ar-demo", "translate-en_tr-demo"):
        (models / name).symlink_to(demo_models_dir / name)
    return models


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
