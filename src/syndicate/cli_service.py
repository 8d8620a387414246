"""Placeholder: filled in by issue 4 work in progress."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands."""
