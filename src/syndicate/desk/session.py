"""The desk's login session and its defences (issue 18): a cookie that scripts cannot read
(HttpOnly), that no other site's page sends (SameSite=Strict), sent only over https when
served over https (Secure); a CSRF token in every form, checked on every POST; a Content
Security Policy that lets a page load nothing but the desk's own files.

The session is kept server-side (store/sessions.py) under the digest of the cookie; it
holds the editor's name, the digest of the token they logged in with (a revoked token ends
it), and the CSRF token. Before login, the login form's CSRF token is a cookie of its own
(double submit), so a forged login form posted from elsewhere is refused too.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from syndicate.desk.access import token_digest
from syndicate.store.sessions import SESSION_SECONDS

COOKIE: Final = "syndicate_desk"
LOGIN_COOKIE: Final = "syndicate_desk_login"
MAX_FORM_BYTES: Final = 256 * 1024
# Nothing but the desk's own files: no inline script or style, no frame, no plugin, and
# forms post only back to the desk.
POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: Final = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class FormRefused(Exception):
    """A form without a valid CSRF token, or too large: refused before anything is done."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def cookie_digest(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return token_digest(value) if value else None


def set_cookie(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/desk/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def start(response: Response, request: Request, value: str) -> None:
    set_cookie(response, request, COOKIE, value, SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path="/desk/")


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/desk/")


async def form(request: Request) -> dict[str, str]:
    """The posted form (application/x-www-form-urlencoded), each field's first value."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormRefused(f"the form is larger than {MAX_FORM_BYTES} bytes")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def check_csrf(fields: Mapping[str, str], expected: str | None) -> None:
    given = fields.get("csrf", "")
    if not expected or not given or not hmac.compare_digest(given, expected):
        raise FormRefused("the form's CSRF token is missing or wrong: reload the page")
