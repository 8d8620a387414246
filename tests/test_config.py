"""Settings: the TOML file overlaid by SYNDICATE_* variables, with typed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.cli.main import main
from syndicate.config import load_settings, settings
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


def test_the_cli_reports_a_bad_setting_in_one_line_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNDICATE_BEAM_SIZE", "wide")
    settings.cache_clear()
    try:
        code = main(["models", "list"])
    finally:
        settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["syndicate: setting beam_size: expected an integer, got 'wide'"]
