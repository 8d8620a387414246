"""`syndicate models ...`: build, list, install, remove and browse translation packages.

Exit codes follow main.py: 0 done, 1 the environment failed (index offline), 2 bad input
(a bad package file, an unknown pair or code). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from syndicate.cli.console import Handler, command_group, print_table
from syndicate.config import Settings
from syndicate.errors import IndexUnavailable, ModelPackageInvalid
from syndicate.models.packages import (
    UNKNOWN_LICENSE,
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


def _kind(pkg: InstalledPackage) -> str:
    kind = f"demo ({pkg.preset})" if pkg.demo else "real"
    return f"{kind}, multilingual" if pkg.multilingual else kind


def _describe(pkg: InstalledPackage) -> str:
    size, kind = _size(pkg.size), _kind(pkg)
    return (
        f"{pkg.pair:<9} {pkg.code:<20} {pkg.version:<16} {size:>9}  {kind}, licence {pkg.license}"
    )


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
    from syndicate.models.demo import DEMO_PAIRS, DemoOutcome, install_demo_models
    from syndicate.models.multidemo import install_family

    pairs = (
        tuple(p.strip() for p in args.pairs.split(",") if p.strip()) if args.pairs else DEMO_PAIRS
    )
    variant = _variant(args)
    started = time.monotonic()
    outcomes: list[DemoOutcome]
    if args.multilingual:
        if args.pairs or not variant.clean:
            raise ModelPackageInvalid("--multilingual builds en -> ar, tr, ckb, kmr, clean")
        outcomes = install_family(settings.models_dir, args.multilingual, args.preset, args.force)
    else:
        outcomes = install_demo_models(settings.models_dir, args.preset, pairs, args.force, variant)
    for outcome in outcomes:
        print(f"{outcome.pair:<9} {'built' if outcome.built else 'skipped'}: {outcome.reason}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from syndicate.models.catalogue import Catalogue

    catalogue = Catalogue.scan(settings.models_dir, settings.commercial_use)
    if not catalogue.entries:
        where = settings.models_dir
        print(f"no packages installed in {where} (try `syndicate models build-demo`)")
        return 0
    users = Counter(e.digest for e in catalogue.entries)
    rows = []
    for e in catalogue.entries:
        pkg, shared = e.package, users[e.digest]
        model = e.digest[:12] + (f" (x{shared})" if shared > 1 else "")
        licence = pkg.license + (" (!)" if pkg.license == UNKNOWN_LICENSE else "")
        licence += " (refused)" if e in catalogue.refused else ""
        rows.append((pkg.pair, pkg.code, pkg.version, _size(pkg.size), licence, model, _kind(pkg)))
    print_table(("pair", "code", "version", "size", "licence", "model", "kind"), rows)
    for warning, line in catalogue.report():
        print(f"{'warning: ' if warning else ''}{line}")
    return 0


def _cmd_package(args: argparse.Namespace, settings: Settings) -> int:
    from syndicate.models.packaging import Recipe, package, parse_pairs, parse_tokens

    recipe = Recipe(
        model_dir=Path(args.model),
        sentencepiece=Path(args.sentencepiece),
        pairs=parse_pairs(args.pairs),
        license=args.license,
        target_prefix=args.target_prefix,
        source_prefix=args.source_prefix,
        tokens=parse_tokens(args.token),
        source_eos=args.source_eos,
        name=args.name,
        version=args.version,
    )
    for path in package(recipe, Path(args.out)):
        print(f"wrote {path}")
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
    p.add_argument(
        "--multilingual",
        choices=("nllb", "madlad"),
        help="one multilingual gloss model for en -> ar, tr, ckb, kmr instead: nllb (a target "
        "prefix chooses the language), madlad (a source token does)",
    )
    p.set_defaults(handler=_guarded(_cmd_build_demo))
    _register_package(commands)
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


def _register_package(commands: argparse._SubParsersAction[Any]) -> None:
    p = commands.add_parser(
        "package",
        help="package a converted CTranslate2 model as Argos packages, one per pair "
        "(docs/models.md: NLLB-200, MADLAD-400, OPUS-MT)",
    )
    p.add_argument("model", metavar="MODEL_DIR", help="the CTranslate2 model directory")
    p.add_argument("--sentencepiece", required=True, metavar="FILE", help="its SentencePiece model")
    p.add_argument("--pairs", required=True, help="comma-separated pairs, e.g. en-ckb,en-kmr")
    p.add_argument("--license", required=True, help="the model's licence, an SPDX id")
    _add_language_tokens(p)
    p.add_argument("--name", default="", help="a short model name for codes: nllb-600m")
    p.add_argument("--version", default="1.0", help="package_version (default 1.0)")
    p.add_argument("--out", default=".", help="where the .argosmodel files go (default .)")
    p.set_defaults(handler=_guarded(_cmd_package))


def _add_language_tokens(p: argparse.ArgumentParser) -> None:
    """How a multilingual model is told the language: the options differ per model family."""
    p.add_argument(
        "--target-prefix",
        default="",
        metavar="TEMPLATE",
        help="the token the output starts with: '{to}' for NLLB-200",
    )
    p.add_argument(
        "--source-prefix",
        default="",
        metavar="TEMPLATE",
        help="token(s) before the source: '{from}' for NLLB-200, '<2{to}>' for MADLAD-400, "
        "'>>{to}<<' for OPUS-MT",
    )
    p.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="LANG=TOKEN",
        help="the model's token for a language in {from} and {to} (default: the code), "
        "e.g. ckb=ckb_Arab; repeatable or comma-separated",
    )
    p.add_argument(
        "--source-eos",
        action="store_true",
        help="end the source with </s> (config.json add_source_eos): models converted by "
        "ct2-transformers-converter need it",
    )
