"""Logs: one JSON object per line from workers and server, or text for people (issue 4.5).

Stdlib logging with a context: ``bind`` puts fields (article id, version, lang, task id)
into a ``ContextVar`` that every record of the current task or request carries, so a
line can be found by article without each call repeating them. Fields named like secrets
are never written, whatever a caller passes.

A log line is one record (issue 9): request paths and other fields can come from anyone,
and a CR, LF or other control character in them would let an unauthenticated client write
a line of its choosing into a text log. The text format escapes every character that is
not printable (controls, bidi and zero-width format characters, line and paragraph
separators, lone surrogates) and quotes a value holding a space, ``"`` or ``=``, so a value
cannot pose as another field either; the JSON format leaves no such character raw.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, TextIO, cast

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
_SHORT_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}
_NEEDS_QUOTES: Final = re.compile(r'[\s"=\\]|^$')
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, default=str)  # json.dumps makes one a call


def _escape_char(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n``, ``\\x1b``, ``\\u2028``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape_char(c) for c in text)


def _text_value(value: Any) -> str:
    """A field value for the text format: on one line, and quoted (``"`` and ``\\``
    escaped inside) when it could pass for more than one value."""
    raw = str(value)
    if not _NEEDS_QUOTES.search(raw):
        return one_line(raw)
    inner = "".join(c if c.isprintable() and c not in '"\\' else _escape_char(c) for c in raw)
    return f'"{inner}"'


def _json_char(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def _json_line(line: str) -> str:
    """json.dumps output with what it leaves raw (U+2028, C1 controls, bidi, lone
    surrogates) as \\u escapes: the same JSON value, always one line, always encodable."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else _json_char(c) for c in line)


@lru_cache(maxsize=1024)
def _is_secret(name: str) -> bool:
    """Field names are few and repeat on every line (the access line's above all)."""
    return any(word in name.lower() for word in _SECRET_WORDS)


@lru_cache(maxsize=4)
def _second(whole: int) -> str:
    return datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _timestamp(created: float) -> str:
    """ISO 8601 to the millisecond in UTC (``2026-12-06T10:00:00.123+00:00``), the
    second formatted once: every request writes a line."""
    whole = int(created)
    return f"{_second(whole)}.{int((created - whole) * 1000):03d}+00:00"


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    return shown_fields({**_CONTEXT.get(), **extra})


def shown_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a line shows: none named like a secret, none that is None."""
    return {k: v for k, v in fields.items() if not _is_secret(k) and v is not None}


@dataclass(frozen=True, slots=True)
class Event:
    """What a line shows: a record's parts, or an event's written without a record."""

    created: float  # time.time()
    level: str  # INFO
    event: str
    logger: str
    fields: Mapping[str, Any]  # shown as given (``shown_fields``)
    exception: str | None = None


class EventFormatter(logging.Formatter):
    """One line per event, made from its parts (``event_line``): a record's, or those of
    an event written without a record (``write_event``)."""

    def format(self, record: logging.LogRecord) -> str:
        exception = self.formatException(record.exc_info) if record.exc_info else None
        parts = (record.created, record.levelname, record.getMessage(), record.name)
        return self.event_line(Event(*parts, _fields(record), exception))

    def event_line(self, e: Event) -> str:
        """The line of one event."""
        raise NotImplementedError


class JsonFormatter(EventFormatter):
    """``{"ts", "level", "event", "logger", ...context, ...extra}`` on one line."""

    def event_line(self, e: Event) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(e.created),
            "level": e.level.lower(),
            "event": e.event,
            "logger": e.logger,
            **e.fields,
        }
        if e.exception is not None:
            line["exception"] = e.exception
        return _json_line(_ENCODER.encode(line))


class TextFormatter(EventFormatter):
    """``time level event key=value ...`` for a terminal, one line per record (a traceback
    follows on its own lines, as Python prints it)."""

    def event_line(self, e: Event) -> str:
        ts = datetime.fromtimestamp(e.created, UTC).strftime("%H:%M:%S")
        pairs = " ".join(f"{one_line(str(k))}={_text_value(v)}" for k, v in e.fields.items())
        text = f"{ts} {e.level:<7} {one_line(e.event)} {pairs}".rstrip()
        if e.exception is not None:
            text += "\n" + e.exception
        return text


class TurnHandler(logging.StreamHandler[TextIO]):
    """A stream handler writing the lines of one event-loop turn together.

    A busy API logs a line per request, and a write per line cost a poll about as much as
    the rest of its own work (issue 20). On an event loop, a line waits for the end of the
    loop's current turn (``call_soon``), so one write carries every line of that turn, in
    order; off a loop (Celery workers, the CLI, the thread pool) a line is written at once,
    after any waiting ones. ``flush`` (and so ``logging.shutdown`` at exit) writes what
    waits: what a process killed mid-turn loses is that turn's lines, never more.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # where the write is due

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.write_line(line)

    def write_line(self, line: str) -> None:
        """Write ``line`` at the end of this loop turn (at once off a loop)."""
        line += self.terminator
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._waiting.append(line)
        if loop is None or (self._loop is not None and loop is not self._loop):
            self.flush()
        elif self._loop is None:
            self._loop = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        self.acquire()  # re-entrant: emit holds it already
        try:
            self._loop = None
            text, self._waiting = "".join(self._waiting), []
            self.stream.write(text)
            super().flush()
        except (OSError, ValueError):  # a closed or broken stream loses lines, fails nothing
            pass
        finally:
            self.release()


def write_event(logger: logging.Logger, event: str, fields: Mapping[str, Any]) -> None:
    """Log ``event`` with ``fields`` at info, as ``logger.info(event, extra=fields)`` would,
    for the line every request writes (issue 20): when the only place it would go is one
    ``TurnHandler`` with one of these formatters and nothing to filter or bind, the line is
    made from its parts and handed to it, without a record and the walk through the logger
    tree, which cost more than the line itself. Otherwise (pytest's log capture, a handler
    added by someone, bound fields) it is an ordinary record."""
    handler = _only_handler(logger) if logger.isEnabledFor(logging.INFO) else None
    if handler is None or _CONTEXT.get():
        if logger.isEnabledFor(logging.INFO):
            record = logger.makeRecord(logger.name, logging.INFO, "", 0, event, (), None)
            record.__dict__.update(fields)
            logger.handle(record)
        return
    formatter = cast(EventFormatter, handler.formatter)
    shown = shown_fields(fields)
    handler.write_line(formatter.event_line(Event(time.time(), "INFO", event, logger.name, shown)))


def _only_handler(logger: logging.Logger) -> TurnHandler | None:
    """The one handler an info record of ``logger`` reaches, if it is a ``TurnHandler``
    formatting with an ``EventFormatter`` and no filter stands on the way; else None."""
    found: list[logging.Handler] = []
    node: logging.Logger | None = logger
    while node is not None:
        if node.filters or node.disabled:
            return None
        found += node.handlers
        node = node.parent if node.propagate else None
    if len(found) != 1 or type(found[0]) is not TurnHandler:
        return None
    handler = found[0]
    fits = isinstance(handler.formatter, EventFormatter) and handler.level <= logging.INFO
    return handler if fits and not handler.filters else None


def configure(fmt: str = "json", level: str = "INFO") -> None:
    """Route every logger (ours, Celery's, uvicorn's) to stderr in ``fmt``."""
    handler = TurnHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # No format here shows threads or processes: a record need not look them up (the
    # logging HOWTO's "Optimization"): about 2 µs of every line, so of every poll (issue 20).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
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
