"""Content digests of installed models: byte-identical models are loaded once per process
(models/catalogue.py) and stored once on disk (``share_files``).

A model directory's digest is the SHA-256 of its files' names and contents, read in 1 MB
chunks, so a 600 MB model.bin is never held in memory whole. It is recorded beside the
package (``.model-digest.json``, with each file's size and mtime) and trusted while those
still hold: a worker starting over four NLLB packages reads four small files, not 2.4 GB.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

RECORD = ".model-digest.json"
_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of one file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(model: Path) -> list[Path]:
    return sorted(f for f in model.rglob("*") if f.is_file())


def _stamp(model: Path) -> dict[str, list[int]]:
    return {
        f.relative_to(model).as_posix(): [f.stat().st_size, f.stat().st_mtime_ns]
        for f in _files(model)
    }


def _record(package_dir: Path, digest: str) -> None:
    """Write the record whole or not at all (another process may be reading it)."""
    spare = package_dir / f"{RECORD}.{os.getpid()}"
    try:
        text = json.dumps({"digest": digest, "files": _stamp(package_dir / "model")})
        spare.write_text(text, "utf-8")
        os.replace(spare, package_dir / RECORD)
    except OSError:
        spare.unlink(missing_ok=True)  # a read-only models dir: hashed again next time


def model_digest(package_dir: Path) -> str:
    """The digest of ``package_dir/model``, from its record while that still holds."""
    model = package_dir / "model"
    try:
        saved = json.loads((package_dir / RECORD).read_text("utf-8"))
        if saved["files"] == _stamp(model):
            return str(saved["digest"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = hashlib.sha256()
    for f in _files(model):
        digest.update(f.relative_to(model).as_posix().encode() + b"\0")
        digest.update(file_digest(f).encode())
    value = digest.hexdigest()
    _record(package_dir, value)
    return value


def share_files(package_dir: Path, others: Iterable[Path]) -> Path | None:
    """Hard-link ``package_dir``'s model files to those of the first of ``others`` with
    the same digest: four Argos packages of one NLLB model take the disk of one. Returns
    the package it now shares with (None: no twin, or links are impossible here)."""
    mine = model_digest(package_dir)
    for other in others:
        if other == package_dir or model_digest(other) != mine:
            continue
        try:
            for f in _files(package_dir / "model"):
                twin = other / "model" / f.relative_to(package_dir / "model")
                spare = f.with_name(f.name + ".link")
                os.link(twin, spare)
                os.replace(spare, f)
        except OSError:
            return None
        _record(package_dir, mine)
        return other
    return None
