"""`syndicate models ...`: build, list, install, remove and browse translation packages.

Exit codes follow main.py: 0 done, 1 the environment failed (index offline), 2 bad input
(a bad package file, an unknown pair or code). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from syndicate.cli.console import Handler, command_group
from syndicate.config import Settings
from syndicate.errors import IndexUnavailable, ModelPackageInvalid
from syndicate.models.packages import (
    InstalledPackage,
    fetch_index,
    install_from_index,
    install_from_url,
    install_package,
    list_packages,
    remove_package,
)

_PAIR = re.compile(r"^[a-z]{2,3}-[a-z]{2,3}$")


def _fail(message: str, code: int) -> int:
    print(f"syndicate models: {message}", file=sys.stderr)
    return code


def _guarded(handler: Handler) -> Handler:
    """Map package errors to exit codes: bad input 2, environment 1."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except ModelPackageInvalid as exc:
            return _fail(str(exc), 2)
        except IndexUnavailable as exc:
            return _fail(str(exc), 1)

    return run


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _describe(pkg: InstalledPackage) -> str:
    kind = f"demo ({pkg.preset})" if pkg.demo else "real"
    return f"{pkg.pair:<9} {pkg.code:<20} {pkg.version:<16} {_size(pkg.size):>9}  {kind}"


def _variant(args: argparse.Namespace) -> Any:
    """The gloss variant ``--attention`` and ``--noise`` ask for (models/variants.py)."""
    from syndicate.models.variants import LEVELS, Variant, parse_level

    if args.attention == "clean":
        if args.noise is not None:
            raise ModelPackageInvalid("--noise needs --attention noisy or reorder")
        return Variant()
    default = LEVELS["moderate"] if args.attention == "noisy" else 0.0
    level = default if args.noise is None else parse_level(args.noise)
    if args.attention == "noisy" and level == 0.0:
        raise ModelPackageInvalid("--attention noisy needs a noise level above 0")
    return Variant(level, reorder=args.attention == "reorder")


def _cmd_build_demo(args: argparse.Namespace, settings: Settings) -> int:
    from syndicate.models.demo import DEMO_PAIRS, install_demo_models

    pairs = (
        tuple(p.strip() for p in args.pairs.split(",") if p.strip()) if args.pairs else DEMO_PAIRS
    )
    variant = _variant(args)
    started = time.monotonic()
    outcomes = install_demo_models(settings.models_dir, args.preset, pairs, args.force, variant)
    for outcome in outcomes:
        print(f"{outcome.pair:<9} {'built' if outcome.built else 'skipped'}: {outcome.reason}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    packages = list_packages(settings.models_dir)
    if not packages:
        where = settings.models_dir
        print(f"no packages installed in {where} (try `syndicate models build-demo`)")
        return 0
    print(f"{'pair':<9} {'code':<20} {'version':<16} {'size':>9}  kind")
    for pkg in packages:
        print(_describe(pkg))
    return 0


def _cmd_install(args: argparse.Namespace, settings: Settings) -> int:
    target: str = args.source
    models_dir = settings.models_dir
    if target.startswith(("http://", "https://")):
        pkg = install_from_url(models_dir, target)
    elif Path(target).exists():
        pkg = install_package(models_dir, Path(target))
    elif _PAIR.match(target):
        pkg = install_from_index(models_dir, target)
    else:
        return _fail(f"{target}: no such file, URL or language pair (like en-ar)", 2)
    print(f"installed {_describe(pkg)}")
    return 0


def _cmd_available(args: argparse.Namespace, settings: Settings) -> int:
    models_dir = settings.models_dir
    installed = {p.pair for p in list_packages(models_dir)}
    for entry in sorted(fetch_index(models_dir), key=lambda e: e.pair):
        mark = "installed" if entry.pair in installed else ""
        print(f"{entry.pair:<9} {entry.code:<20} {entry.version:<10} {mark}")
    return 0


def _cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    removed = remove_package(settings.models_dir, args.code)
    if not removed:
        return _fail(f"no installed package matches {args.code!r} (see `models list`)", 2)
    for pkg in removed:
        print(f"removed {pkg.code} ({pkg.pair}, {pkg.path.name})")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``models`` command and its subcommands to the main parser."""
    commands = command_group(subparsers, "models", "manage translation packages")
    p = commands.add_parser("build-demo", help="build and install gloss demo models")
    p.add_argument("--preset", choices=("tiny", "base"), default="tiny")
    p.add_argument("--pairs", help="comma-separated pairs, e.g. en-ar,en-tr (default: all 8)")
    p.add_argument("--force", action="store_true", help="rebuild demo packages already there")
    p.add_argument(
        "--attention",
        choices=("clean", "noisy", "reorder"),
        default="clean",
        help="clean diagonal attention (default), noisy reported attention, or reordered output",
    )
    p.add_argument(
        "--noise",
        metavar="LEVEL",
        help="misaligned share of target tokens: mild (0.12), moderate (0.30, the default "
        "for noisy), heavy (0.45) or a fraction; with reorder, adds noise to it",
    )
    p.set_defaults(handler=_guarded(_cmd_build_demo))
    p = commands.add_parser("list", help="list installed packages")
    p.set_defaults(handler=_guarded(_cmd_list))
    p = commands.add_parser("install", help="install a package from a file, URL or the index")
    p.add_argument("source", metavar="PATH|URL|PAIR")
    p.set_defaults(handler=_guarded(_cmd_install))
    p = commands.add_parser("available", help="list packages in the Argos package index")
    p.set_defaults(handler=_guarded(_cmd_available))
    p = commands.add_parser("remove", help="uninstall a package by code or pair")
    p.add_argument("code", metavar="CODE")
    p.set_defaults(handler=_guarded(_cmd_remove))
