"""Suite-wide fixtures: demo gloss models built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syndicate.demo_models import DEMO_PAIRS, install_demo_models

DEMO_MODELS_ENV = "SYNDICATE_TEST_MODELS_DIR"


@pytest.fixture(scope="session")
def demo_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny gloss models for all eight demo pairs, installed once per session.

    Treat the directory as read-only. Subprocess tests find it in $SYNDICATE_TEST_MODELS_DIR
    (pass it on as SYNDICATE_MODELS_DIR).
    """
    models_dir = tmp_path_factory.mktemp("demo") / "models"
    install_demo_models(models_dir, preset="tiny", pairs=DEMO_PAIRS)
    os.environ[DEMO_MODELS_ENV] = str(models_dir)
    return models_dir
