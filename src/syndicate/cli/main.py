"""The `syndicate` command: translate articles, run the service, publish partner feeds.

One registry of command groups below, each a module of cli/. Exit codes: 0 done, 1 the
environment failed (no model, offline, Redis away), 2 bad input (one readable line per
problem on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from syndicate import logs
from syndicate.cli import feeds, ingest, models, partners, run, service, status, translate
from syndicate.errors import SettingsInvalid

# Every command group, in the order ``syndicate --help`` lists them.
GROUPS = (translate, models, feeds, ingest, status, partners, service, run)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="syndicate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--log-format", choices=logs.FORMATS, help="serve and worker logs (default: setting)"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except SettingsInvalid as exc:
        print(f"syndicate: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
