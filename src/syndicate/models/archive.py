""".argosmodel archives written the way Argos reads them: one top directory holding
metadata.json, README.md, sentencepiece.model and the CTranslate2 ``model/``.

Shared by the demo builds (models/demo.py, models/multidemo.py) and ``syndicate models
package`` (models/packaging.py). Entries carry a fixed timestamp and mode, so a build is
byte-for-byte repeatable; files are streamed in chunks, so a 600 MB model.bin is never held
in memory whole.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def _info(name: str, size: int, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def add_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """One entry from bytes, deflated (level 1)."""
    archive.writestr(_info(name, len(data), True), data, compresslevel=1)


def add_file(archive: zipfile.ZipFile, name: str, path: Path, *, compress: bool) -> None:
    """One entry streamed from a file: deflated (level 1) or stored as it is."""
    info = _info(name, path.stat().st_size, compress)
    # What writestr's compresslevel sets (public as compress_level from Python 3.13).
    info._compresslevel = 1 if compress else None  # type: ignore[attr-defined]
    with path.open("rb") as src, archive.open(info, "w") as dest:
        shutil.copyfileobj(src, dest, _CHUNK)


def write_package(
    path: Path,
    top: str,
    meta: Mapping[str, object],
    readme: str,
    sentencepiece: bytes | Path,
    model_dir: Path,
    *,
    compress_model: bool = True,
) -> None:
    """Write one package archive; ``compress_model`` False stores the model's files (a
    converted model's weights hardly deflate, and storing them is quick)."""
    with zipfile.ZipFile(path, "w") as archive:
        text = json.dumps(meta, ensure_ascii=False, indent=2)
        add_bytes(archive, f"{top}/metadata.json", text.encode("utf-8"))
        add_bytes(archive, f"{top}/README.md", readme.encode("utf-8"))
        name = f"{top}/sentencepiece.model"
        if isinstance(sentencepiece, bytes):
            add_bytes(archive, name, sentencepiece)
        else:
            add_file(archive, name, sentencepiece, compress=True)
        for file in sorted(f for f in model_dir.iterdir() if f.is_file()):
            add_file(archive, f"{top}/model/{file.name}", file, compress=compress_model)
