"""Where models run (issue 17): SYNDICATE_DEVICE auto|cpu|cuda and SYNDICATE_COMPUTE_TYPE.
Tests run on the CPU; the CUDA test skips, with the reason, where CTranslate2 sees no GPU."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from syndicate.config import load_settings
from syndicate.errors import SettingsInvalid
from syndicate.models.device import gpus, resolve
from syndicate.models.engine import engine_from

REPO = Path(__file__).resolve().parents[2]


def test_auto_and_cpu_run_int8_on_the_cpu_here_unless_told() -> None:
    expected = "cuda" if gpus() else "cpu"
    assert resolve("auto") == (expected, "int8_float16" if gpus() else "int8")
    assert resolve("cpu") == ("cpu", "int8")
    assert resolve("cpu", "float32") == ("cpu", "float32")


def test_a_bad_device_or_compute_type_names_the_setting() -> None:
    with pytest.raises(SettingsInvalid, match="setting device: expected auto, cpu or cuda"):
        resolve("tpu")
    with pytest.raises(SettingsInvalid, match="setting compute_type: 'bfloat99' is not"):
        resolve("cpu", "bfloat99")


def test_the_worker_refuses_cuda_without_a_gpu_in_one_line(tmp_path: Path) -> None:
    if gpus():
        pytest.skip("a CUDA device is here: cuda is a valid choice")
    env = {"SYNDICATE_DEVICE": "cuda", "SYNDICATE_CONFIG": "/nonexistent.toml", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "syndicate.cli", "worker"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "syndicate: setting device: cuda, but CTranslate2 sees no CUDA device"
    )


@pytest.mark.skipif(
    not gpus(), reason="no CUDA device visible to CTranslate2 (get_cuda_device_count() == 0)"
)
def test_translation_on_cuda_matches_the_cpu(nllb_models_dir: Path) -> None:
    settings = replace(load_settings({}), models_dir=nllb_models_dir)
    texts = ["The new camp opened in Erbil, officials said."]
    cuda = engine_from(replace(settings, device="cuda")).translate("en", "ckb", texts)
    cpu = engine_from(replace(settings, device="cpu")).translate("en", "ckb", texts)
    assert [r.text for r in cuda] == [r.text for r in cpu]
