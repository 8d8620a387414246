"""Settings: the TOML file overlaid by SYNDICATE_* variables, with typed values."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from syndicate.config import (
    DEFAULT_CONFIG,
    Settings,
    flat_values,
    guid_domain_problem,
    load_settings,
    visibility_problem,
)
from syndicate.errors import SettingsInvalid


def test_environment_overrides_the_file_and_is_coerced(tmp_path: Path) -> None:
    config = tmp_path / "syndicate.toml"
    config.write_text('feed_size = 20\ndefault_targets = ["ar"]\n', "utf-8")
    env = {"SYNDICATE_CONFIG": str(config), "SYNDICATE_DEFAULT_TARGETS": "tr, ckb"}
    s = load_settings(env)
    assert (s.feed_size, s.default_targets) == (20, ("tr", "ckb"))


def test_a_setting_of_the_wrong_type_names_the_setting() -> None:
    with pytest.raises(SettingsInvalid, match="feed_size: expected an integer, got 'many'"):
        load_settings({"SYNDICATE_FEED_SIZE": "many"})


def test_the_cli_reports_a_bad_setting_in_one_line_with_exit_2() -> None:
    # A real process: main() reads its own environment when no Settings are passed in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env["SYNDICATE_BEAM_SIZE"] = "wide"
    command = [sys.executable, "-m", "syndicate.cli", "models", "list"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "syndicate: setting beam_size: expected an integer, got 'wide'"
    ]


@pytest.mark.parametrize(
    ("domain", "placeholder"),
    [
        ("127.0.0.1", True),
        ("[::1]", True),
        ("localhost", True),
        ("news.test", True),
        ("feeds.example.org", True),
        ("example.com", True),
        ("rudaw.net", False),
        ("feeds.rudaw.net", False),
    ],
)
def test_a_placeholder_guid_domain_is_named(domain: str, placeholder: bool) -> None:
    s = load_settings(
        {"SYNDICATE_CONFIG": "/nonexistent.toml", "SYNDICATE_PROVIDER_DOMAIN": domain}
    )
    problem = guid_domain_problem(s)
    assert (problem is not None) is placeholder
    if problem:
        assert "SYNDICATE_PROVIDER_DOMAIN" in problem


def test_the_review_table_is_read_and_the_environment_overrides_it(tmp_path: Path) -> None:
    config = tmp_path / "syndicate.toml"
    config.write_text('feed_size = 20\n[review]\nhold = ["ckb"]\nhold_flagged = ["ar"]\n', "utf-8")
    settings = load_settings({"SYNDICATE_CONFIG": str(config)})
    assert (settings.review_hold, settings.review_hold_flagged) == (("ckb",), ("ar",))
    env = {"SYNDICATE_CONFIG": str(config), "SYNDICATE_REVIEW_HOLD": "ckb, kmr"}
    env |= {"SYNDICATE_REVIEW_HOLD_FLAGGED": "", "SYNDICATE_FEED_SIZE": "7"}
    settings = load_settings(env)
    assert (settings.review_hold, settings.review_hold_flagged) == (("ckb", "kmr"), ())
    assert settings.feed_size == 7


def test_every_key_of_the_shipped_file_is_a_setting() -> None:
    """A key appended below the [review] table would silently become review_<key>."""
    document = tomllib.loads(DEFAULT_CONFIG.read_text("utf-8"))
    known = {f.name for f in fields(Settings)}
    assert set(flat_values(document)) <= known


def test_the_visibility_timeout_must_exceed_the_task_time_limit() -> None:
    base = {"SYNDICATE_CONFIG": "/nonexistent.toml"}
    assert visibility_problem(load_settings(base)) is None  # 3600 over 600
    same = {"SYNDICATE_VISIBILITY_TIMEOUT": "600", "SYNDICATE_TASK_TIME_LIMIT": "600"}
    problem = visibility_problem(load_settings(base | same))
    assert problem is not None
    assert "visibility_timeout (600 s)" in problem and "task_time_limit (600 s)" in problem


def test_the_304_access_log_takes_summary_or_each_and_nothing_else() -> None:
    base = {"SYNDICATE_CONFIG": "/nonexistent.toml"}
    assert load_settings(base).access_log_304 == "summary"
    assert load_settings(base | {"SYNDICATE_ACCESS_LOG_304": "each"}).access_log_304 == "each"
    with pytest.raises(SettingsInvalid, match="access_log_304: expected summary or each"):
        load_settings(base | {"SYNDICATE_ACCESS_LOG_304": "every"})
