"""Where models run: ``device`` (auto, cpu or cuda) and ``compute_type`` (issue 17).

``auto`` takes CUDA where CTranslate2 sees a GPU, else the CPU. The compute type defaults
to int8 on the CPU (every Argos package is int8) and int8_float16 on CUDA; any other must
be one CTranslate2 supports on that device. A wrong value is a SettingsInvalid naming the
setting, at start-up, not a failed task.
"""

from __future__ import annotations

from typing import Final

import ctranslate2

from syndicate.errors import SettingsInvalid

DEVICES: Final = ("auto", "cpu", "cuda")
DEFAULT_COMPUTE: Final = {"cpu": "int8", "cuda": "int8_float16"}


def gpus() -> int:
    """How many CUDA devices CTranslate2 sees (0 without a driver or a GPU build)."""
    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:
        return 0


def resolve(device: str, compute_type: str = "") -> tuple[str, str]:
    """The (device, compute type) to load models with."""
    if device not in DEVICES:
        raise SettingsInvalid(f"setting device: expected auto, cpu or cuda, got {device!r}")
    found = gpus()
    if device == "cuda" and not found:
        raise SettingsInvalid("setting device: cuda, but CTranslate2 sees no CUDA device")
    chosen = "cuda" if device == "cuda" or (device == "auto" and found) else "cpu"
    compute = compute_type or DEFAULT_COMPUTE[chosen]
    supported = sorted(ctranslate2.get_supported_compute_types(chosen))
    if compute not in (*supported, "default", "auto"):
        raise SettingsInvalid(
            f"setting compute_type: {compute!r} is not supported on {chosen} "
            f"(supported: {', '.join(supported)})"
        )
    return chosen, compute
