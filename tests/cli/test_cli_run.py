"""cli/run.py's shell block: the exports `make run` prints, evaluated by a real bash, give
the secrets the run gave the API; a secret the operator set is named but never printed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from syndicate.cli import run
from syndicate.config import Settings

REDIS = "redis://127.0.0.1:6391/0"
NAMES = ("SYNDICATE_REDIS_URL", "SYNDICATE_NEWSROOM_SECRET", "SYNDICATE_OPERATOR_TOKEN")


def _exported(lines: list[str]) -> dict[str, str]:
    """What a shell holds after the printed block is pasted into it as is."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not on PATH")
    names = (*NAMES, "DEMO_KEY")
    show = "".join(f'printf "%s\\0" "${{{name}-<unset>}}"; ' for name in names)
    script = "\n".join(line for line in lines if line.strip().startswith("export ")) + "\n"
    done = subprocess.run(
        ["bash", "--norc", "-c", script + show], capture_output=True, check=True, env={}
    )
    return dict(zip(names, done.stdout.decode().split("\0"), strict=False))


def test_generated_secrets_are_printed_as_ephemeral_and_paste_to_the_runs_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = run._secrets(Settings())
    lines = run.environment_lines(REDIS, keys, "syn_demo-key")
    shell = _exported(lines)
    assert shell["SYNDICATE_NEWSROOM_SECRET"] == keys.newsroom
    assert shell["SYNDICATE_OPERATOR_TOKEN"] == keys.operator
    assert shell["SYNDICATE_REDIS_URL"] == REDIS
    assert shell["DEMO_KEY"] == "syn_demo-key"
    assert any("ephemeral" in line and "SYNDICATE_NEWSROOM_SECRET" in line for line in lines)
    assert keys.newsroom not in capsys.readouterr().out  # the early lines show no value


def test_secrets_from_the_environment_are_named_and_never_printed() -> None:
    s = Settings(newsroom_secret="mine-secret", operator_token="mine-token")
    keys = run._secrets(s)
    assert (keys.newsroom, keys.operator) == ("mine-secret", "mine-token")
    lines = run.environment_lines(REDIS, keys, "syn_demo-key")
    text = "\n".join(lines)
    assert "mine-secret" not in text and "mine-token" not in text
    assert "SYNDICATE_NEWSROOM_SECRET, SYNDICATE_OPERATOR_TOKEN: set in your environment" in text
    assert "ephemeral" not in text
    assert _exported(lines)["SYNDICATE_NEWSROOM_SECRET"] == "<unset>"


def test_only_the_generated_one_of_two_secrets_is_printed() -> None:
    keys = run._secrets(Settings(operator_token="mine-token"))
    lines = run.environment_lines(REDIS, keys, "syn_demo-key")
    shell = _exported(lines)
    assert shell["SYNDICATE_NEWSROOM_SECRET"] == keys.newsroom
    assert shell["SYNDICATE_OPERATOR_TOKEN"] == "<unset>"
    assert "mine-token" not in "\n".join(lines)


def test_a_redis_url_with_a_password_is_not_printed() -> None:
    url = "redis://:hunter2@127.0.0.1:6391/0"
    lines = run.environment_lines(url, run._secrets(Settings()), "syn_demo-key")
    assert "hunter2" not in "\n".join(lines)
    assert _exported(lines)["SYNDICATE_REDIS_URL"] == "<unset>"
