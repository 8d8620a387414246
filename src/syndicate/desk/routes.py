"""The review desk's routes (issue 18): the pages under ``/desk/`` and their own files.
api/app.py includes ``ROUTES``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from syndicate.desk import pages

_STATIC: Final = Path(__file__).resolve().parent / "static"
_HELD: Final = "/desk/review/{id}/{lang}"

ROUTES: Final[list[BaseRoute]] = [
    Route("/desk/", pages.home, methods=["GET"]),
    Route("/desk/login", pages.login, methods=["POST"]),
    Route("/desk/logout", pages.logout, methods=["POST"]),
    Route(_HELD, pages.article, methods=["GET"]),
    Route(f"{_HELD}/segments/{{n:int}}", pages.act, methods=["POST"]),
    Route(f"{_HELD}/{{action}}", pages.act, methods=["POST"]),
    Route("/desk/retry/{id}/{lang}", pages.retry, methods=["POST"]),
    Mount("/desk/static", StaticFiles(directory=_STATIC), name="desk-static"),
]
