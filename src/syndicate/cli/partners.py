"""`syndicate partners add|list|revoke`: the agencies that poll feeds, and their keys.

``add`` prints a new key once, alone on a line of stdout so a script can capture it; the
store keeps only its SHA-256 (credentials.key_digest), so a lost key is replaced by
revoking the partner and adding it again. ``list`` never shows keys or digests.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Final

from syndicate.api.credentials import key_digest, new_partner_key
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
from syndicate.store import partners as store_partners

NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ANY_LANGUAGE: Final = "*"
DEFAULT_FORMATS: Final = ("rss", "newsml", "ninjs")


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


@environment_guarded("partners add")
def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    problems = check_partner(args.name, args.languages, args.formats)
    for problem in problems:
        fail("partners add", problem, 2)
    if problems:
        return 2
    key = new_partner_key()
    partner = store_partners.Partner(
        args.name,
        key_digest(key),
        split_list(args.languages),
        split_list(args.formats),
        system_now(),
    )
    with connected(settings) as client:
        if not store_partners.add_partner(client, partner):
            return fail("partners add", f"{args.name}: a partner with this name exists", 2)
    print(key)
    print(
        f"partner {args.name} added; the key above is shown this once and not stored:"
        " give it to the partner now (lost: revoke and add again)",
        file=sys.stderr,
    )
    return 0


@environment_guarded("partners list")
def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        partners = store_partners.list_partners(client)
    if not partners:
        print("no partners (add one with `syndicate partners add NAME --languages ar,tr`)")
        return 0
    rows = [
        [p.name, ",".join(p.languages), ",".join(p.formats), moment(p.created)] for p in partners
    ]
    print_table(["name", "languages", "formats", "created"], rows)
    return 0


@environment_guarded("partners revoke")
def _cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        if not store_partners.revoke_partner(client, args.name):
            return fail("partners revoke", f"{args.name}: no such partner", 2)
    print(f"partner {args.name} revoked: its key no longer opens any feed")
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``partners add|list|revoke``."""
    actions = command_group(commands, "partners", "manage partner agencies and their keys")
    p = actions.add_parser("add", help="add a partner and print its new key once")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--languages", required=True, help="comma-separated language tags, or *")
    p.add_argument(
        "--formats",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated, from {', '.join(sorted(FORMATS))} (default: all)",
    )
    p.set_defaults(handler=_cmd_add)
    p = actions.add_parser("list", help="list partners (never their keys)")
    p.set_defaults(handler=_cmd_list)
    p = actions.add_parser("revoke", help="delete a partner and its key")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_cmd_revoke)
