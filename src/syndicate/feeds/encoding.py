"""The gzip form of a rendered body: the same bytes every time for the same body (no
timestamp in the header), so its ETag follows the plain body's and a render stored once
serves every gzip poll without compressing again (issue 20)."""

from __future__ import annotations

import gzip
from typing import Final

LEVEL: Final = 6  # zlib's default: most of level 9's ratio at a fraction of its time


def gzipped(body: bytes) -> bytes:
    """``body`` compressed; an empty body stays empty (an empty feed is a 404, not bytes)."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0) if body else b""
