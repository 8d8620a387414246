"""Package install/list/remove through argostranslate, and the index over local HTTP only."""

from __future__ import annotations

import http.server
import json
import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from syndicate.cli.main import main
from syndicate.config import load_settings
from syndicate.errors import ModelPackageInvalid
from syndicate.models.demo import build_package
from syndicate.models.packages import (
    IndexUnavailable,
    fetch_index,
    install_from_index,
    install_package,
    list_packages,
    read_archive_metadata,
    remove_package,
)


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_package("en-tr", tmp_path_factory.mktemp("built"), "tiny")


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


META = json.dumps({"from_code": "en", "to_code": "xx"}).encode()


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"p/model/model.bin": b"", "p/sentencepiece.model": b""}, "no metadata.json"),
        ({"p/metadata.json": META, "p/sentencepiece.model": b""}, "no model/model.bin"),
        ({"p/metadata.json": META, "p/model/model.bin": b""}, "no sentencepiece.model"),
        ({"a/metadata.json": META, "b/model/model.bin": b""}, "one top-level directory"),
        (
            {"p/metadata.json": b"{", "p/model/model.bin": b"", "p/sentencepiece.model": b""},
            "not JSON",
        ),
    ],
)
def test_broken_package_is_refused_with_a_reason(
    tmp_path: Path, files: dict[str, bytes], reason: str
) -> None:
    bad = _zip(tmp_path / "bad.argosmodel", files)
    with pytest.raises(ModelPackageInvalid, match=reason):
        install_package(tmp_path / "models", bad)
    assert list_packages(tmp_path / "models") == []


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ModelPackageInvalid, match="not a valid zip"):
        install_package(tmp_path / "models", bad)


def test_install_list_and_remove(tmp_path: Path, package_file: Path) -> None:
    models = tmp_path / "models"
    installed = install_package(models, package_file)
    assert (installed.pair, installed.code, installed.demo, installed.preset) == (
        "en-tr",
        "translate-en_tr",
        True,
        "tiny",
    )
    assert installed.size > 1_000_000
    assert (models / "translate-en_tr-demo" / "model" / "model.bin").exists()
    assert [p.pair for p in list_packages(models)] == ["en-tr"]
    assert install_package(models, package_file).path == installed.path  # replaces, no dupes
    assert [p.code for p in remove_package(models, "en-tr")] == ["translate-en_tr"]
    assert list_packages(models) == []
    assert remove_package(models, "translate-en_tr") == []


def test_argostranslate_environment_does_not_leak(
    tmp_path: Path, package_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/nowhere")
    install_package(tmp_path / "models", package_file)
    assert "ARGOS_PACKAGES_DIR" not in os.environ
    assert os.environ["XDG_CACHE_HOME"] == "/nowhere"


def test_archive_metadata_is_read_without_installing(package_file: Path) -> None:
    top, meta = read_archive_metadata(package_file)
    assert top == "translate-en_tr-demo"
    assert meta["demo"] is True


@pytest.fixture
def index_server(tmp_path: Path, package_file: Path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    (root / package_file.name).write_bytes(package_file.read_bytes())
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(root)),  # type: ignore[misc]
    )
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    entry = {
        "code": "translate-en_tr",
        "from_code": "en",
        "to_code": "tr",
        "package_version": "1.0",
        "links": [base + package_file.name],
    }
    (root / "index.json").write_text(json.dumps([entry, {"junk": True}]))
    server.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_index_lists_and_installs_by_pair(tmp_path: Path, index_server: str) -> None:
    models = tmp_path / "models"
    [entry] = fetch_index(models, index_server, timeout=5)
    assert (entry.pair, entry.code) == ("en-tr", "translate-en_tr")
    assert (models / ".index.json").exists()
    installed = install_from_index(models, "en-tr", url=index_server, progress=False)
    assert installed.pair == "en-tr"
    assert not list((tmp_path / "argos" / "downloads").iterdir())
    with pytest.raises(ModelPackageInvalid, match="no package for en-fr"):
        install_from_index(models, "en-fr", url=index_server, progress=False)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_offline_index_is_one_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    with pytest.raises(IndexUnavailable, match="package index unreachable") as caught:
        fetch_index(tmp_path / "models", url, timeout=2)
    assert "\n" not in str(caught.value)


def _run_cli(argv: list[str], models: Path) -> int:
    """``syndicate models ...`` in-process, on settings whose models_dir is ``models``."""
    settings = load_settings({"SYNDICATE_CONFIG": "/nonexistent.toml"})
    return main(argv, replace(settings, models_dir=models))


def test_cli_install_list_remove(
    tmp_path: Path, package_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    assert _run_cli(["models", "install", str(package_file)], models) == 0
    assert _run_cli(["models", "list"], models) == 0
    assert "en-tr" in capsys.readouterr().out
    assert _run_cli(["models", "remove", "nope"], models) == 2
    assert _run_cli(["models", "remove", "translate-en_tr"], models) == 0
    assert _run_cli(["models", "install", str(tmp_path / "missing")], models) == 2


def test_cli_offline_index_exits_1_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{_closed_port()}/")
    assert _run_cli(["models", "available"], tmp_path / "models") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unreachable" in err
