"""The `syndicate` command: translate articles, run the service, publish partner feeds.

One registry of command groups below, each a module of cli/. Exit codes: 0 done, 1 the
environment failed (no model, offline, Redis away), 2 bad input (one readable line per
problem on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from syndicate import logs
from syndicate.cli import (
    deliveries,
    editors,
    feeds,
    ingest,
    models,
    partners,
    run,
    service,
    status,
    translate,
)
from syndicate.config import Settings, load_settings
from syndicate.errors import SettingsInvalid

# Every command group, in the order ``syndicate --help`` lists them.
GROUPS = (translate, models, feeds, ingest, status, partners, deliveries, editors, service, run)


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


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command on ``settings``; its exit code.

    Without ``settings`` they are read here, once, from config/syndicate.toml and this
    process's environment: ``load_settings``, not the cached ``config.settings``, since a
    process runs one command (a cache saves nothing) and a fresh read keeps two in-process
    calls from sharing what the first one read. Handlers get them as an argument and read
    no global. Usage errors exit 2 before any setting is read; a bad setting is one line on
    stderr and exit 2, like any bad input.
    """
    args = build_parser().parse_args(argv)
    try:
        chosen = settings if settings is not None else load_settings(dict(os.environ))
        code: int = args.handler(args, chosen)
    except SettingsInvalid as exc:
        print(f"syndicate: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
