"""`syndicate partners add|set|list|revoke`: the agencies that poll feeds, their keys, and
where their items are pushed (issue 19).

``add`` prints a new key once, alone on a line of stdout so a script can capture it; the
store keeps only its SHA-256 (credentials.key_digest), so a lost key is replaced by
revoking the partner and adding it again. ``list`` never shows keys or digests.

``--push-url URL [--push-format newsml|ninjs|rss-item]`` makes the partner a push
partner: every item published in its languages is POSTed there, signed with a push secret
made when the first push URL is set and printed once (the second line of stdout, or
``push_secret`` in ``--json``'s one object ``{"name", "key", "push_secret"}``). The URL is
checked now (http or https, no credentials, resolving to public addresses unless
``push_allow_networks`` allows its network) and again at every attempt.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Final

from syndicate.api.credentials import key_digest, new_partner_key, new_push_secret
from syndicate.cli.console import (
    command_group,
    connected,
    environment_guarded,
    fail,
    moment,
    print_table,
)
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.feeds.edition import FORMATS
from syndicate.news.languages import is_language_tag
from syndicate.push.payload import PushFormat
from syndicate.store import partners as store_partners
from syndicate.store import pushes
from syndicate.store.partners import Partner, Push
from syndicate.worker.push import push_settings
from syndicate.worker.push_http import url_problem

NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ANY_LANGUAGE: Final = "*"
DEFAULT_FORMATS: Final = ("rss", "newsml", "ninjs")
PUSH_FORMATS: Final = tuple(str(f) for f in PushFormat)


def split_list(raw: str) -> tuple[str, ...]:
    """``ar, tr,,ar`` -> ("ar", "tr"): a comma list, each item once."""
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def check_partner(name: str, languages: str, formats: str) -> list[str]:
    """Every problem with the arguments of ``partners add``, one message each."""
    problems = []
    if not NAME.fullmatch(name):
        problems.append(f"{name!r}: a name is 1-64 letters, digits, '.', '_' or '-'")
    langs = split_list(languages)
    bad = [lang for lang in langs if lang != ANY_LANGUAGE and not is_language_tag(lang)]
    if bad or not langs:
        problems.append(f"--languages: not language tags (or *): {languages!r}")
    fmts = split_list(formats)
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown or not fmts:
        problems.append(f"--formats: choose from {', '.join(sorted(FORMATS))}: {formats!r}")
    return problems


def _push_format(chosen: str | None, formats: tuple[str, ...]) -> str:
    """The push format asked for, else the first the partner may read of ninjs, newsml and
    rss (an RSS partner gets ``rss-item``)."""
    if chosen:
        return chosen
    preferred = (PushFormat.NINJS, PushFormat.NEWSML, PushFormat.RSS_ITEM)
    entitled = [f for f in preferred if f.feed_format in formats or "*" in formats]
    return str(entitled[0] if entitled else PushFormat.NINJS)


def check_push(url: str, fmt: str, formats: tuple[str, ...], settings: Settings) -> list[str]:
    """Every problem with a push URL and format for a partner reading ``formats``."""
    problems = []
    if "*" not in formats and PushFormat(fmt).feed_format not in formats:
        problems.append(f"--push-format: {fmt} needs the {PushFormat(fmt).feed_format} format")
    problem = url_problem(url, push_settings(settings).allowed)
    if problem is not None:
        problems.append(f"--push-url: {problem}")
    return problems


def _report(command: str, problems: list[str]) -> int:
    for problem in problems:
        fail(command, problem, 2)
    return 2 if problems else 0


@environment_guarded("partners add")
def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    problems = check_partner(args.name, args.languages, args.formats)
    formats = split_list(args.formats)
    fmt = _push_format(args.push_format, formats)
    if args.push_url is not None and not problems:
        problems += check_push(args.push_url, fmt, formats, settings)
    if problems:
        return _report("partners add", problems)
    key = new_partner_key()
    push = Push(args.push_url, fmt, new_push_secret()) if args.push_url else Push()
    partner = Partner(
        args.name, key_digest(key), split_list(args.languages), formats, system_now(), push
    )
    with connected(settings) as client:
        if not store_partners.add_partner(client, partner):
            return fail("partners add", f"{args.name}: a partner with this name exists", 2)
    if args.json:
        print(json.dumps({"name": args.name, "key": key, "push_secret": push.secret or None}))
        return 0
    print(key)
    if push.secret:
        print(push.secret)
    what = "the key above is" if not push.secret else "the key and push secret above are"
    print(
        f"partner {args.name} added; {what} shown this once and not stored:"
        " give it to the partner now (lost: revoke and add again)",
        file=sys.stderr,
    )
    return 0


def _changed(args: argparse.Namespace, old: Partner) -> tuple[Partner, bool]:
    """The partner as ``partners set`` leaves it, and whether its push secret is new."""
    languages = split_list(args.languages) if args.languages else old.languages
    formats = split_list(args.formats) if args.formats else old.formats
    url = "" if args.no_push else (args.push_url or old.push.url)
    fmt = args.push_format or old.push.format or _push_format(None, formats)
    fresh = bool(url) and (args.rotate_push_secret or not old.push.secret)
    secret = new_push_secret() if fresh else (old.push.secret if url else "")
    push = Push(url, fmt, secret) if url else Push()
    return Partner(old.name, old.key_sha256, languages, formats, old.created, push), fresh


@environment_guarded("partners set")
def _cmd_set(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        old = store_partners.get_partner(client, args.name)
        if old is None:
            return fail("partners set", f"{args.name}: no such partner", 2)
        new, fresh = _changed(args, old)
        problems = check_partner(new.name, ",".join(new.languages), ",".join(new.formats))
        if new.push.url and (args.push_url or args.push_format or args.formats):
            problems += check_push(new.push.url, new.push.format, new.formats, settings)
        if problems:
            return _report("partners set", problems)
        store_partners.update_partner(client, new)
    if args.json:
        shown = {"name": new.name, "push_url": new.push.url or None}
        shown |= {"push_format": new.push.format or None}
        print(json.dumps(shown | {"push_secret": new.push.secret if fresh else None}))
    elif fresh:
        print(new.push.secret)
        print(f"partner {new.name}: new push secret above, shown this once", file=sys.stderr)
    else:
        print(f"partner {new.name} changed", file=sys.stderr)
    return 0


@environment_guarded("partners list")
def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        partners = store_partners.list_partners(client)
    if not partners:
        print("no partners (add one with `syndicate partners add NAME --languages ar,tr`)")
        return 0
    rows = [
        [p.name, ",".join(p.languages), ",".join(p.formats), moment(p.created), _push_cell(p)]
        for p in partners
    ]
    print_table(["name", "languages", "formats", "created", "push"], rows)
    return 0


def _push_cell(partner: Partner) -> str:
    return f"{partner.push.format} {partner.push.url}" if partner.push.url else "-"


@environment_guarded("partners revoke")
def _cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        if not store_partners.revoke_partner(client, args.name):
            return fail("partners revoke", f"{args.name}: no such partner", 2)
        pushes.forget_partner(client, args.name)
    print(f"partner {args.name} revoked: its key no longer opens any feed, nothing is pushed")
    return 0


def _push_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--push-url", metavar="URL", help="POST each published item here (http/https)")
    p.add_argument(
        "--push-format", choices=PUSH_FORMATS, help="what a push carries (default: ninjs)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``partners add|set|list|revoke``."""
    actions = command_group(commands, "partners", "manage partner agencies and their keys")
    p = actions.add_parser("add", help="add a partner and print its new key once")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--languages", required=True, help="comma-separated language tags, or *")
    p.add_argument(
        "--formats",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated, from {', '.join(sorted(FORMATS))} (default: all)",
    )
    _push_options(p)
    p.set_defaults(handler=_cmd_add)
    p = actions.add_parser("set", help="change a partner's languages, formats or push")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--languages", help="comma-separated language tags, or *")
    p.add_argument("--formats", help=f"comma-separated, from {', '.join(sorted(FORMATS))}")
    _push_options(p)
    p.add_argument("--no-push", action="store_true", help="stop pushing to the partner")
    p.add_argument(
        "--rotate-push-secret", action="store_true", help="make and print a new push secret"
    )
    p.set_defaults(handler=_cmd_set)
    p = actions.add_parser("list", help="list partners (never their keys)")
    p.set_defaults(handler=_cmd_list)
    p = actions.add_parser("revoke", help="delete a partner and its key")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_cmd_revoke)
