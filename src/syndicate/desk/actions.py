"""What the desk's forms do (issue 18): the same actions as the JSON API
(worker/reviewing.py), and the operator's retry of a failed or no_model language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from syndicate.desk.access import Actor
from syndicate.desk.context import DeskContext, feed_site, retry_checks
from syndicate.errors import EditInvalid, FieldError, NotHeld
from syndicate.news.languages import is_language_tag
from syndicate.worker import reviewing, submit


def _version(fields: Mapping[str, str]) -> int | None:
    raw = fields.get("version", "")
    return int(raw) if raw.isdigit() else None


async def perform(
    request: Request, ctx: DeskContext, actor: Actor, fields: Mapping[str, str]
) -> str:
    """Do what the form asks; the page to go back to."""
    params = request.path_params
    article_id, lang = str(params["id"]), str(params["lang"])
    if not is_language_tag(lang) or not actor.may_review(lang):
        raise NotHeld(f"{actor.name} does not review {lang}")
    now, page = ctx.clock(), f"/desk/review/{article_id}/{lang}"
    if "n" in params:
        n = int(params["n"])
        text, version = fields.get("translation", ""), _version(fields)
        segment = (article_id, lang, n)
        await run_in_threadpool(
            reviewing.edit_segment, ctx.client, segment, text, actor.name, version, now
        )
        return f"{page}#s{n}"
    action = str(params["action"])
    if action == "approve":
        args = (ctx.client, ctx.celery_app, (article_id, lang), actor.name, _version(fields))
        await run_in_threadpool(reviewing.approve, *args, feed_site(ctx), now)
    elif action == "reject":
        reason = fields.get("reason", "").strip()
        if not reason:
            raise EditInvalid([FieldError("reason", "say why the translation is rejected")])
        held, version = (article_id, lang), _version(fields)
        await run_in_threadpool(
            reviewing.reject, ctx.client, held, actor.name, reason, version, now
        )
    elif action == "retranslate":
        engine, configured = retry_checks(ctx)
        await run_in_threadpool(
            partial(reviewing.retranslate, engine=engine, configured=configured),
            *(ctx.client, ctx.celery_app, (article_id, lang), actor.name, now),
        )
    else:
        raise NotHeld(f"no action {action!r}")
    return f"/desk/?lang={lang}"


async def retry(request: Request, ctx: DeskContext, actor: Actor, fields: Mapping[str, str]) -> str:
    """The operator's retry of a failed or no_model language (syndicate retry)."""
    if not actor.is_operator:
        raise NotHeld("only the operator retries a language")
    article_id, lang = str(request.path_params["id"]), str(request.path_params["lang"])
    engine, configured = retry_checks(ctx)
    args = (ctx.client, ctx.celery_app, engine, article_id, [lang], configured, ctx.clock())
    await run_in_threadpool(submit.retry, *args)
    return "/desk/"
