"""The review desk's pages (issue 18): server-rendered HTML, Jinja2 with autoescaping.

Jinja2 is the field's well-kept template engine (Starlette, Flask and Django's alternative
use it); with ``autoescape`` every value an article carries is escaped wherever it is
written, which is what keeps the XSS corpus inert (tests/desk/). Pages never write an
article's HTML as HTML: segments are shown as text with their tag placeholders, and no
value becomes a URL. lxml's builder would be as safe, but a page as nested Python calls is
harder to read and change than a template.

Every page sends the Content Security Policy of session.py; every form carries the CSRF
token; a POST answers with a redirect (303) so a reload never posts twice.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from syndicate.desk import actions, session, views
from syndicate.desk.access import Actor, actor_again, actor_for, token_digest
from syndicate.desk.actions import perform
from syndicate.desk.context import DeskContext, desk_context
from syndicate.desk.overview import overview
from syndicate.errors import EditInvalid, NotHeld, ReviewConflict, SyndicateError
from syndicate.news.languages import is_language_tag
from syndicate.review.placeholders import MAX_EDIT_CHARS
from syndicate.store import review as store_review
from syndicate.store import sessions
from syndicate.store.sessions import Session

_ENV: Final = Environment(
    loader=PackageLoader("syndicate.desk", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_PLACEHOLDER: Final = re.compile(r"(</?\d{1,6}/?>)")


def pieces_of(text: str) -> list[tuple[str, str]]:
    """Placeholder text as (kind, text) runs for the page: ``tag`` or ``text``."""
    return [
        ("tag" if _PLACEHOLDER.fullmatch(p) else "text", p) for p in _PLACEHOLDER.split(text) if p
    ]


_ENV.filters["pieces"] = pieces_of


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    body = _ENV.get_template(template).render(**values)
    return HTMLResponse(body, status_code=status, headers=session.HEADERS)


async def _signed_in(request: Request) -> tuple[Session, Actor] | None:
    ctx = desk_context(request)
    digest = session.cookie_digest(request)
    if digest is None:
        return None
    found = await run_in_threadpool(sessions.get_session, ctx.client, digest)
    if found is None:
        return None
    operator = ctx.settings.operator_token
    actor = await run_in_threadpool(actor_again, ctx.client, found.who, found.proof, operator)
    return None if actor is None else (found, actor)


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    csrf = session.new_token()
    page = render("login.html", status, csrf=csrf, error=error)
    session.set_cookie(page, request, session.LOGIN_COOKIE, csrf, 3600)
    return page


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=session.HEADERS)


async def home(request: Request) -> Response:
    """The queue, or the login form."""
    signed = await _signed_in(request)
    if signed is None:
        return _login_page(request)
    found, actor = signed
    ctx = desk_context(request)
    lang = request.query_params.get("lang") or None
    flagged = request.query_params.get("flagged") == "1"
    listing = await run_in_threadpool(overview, ctx.client, actor, lang, flagged)
    return render("queue.html", actor=actor, csrf=found.csrf, lang=lang, flagged=flagged, **listing)


async def login(request: Request) -> Response:
    ctx = desk_context(request)
    try:
        fields = await session.form(request)
        session.check_csrf(fields, request.cookies.get(session.LOGIN_COOKIE))
    except session.FormRefused as exc:
        return _login_page(request, str(exc), 403)
    operator = ctx.settings.operator_token
    actor = await run_in_threadpool(
        actor_for, ctx.client, fields.get("token", "").strip(), operator
    )
    if actor is None:
        return _login_page(request, "That token opens nothing: check it, or ask the operator.", 401)
    value = session.new_token()
    opened = Session(actor.name, actor.proof, session.new_token())
    await run_in_threadpool(sessions.open_session, ctx.client, token_digest(value), opened)
    answer = _back("/desk/")
    session.start(answer, request, value)
    return answer


async def logout(request: Request) -> Response:
    signed = await _signed_in(request)
    answer = _back("/desk/")
    if signed is not None:
        fields = await session.form(request)
        try:
            session.check_csrf(fields, signed[0].csrf)
        except session.FormRefused as exc:
            return render("error.html", 403, message=str(exc))
        digest = session.cookie_digest(request) or ""
        await run_in_threadpool(sessions.close_session, desk_context(request).client, digest)
    session.end(answer)
    return answer


def _target(request: Request, actor: Actor) -> tuple[str, str]:
    article_id, lang = str(request.path_params["id"]), str(request.path_params["lang"])
    if not is_language_tag(lang) or not actor.may_review(lang):
        raise NotHeld(f"{actor.name} does not review {lang}")
    return article_id, lang


async def _article(
    ctx: DeskContext, signed: tuple[Session, Actor], ids: tuple[str, str], **extra: Any
) -> Response:
    found = await run_in_threadpool(store_review.get_held, ctx.client, *ids)
    if found is None:
        return render("error.html", 404, message=f"No translation of {ids[0]} is held in {ids[1]}.")
    log = await run_in_threadpool(store_review.read_log, ctx.client, *ids)
    held = views.held_json(found.held, log)
    values = {"actor": signed[1], "csrf": signed[0].csrf, "held": held, "limit": MAX_EDIT_CHARS}
    return render("article.html", int(extra.pop("status", 200)), **values, **extra)


async def article(request: Request) -> Response:
    signed = await _signed_in(request)
    if signed is None:
        return _back("/desk/")
    try:
        ids = _target(request, signed[1])
    except NotHeld as exc:
        return render("error.html", 403, message=str(exc))
    return await _article(desk_context(request), signed, ids)


Perform = Callable[[Request, DeskContext, Actor, Mapping[str, str]], Awaitable[str]]


async def act(request: Request) -> Response:
    """A form of the article page: edit, approve, reject, retranslate (actions.py)."""
    return await _posted(request, perform)


async def retry(request: Request) -> Response:
    """The queue's retry of a failed or no_model language, for the operator."""
    return await _posted(request, actions.retry)


async def _posted(request: Request, do: Perform) -> Response:
    """Check the session and the form's CSRF token, do the action, and go back where the
    editor was; a refused edit shows the article again with the reasons."""
    signed = await _signed_in(request)
    if signed is None:
        return _back("/desk/")
    try:
        fields = await session.form(request)
        session.check_csrf(fields, signed[0].csrf)
    except session.FormRefused as exc:
        return render("error.html", 403, message=str(exc))
    ctx = desk_context(request)
    try:
        return _back(await do(request, ctx, signed[1], fields))
    except EditInvalid as exc:
        ids = _target(request, signed[1])
        errors = [e.message for e in exc.errors]
        n = int(request.path_params.get("n", -1))
        draft = fields.get("translation", "")
        return await _article(ctx, signed, ids, status=422, errors=errors, failed=n, draft=draft)
    except (NotHeld, ReviewConflict) as exc:
        status = 409 if isinstance(exc, ReviewConflict) else 404
        return render("error.html", status, message=str(exc))
    except SyndicateError as exc:
        return render("error.html", 400, message=str(exc))
