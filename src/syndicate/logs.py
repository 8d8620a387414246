"""Logs: one JSON object per line from workers and server, or text for people (issue 4.5).

Stdlib logging with a context: ``bind`` puts fields (article id, version, lang, task id)
into a ``ContextVar`` that every record of the current task or request carries, so a
line can be found by article without each call repeating them. Fields named like secrets
are never written, whatever a caller passes.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("syndicate_log_context", default=_EMPTY)
_SECRET_WORDS: Final = ("secret", "token", "key", "password", "signature", "authorization")
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colours
}
FORMATS: Final = ("json", "text")


def _is_secret(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_WORDS)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    merged = {**_CONTEXT.get(), **extra}
    return {k: v for k, v in merged.items() if not _is_secret(k) and v is not None}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "event", "logger", ...context, ...extra}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "logger": record.name,
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level event key=value ...`` for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        pairs = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        text = f"{ts} {record.levelname:<7} {record.getMessage()} {pairs}".rstrip()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure(fmt: str = "json", level: str = "INFO") -> None:
    """Route every logger (ours, Celery's, uvicorn's) to stderr in ``fmt``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def bind(**fields: Any) -> None:
    """Add fields to every later record of this task or request."""
    _CONTEXT.set({**_CONTEXT.get(), **fields})


def clear() -> None:
    """Forget the bound fields (a task or request ended)."""
    _CONTEXT.set({})


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Fields bound for the duration of a block, then restored."""
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)
