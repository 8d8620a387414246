"""`syndicate editors add|list|revoke`: who checks machine translations on the review desk
(issue 18), and in which languages.

``add`` prints a new token once, alone on a line of stdout; the store keeps only its
SHA-256, so a lost token is replaced by revoking the editor and adding them again. Revoking
ends the editor's desk sessions at their next request. ``list`` never shows tokens.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from syndicate.cli.console import (
    command_group,
    connected,
    environment_guarded,
    fail,
    moment,
    print_table,
)
from syndicate.cli.partners import NAME, split_list
from syndicate.clock import system_now
from syndicate.config import Settings
from syndicate.desk.access import OPERATOR, new_editor_token, token_digest
from syndicate.news.languages import is_language_tag
from syndicate.review.policy import EVERY
from syndicate.store import editors


def check_editor(name: str, languages: str) -> list[str]:
    """Every problem with the arguments of ``editors add``, one message each."""
    problems = []
    if not NAME.fullmatch(name) or name == OPERATOR:
        problems.append(f"{name!r}: a name is 1-64 letters, digits, '.', '_' or '-' (not operator)")
    langs = split_list(languages)
    bad = [lang for lang in langs if lang != EVERY and not is_language_tag(lang)]
    if bad or not langs:
        problems.append(f"--languages: not language tags (or *): {languages!r}")
    return problems


@environment_guarded("editors add")
def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    problems = check_editor(args.name, args.languages)
    for problem in problems:
        fail("editors add", problem, 2)
    if problems:
        return 2
    token = new_editor_token()
    editor = editors.Editor(
        args.name, token_digest(token), split_list(args.languages), system_now()
    )
    with connected(settings) as client:
        if not editors.add_editor(client, editor):
            return fail("editors add", f"{args.name}: an editor with this name exists", 2)
    print(token)
    print(
        f"editor {args.name} added for {','.join(editor.languages)}; the token above is shown"
        " this once and not stored: give it to the editor now (lost: revoke and add again)",
        file=sys.stderr,
    )
    return 0


@environment_guarded("editors list")
def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        found = editors.list_editors(client)
    if not found:
        print("no editors (add one with `syndicate editors add NAME --languages ckb,kmr`)")
        return 0
    rows = [[e.name, ",".join(e.languages), moment(e.created)] for e in found]
    print_table(["name", "languages", "created"], rows)
    return 0


@environment_guarded("editors revoke")
def _cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with connected(settings) as client:
        if not editors.revoke_editor(client, args.name):
            return fail("editors revoke", f"{args.name}: no such editor", 2)
    print(f"editor {args.name} revoked: their token no longer opens the review desk")
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``editors add|list|revoke``."""
    actions = command_group(commands, "editors", "manage review desk editors and their tokens")
    p = actions.add_parser("add", help="add an editor and print their new token once")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--languages", required=True, help="comma-separated language tags, or *")
    p.set_defaults(handler=_cmd_add)
    p = actions.add_parser("list", help="list editors (never their tokens)")
    p.set_defaults(handler=_cmd_list)
    p = actions.add_parser("revoke", help="delete an editor and their token")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_cmd_revoke)
