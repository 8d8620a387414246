"""Argos packages in the models dir: install, list, remove, and the Argos package index.

Brief section 4: packages are installed with argostranslate's own package code. That module
reads its settings and creates directories once, at import, so it is imported lazily, only
inside ``_argos``, with ARGOS_PACKAGES_DIR pointing at the models dir and the XDG homes
pointing at ``<models dir>/../argos``; the environment is restored afterwards so nothing
else in the process sees it, and its package directory is re-pointed on every call so one
process can serve several models dirs (the tests do). The index is fetched here with a
timeout, never through argostranslate's retrying downloader, and only when asked.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs in the test extra

from syndicate.errors import IndexUnavailable, ModelPackageInvalid
from syndicate.models.digest import share_files
from syndicate.news.article import ModelInfo

DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
INDEX_CACHE = ".index.json"
UNKNOWN_LICENSE = "unknown"
_ARGOS_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    """One installed package directory, as ``models list`` shows it."""

    path: Path
    code: str
    from_code: str
    to_code: str
    version: str
    size: int
    demo: bool
    preset: str | None = None
    license: str = UNKNOWN_LICENSE  # metadata.json "license", an SPDX id where one exists
    target_prefix: str = ""  # Argos's metadata key: the token that starts the output
    source_prefix: str = ""  # ours: the token(s) put before the source pieces

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"

    @property
    def multilingual(self) -> bool:
        """A model that serves several languages, chosen by a token (issue 17)."""
        return bool(self.target_prefix or self.source_prefix)

    def model_info(self) -> ModelInfo:
        return ModelInfo(self.pair, self.code, self.version, self.demo, self.license)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One package the index offers."""

    code: str
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"


@contextmanager
def _argos(models_dir: Path) -> Iterator[Any]:
    """argostranslate.package, configured for ``models_dir`` (see the module docstring)."""
    home = models_dir.parent / "argos"
    env = {
        "ARGOS_PACKAGES_DIR": str(models_dir),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "ARGOS_DEBUG": "0",
    }
    with _ARGOS_LOCK:
        models_dir.mkdir(parents=True, exist_ok=True)
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:
            import argostranslate.package as package
            import argostranslate.settings as settings

            settings.package_data_dir = models_dir
            settings.package_dirs = [models_dir]
            yield package
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _archive_top(names: list[str]) -> str:
    tops = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or ".." in parts or "\\" in name:
            raise ModelPackageInvalid(f"unsafe path in archive: {name!r}")
        tops.add(parts[0])
    if len(tops) != 1 or not any("/" in n for n in names):
        raise ModelPackageInvalid("archive must hold exactly one top-level directory")
    return tops.pop()


def read_archive_metadata(path: Path) -> tuple[str, dict[str, Any]]:
    """Check a .argosmodel file; return its top directory and metadata.json.

    Raises ModelPackageInvalid with a one-line reason: not a zip, several top directories,
    no or broken metadata.json, no model/model.bin, no sentencepiece.model.
    """
    if not path.is_file():
        raise ModelPackageInvalid(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            top = _archive_top(names)
            meta_raw = (
                archive.read(f"{top}/metadata.json") if f"{top}/metadata.json" in names else None
            )
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelPackageInvalid(f"{path.name}: not a valid zip archive ({exc})") from exc
    if meta_raw is None:
        raise ModelPackageInvalid(f"{path.name}: no metadata.json in {top}/")
    for required in ("model/model.bin", "sentencepiece.model"):
        if f"{top}/{required}" not in names:
            raise ModelPackageInvalid(f"{path.name}: no {required} in {top}/")
    try:
        meta = json.loads(meta_raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelPackageInvalid(f"{path.name}: metadata.json is not JSON ({exc})") from exc
    if not isinstance(meta, dict) or not all(
        isinstance(meta.get(k), str) and meta.get(k) for k in ("from_code", "to_code")
    ):
        raise ModelPackageInvalid(f"{path.name}: metadata.json needs from_code and to_code")
    return top, meta


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _describe(pkg: Any) -> InstalledPackage:
    path = Path(pkg.package_path)
    meta = json.loads((path / "metadata.json").read_text("utf-8"))
    code = _code(pkg.code, pkg.type, pkg.from_code, pkg.to_code)
    preset = meta.get("demo_preset")
    return InstalledPackage(
        path=path,
        code=code,
        from_code=str(pkg.from_code),
        to_code=str(pkg.to_code),
        version=str(pkg.package_version),
        size=_size(path),
        demo=meta.get("demo") is True,
        preset=str(preset) if preset else None,
        license=_text(meta, "license") or UNKNOWN_LICENSE,
        target_prefix=_text(meta, "target_prefix"),
        source_prefix=_text(meta, "source_prefix"),
    )


def _text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value.strip() if isinstance(value, str) else ""


def _installed(package: Any, models_dir: Path) -> list[Any]:
    """argostranslate Package objects; a directory without metadata.json is not a package."""
    found = []
    for entry in sorted(models_dir.iterdir()):
        if entry.is_dir() and not entry.name.startswith(".") and (entry / "metadata.json").exists():
            found.append(package.Package(entry))
    return [p for p in found if p.from_code and p.to_code]


def list_packages(models_dir: Path) -> list[InstalledPackage]:
    """Installed translation packages, sorted by directory name."""
    if not models_dir.is_dir():
        return []
    with _argos(models_dir) as package:
        return [_describe(p) for p in _installed(package, models_dir)]


def install_package(models_dir: Path, path: Path) -> InstalledPackage:
    """Install a .argosmodel file; it replaces an installed package of the same pair and
    code (another package for the pair, a multilingual one say, stays: the engine chooses,
    models/catalogue.py). A model byte-identical to an installed one is hard-linked to it,
    so the four pairs of one NLLB model take its disk once (digest.share_files).

    Checking the archive first means a bad file never removes a working package.
    """
    top, meta = read_archive_metadata(path)
    code = _code(meta.get("code"), meta.get("type"), meta["from_code"], meta["to_code"])
    _check_room(models_dir / top, meta)
    with _argos(models_dir) as package:
        for old in _installed(package, models_dir):
            same = (old.from_code, old.to_code) == (meta["from_code"], meta["to_code"])
            if same and _code(old.code, old.type, old.from_code, old.to_code) == code:
                package.uninstall(old)
        if (models_dir / top).exists():
            shutil.rmtree(models_dir / top)
        package.install_from_path(path)
        others = [Path(p.package_path) for p in _installed(package, models_dir)]
        share_files(models_dir / top, others)
        return _describe(package.Package(models_dir / top))


def _check_room(directory: Path, meta: dict[str, Any]) -> None:
    """The archive's directory may replace a package of its own pair, never another pair's
    (two packages built elsewhere under one directory name): that one is refused."""
    try:
        there = json.loads((directory / "metadata.json").read_text("utf-8"))
    except (OSError, ValueError):
        return
    pair = (there.get("from_code"), there.get("to_code")) if isinstance(there, dict) else None
    if pair is not None and None not in pair and pair != (meta["from_code"], meta["to_code"]):
        raise ModelPackageInvalid(
            f"{directory.name}: that directory holds the {pair[0]}-{pair[1]} package; "
            "rename the archive's top directory or remove that package first"
        )


def _code(code: Any, kind: Any, from_code: str, to_code: str) -> str:
    """A package's code, as Argos derives one when metadata.json has none."""
    return str(code or f"{kind or 'translate'}-{from_code}_{to_code}")


def remove_package(models_dir: Path, code_or_pair: str) -> list[InstalledPackage]:
    """Uninstall every package whose code, pair or directory name matches; return them."""
    removed: list[InstalledPackage] = []
    if not models_dir.is_dir():
        return removed
    with _argos(models_dir) as package:
        for pkg in _installed(package, models_dir):
            described = _describe(pkg)
            if code_or_pair in (described.code, described.pair, described.path.name):
                package.uninstall(pkg)
                removed.append(described)
    return removed


def index_url(url: str | None = None) -> str:
    """The index.json URL: explicit, else $ARGOS_PACKAGE_INDEX, else Argos's own index."""
    base = url or os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX
    return base if base.endswith(".json") else base.rstrip("/") + "/index.json"


def _entry(raw: Any) -> IndexEntry | None:
    if not isinstance(raw, dict) or not raw.get("from_code") or not raw.get("to_code"):
        return None
    code = raw.get("code") or f"{raw.get('type', 'translate')}-{raw['from_code']}_{raw['to_code']}"
    links = tuple(str(link) for link in raw.get("links", []) if isinstance(link, str))
    return IndexEntry(
        str(code),
        str(raw["from_code"]),
        str(raw["to_code"]),
        str(raw.get("package_version", "")),
        links,
    )


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IndexUnavailable(f"package index unreachable at {url}: {reason}") from exc


def fetch_index(
    models_dir: Path, url: str | None = None, *, timeout: float = 10.0, max_age: float = 3600.0
) -> list[IndexEntry]:
    """The index's packages; the JSON is cached in the models dir for ``max_age`` seconds."""
    cache = models_dir / INDEX_CACHE
    full = index_url(url)
    cached = cache.exists() and time.time() - cache.stat().st_mtime < max_age
    if cached and json.loads(cache.read_text("utf-8")).get("url") == full:
        raw = json.loads(cache.read_text("utf-8"))["index"]
    else:
        try:
            raw = json.loads(_fetch(full, timeout))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelPackageInvalid(f"package index at {full} is not JSON") from exc
        models_dir.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"url": full, "index": raw}), "utf-8")
    entries = [_entry(item) for item in raw] if isinstance(raw, list) else []
    return [e for e in entries if e is not None]


def _download(url: str, dest_dir: Path, timeout: float, progress: bool) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = url.rstrip("/").rsplit("/", 1)[-1] or "package.argosmodel"
    handle, tmp_name = tempfile.mkstemp(prefix="download-", suffix=f"-{name}", dir=dest_dir)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total, unit="B", unit_scale=True, desc=name, disable=not progress
            ) as bar:
                while chunk := resp.read(1 << 16):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(tmp_name).unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise IndexUnavailable(f"download failed from {url}: {reason}") from exc
    return Path(tmp_name)


def install_from_url(
    models_dir: Path, url: str, *, timeout: float = 30.0, progress: bool = True
) -> InstalledPackage:
    """Download a .argosmodel (with a progress bar) and install it."""
    path = _download(url, models_dir.parent / "argos" / "downloads", timeout, progress)
    try:
        return install_package(models_dir, path)
    finally:
        path.unlink(missing_ok=True)


def install_from_index(
    models_dir: Path,
    pair: str,
    *,
    url: str | None = None,
    timeout: float = 30.0,
    progress: bool = True,
) -> InstalledPackage:
    """Install the index's package for ``pair`` (``en-ar``), trying each of its links."""
    matches = [e for e in fetch_index(models_dir, url, timeout=timeout) if e.pair == pair]
    if not matches or not matches[0].links:
        raise ModelPackageInvalid(f"the package index offers no package for {pair}")
    failure: IndexUnavailable | None = None
    for link in matches[0].links:
        try:
            return install_from_url(models_dir, link, timeout=timeout, progress=progress)
        except IndexUnavailable as exc:
            failure = exc
    assert failure is not None
    raise failure
