"""The Makefile's commands as make would run them (``make -n``: nothing is executed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        ["make", "-n", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


def test_flower_listens_on_loopback_unless_told_otherwise() -> None:
    """Issue 9: Flower listened on 0.0.0.0 and [::], and it has no authentication."""
    line = next(line for line in _dry_run("flower").splitlines() if " flower " in line)
    assert "--address=127.0.0.1" in line and "--port=5555" in line
    chosen = _dry_run("flower", "FLOWER_ADDRESS=0.0.0.0", "FLOWER_ARGS=--basic-auth=u:p")
    assert "--address=0.0.0.0" in chosen and "--basic-auth=u:p" in chosen


def test_run_takes_the_demo_models_kind() -> None:
    """Issue 17: ``make run MODELS=multilingual``."""
    assert "syndicate run --models bilingual" in _dry_run("run")
    assert "syndicate run --models multilingual" in _dry_run("run", "MODELS=multilingual")
