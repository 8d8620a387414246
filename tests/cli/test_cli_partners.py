"""`syndicate partners add|list|revoke` in-process on a real redis-server: the key is printed
once and only its SHA-256 reaches Redis."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from redis import Redis

from syndicate.api.credentials import key_digest
from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.store import partners

if TYPE_CHECKING:
    pass


def _everything_stored(client: Redis) -> bytes:
    """Every key and value in the database, concatenated (strings, hashes, sets)."""
    parts: list[bytes] = []
    for key in client.keys("*"):
        parts.append(key)
        kind = client.type(key)
        if kind == b"hash":
            for field, value in client.hgetall(key).items():
                parts += [field, value]
        elif kind == b"set":
            parts += list(client.smembers(key))
        elif kind == b"string":
            parts.append(client.get(key) or b"")
        else:
            raise AssertionError(f"unexpected {kind!r} at {key!r}")
    return b"\n".join(parts)


def _add(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> str:
    assert cli.main(["partners", "add", *args], settings) == 0
    captured = capsys.readouterr()
    assert "not stored" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 1
    return lines[0]


def test_add_prints_the_key_once_and_stores_only_its_digest(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _add(capsys, service_settings, "agence-one", "--languages", "ar,tr")
    assert key.startswith("syn_") and len(key) > 40
    partner = partners.find_partner(service, key_digest(key))
    assert partner is not None
    assert (partner.name, partner.languages) == ("agence-one", ("ar", "tr"))
    assert partner.formats == ("rss", "newsml", "ninjs")
    stored = _everything_stored(service)
    assert key_digest(key).encode() in stored
    assert key.encode() not in stored
    assert key[4:].encode() not in stored


def test_two_partners_get_different_keys_and_chosen_formats(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _add(capsys, service_settings, "one", "--languages", "*")
    second = _add(capsys, service_settings, "two.news", "--languages", "ckb", "--formats", "newsml")
    assert first != second
    partner = partners.find_partner(service, key_digest(second))
    assert partner is not None
    assert (partner.languages, partner.formats) == (("ckb",), ("newsml",))
    assert partners.find_partner(service, key_digest(first)) is not None


def test_add_refuses_a_taken_name(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(capsys, service_settings, "agence", "--languages", "ar")
    assert cli.main(["partners", "add", "agence", "--languages", "tr"], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "syndicate partners add: agence: a partner with this name exists\n"
    assert [p.languages for p in partners.list_partners(service)] == [("ar",)]


@pytest.mark.parametrize(
    "args",
    [
        ["_bad", "--languages", "ar"],
        ["has space", "--languages", "ar"],
        ["x" * 65, "--languages", "ar"],
        ["ok", "--languages", "a r"],
        ["ok", "--languages", ","],
        ["ok", "--languages", "ar", "--formats", "pdf"],
    ],
)
def test_add_refuses_bad_arguments_and_stores_nothing(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert cli.main(["partners", "add", *args], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith("syndicate partners add: ")
    assert service.keys("*") == []


def test_list_shows_partners_but_never_keys_or_digests(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _add(capsys, service_settings, "beta", "--languages", "tr", "--formats", "rss")
    _add(capsys, service_settings, "alpha", "--languages", "ar,tr")
    assert cli.main(["partners", "list"], service_settings) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["name", "languages", "formats", "created"]
    assert [r[:3] for r in rows[1:]] == [
        ["alpha", "ar,tr", "rss,newsml,ninjs"],
        ["beta", "tr", "rss"],
    ]
    assert key not in out and key_digest(key) not in out


def test_list_without_partners_says_so(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["partners", "list"], service_settings) == 0
    assert capsys.readouterr().out.startswith("no partners")


def test_revoke_removes_the_partner_and_its_key(
    service_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _add(capsys, service_settings, "gone", "--languages", "ar")
    assert cli.main(["partners", "revoke", "gone"], service_settings) == 0
    assert partners.find_partner(service, key_digest(key)) is None
    assert partners.list_partners(service) == []
    assert cli.main(["partners", "revoke", "gone"], service_settings) == 2
    assert capsys.readouterr().err == "syndicate partners revoke: gone: no such partner\n"
