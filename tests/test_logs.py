"""logs.py: one record is one line in either format, whatever characters a field holds
(issue 9: a request path must not write a log line of the client's choosing)."""

from __future__ import annotations

import json
import logging

import pytest

from syndicate.logs import JsonFormatter, TextFormatter

HOSTILE = [
    "/v1/feeds/x\nFAKE LINE",
    "/x\r\n12:00:00 INFO    request method=GET",
    "\x1b[2J\x1b[31mred",
    "a\u2028b\u2029c\x85d",  # line separators str.splitlines honours
    "\u202eevil\u200b",  # bidi override, zero width space
    "\ud800 lone surrogate",
    "/x status=200",
    'quote " and \\ backslash',
    "",
]


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("syndicate.api", logging.INFO, __file__, 1, message, None, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


@pytest.mark.parametrize("value", HOSTILE)
def test_text_line_is_one_line_with_the_value_escaped(value: str) -> None:
    line = TextFormatter().format(_record(f"request {value}", path=value, status=404))
    assert len(line.splitlines()) == 1
    assert line.isprintable()
    assert line.endswith(" status=404")  # nothing in path passes for another field
    assert line.encode("utf-8")


def test_text_value_with_a_space_or_equals_is_quoted_and_readable() -> None:
    line = TextFormatter().format(_record("request", path="/x status=200", lang="ar"))
    assert line.endswith(' path="/x status=200" lang=ar')
    line = TextFormatter().format(_record("request", path="/v1/feeds/x\nFAKE LINE"))
    assert line.endswith(' path="/v1/feeds/x\\nFAKE LINE"')


@pytest.mark.parametrize("value", HOSTILE)
def test_json_line_is_one_line_and_decodes_to_the_same_value(value: str) -> None:
    line = JsonFormatter().format(_record("request", path=value))
    assert len(line.splitlines()) == 1 and line.isprintable()
    assert json.loads(line)["path"] == value
