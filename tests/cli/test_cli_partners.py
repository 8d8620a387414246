"""`syndicate partners add|list|revoke` in-process on a real redis-server: the key is printed
once and only its SHA-256 reaches Redis."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from redis import Redis

from syndicate.api.credentials import key_digest
from syndicate.cli import main as cli
from syndicate.config import Settings
from syndicate.store import partners
from syndicate.store.partners import Push

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
    assert rows[0] == ["name", "languages", "formats", "created", "push"]
    assert [[*r[:3], r[-1]] for r in rows[1:]] == [
        ["alpha", "ar,tr", "rss,newsml,ninjs", "-"],
        ["beta", "tr", "rss", "-"],
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


@pytest.fixture
def push_settings(service_settings: Settings) -> Settings:
    """The service settings with loopback allowed for push URLs (the test's receivers)."""
    return replace(service_settings, push_allow_networks=("127.0.0.0/8",))


def test_add_with_a_push_url_prints_one_json_object_with_the_push_secret(
    push_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["partners", "add", "wire", "--languages", "ar", "--formats", "rss,newsml"]
    argv += ["--push-url", "http://127.0.0.1:9/hook", "--json"]
    assert cli.main(argv, push_settings) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {"name", "key", "push_secret"} and shown["name"] == "wire"
    partner = partners.find_partner(service, key_digest(shown["key"]))
    assert partner is not None
    assert partner.push == Push("http://127.0.0.1:9/hook", "newsml", shown["push_secret"])
    assert cli.main(["partners", "add", "poll", "--languages", "ar", "--json"], push_settings) == 0
    assert json.loads(capsys.readouterr().out)["push_secret"] is None


def test_add_without_json_prints_the_key_then_the_push_secret(
    push_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["partners", "add", "wire", "--languages", "ar", "--push-url", "http://127.0.0.1:9/"]
    assert cli.main([*argv, "--push-format", "rss-item"], push_settings) == 0
    key, secret = capsys.readouterr().out.splitlines()
    partner = partners.find_partner(service, key_digest(key))
    assert partner is not None and partner.push.secret == secret
    assert partner.push.format == "rss-item"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--push-url", "http://127.0.0.1:9/"], "127.0.0.1 is a loopback address"),
        (["--push-url", "http://169.254.169.254/x"], "is a link-local address"),
        (["--push-url", "ftp://example.org/"], "must be an http:// or https:// URL"),
        (["--push-url", "http://user:pw@example.org/"], "must not carry credentials"),
        (["--push-url", "http://[::1/"], "is not a URL"),
        (
            ["--push-format", "rss-item", "--formats", "ninjs", "--push-url", "http://1.1.1.1/"],
            "--push-format: rss-item needs the rss format",
        ),
    ],
)
def test_a_push_url_that_may_not_be_reached_is_refused_naming_why(
    service_settings: Settings,
    service: Redis,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    assert cli.main(["partners", "add", "x", "--languages", "ar", *extra], service_settings) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert captured.err.startswith("syndicate partners add: ")
    assert service.keys("*") == []


def test_set_changes_the_push_and_rotates_its_secret_once_asked(
    push_settings: Settings, service: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _add(capsys, push_settings, "wire", "--languages", "ar")
    url = "http://127.0.0.1:9/in"
    assert cli.main(["partners", "set", "wire", "--push-url", url, "--json"], push_settings) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["push_url"], first["push_format"]) == (url, "ninjs")
    assert first["push_secret"].startswith("whsec_")
    assert cli.main(["partners", "set", "wire", "--push-format", "newsml"], push_settings) == 0
    assert capsys.readouterr().out == ""
    partner = partners.find_partner(service, key_digest(key))
    assert partner is not None and partner.push == Push(url, "newsml", first["push_secret"])
    assert cli.main(["partners", "set", "wire", "--rotate-push-secret"], push_settings) == 0
    assert capsys.readouterr().out.strip() not in ("", first["push_secret"])
    assert cli.main(["partners", "set", "wire", "--no-push"], push_settings) == 0
    partner = partners.get_partner(service, "wire")
    assert partner is not None and partner.push == Push()
    assert cli.main(["partners", "set", "nobody", "--no-push"], push_settings) == 2
