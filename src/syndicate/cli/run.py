"""`syndicate run`: the whole service on one machine, for `make run` (issue 4, item 6).

Reuse or start Redis, make sure every pair has a model (the real Argos package where the
network allows, else a demo gloss model, and say which), start a worker and the API, post
the sample article through the signed webhook, measure how long each language takes from
POST to published, print the feed URLs with a demo partner key and the shell exports
the documented commands need (README.md, docs/operations.md), then serve until Ctrl-C
and stop what was started (launcher.py). Exit codes: 2 bad article file, 1 environment.
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from syndicate.cli import demo, run_models
from syndicate.cli.console import say
from syndicate.config import PROJECT_ROOT, Settings
from syndicate.errors import ArticleInvalid, FieldError, SyndicateError
from syndicate.news.article import Article
from syndicate.news.languages import primary
from syndicate.translation.admission import read_article_json

if TYPE_CHECKING:  # launcher imports httpx, only needed once `run` runs
    from syndicate.cli.launcher import Stack

SAMPLE = PROJECT_ROOT.parent / "shared" / "samples" / "rudaw-isis-final-moments.json"
RUN_DIR = PROJECT_ROOT / "var" / "run"
FORMAT_EXTENSIONS = (("rss", "rss"), ("newsml", "xml"), ("ninjs", "json"))
HEALTH_SECONDS = 180.0
PUBLISH_SECONDS = 600.0
REDIS_VAR = "SYNDICATE_REDIS_URL"
NEWSROOM_VAR = "SYNDICATE_NEWSROOM_SECRET"
OPERATOR_VAR = "SYNDICATE_OPERATOR_TOKEN"
DEMO_KEY_VAR = "DEMO_KEY"  # not a setting: the curl examples of docs/operations.md use it


@dataclass(frozen=True, slots=True)
class _Input:
    path: Path
    body: bytes
    article: Article


@dataclass(frozen=True, slots=True)
class _Secrets:
    newsroom: str
    operator: str
    generated: frozenset[str] = frozenset()  # the variables this run made up


def _read_inputs(paths: Sequence[Path]) -> list[_Input]:
    inputs = []
    for path in paths:
        try:
            body = path.read_bytes()
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror}"
            raise ArticleInvalid([FieldError(str(path), reason)]) from exc
        try:
            inputs.append(_Input(path, body, read_article_json(body)))
        except ArticleInvalid as exc:
            errors = [FieldError(f"{path}: {e.field}", e.message) for e in exc.errors]
            raise ArticleInvalid(errors) from None
    return inputs


def _targets(article: Article, s: Settings) -> list[str]:
    from syndicate.worker.intake import targets_of

    return list(targets_of(article, s.default_targets))


def needed_pairs(inputs: Sequence[_Input], s: Settings) -> list[str]:
    """The configured pairs and each article's, direct (``en-ar``), pivots split in two."""
    wanted = [(primary(s.source_language), primary(t)) for t in s.default_targets]
    for item in inputs:
        source = primary(item.article.language)
        wanted += [(source, primary(t)) for t in _targets(item.article, s)]
    pairs: list[str] = []
    for source, target in wanted:
        legs = [(source, target)] if "en" in (source, target) else [(source, "en"), ("en", target)]
        pairs += [f"{a}-{b}" for a, b in legs if a != b]
    return list(dict.fromkeys(pairs))


def _secrets(s: Settings) -> _Secrets:
    """The operator's secrets, else new ones for this run; ``generated`` names the new ones."""
    newsroom, operator = s.newsroom_secret, s.operator_token
    generated = {NEWSROOM_VAR} if not newsroom else set()
    generated |= {OPERATOR_VAR} if not operator else set()
    chosen = _Secrets(
        newsroom or secrets.token_urlsafe(32),
        operator or secrets.token_urlsafe(32),
        frozenset(generated),
    )
    for name in (NEWSROOM_VAR, OPERATOR_VAR):
        origin = "generated for this run (ephemeral)" if name in generated else "from settings"
        say(f"Secrets: {name} {origin}")
    return chosen


def environment_lines(redis_url: str, keys: _Secrets, partner_key: str) -> list[str]:
    """The shell block that lets the documented commands reach this run: one ``export``
    per variable, then the notes. A secret is printed only when this run generated it; a
    value the operator set (a Redis URL with a password too) is named, never shown."""
    values = [(REDIS_VAR, redis_url, not urlsplit(redis_url).password)]
    for name, value in ((NEWSROOM_VAR, keys.newsroom), (OPERATOR_VAR, keys.operator)):
        values.append((name, value, name in keys.generated))
    values.append((DEMO_KEY_VAR, partner_key, True))
    lines = [f"  export {name}={shlex.quote(value)}" for name, value, shown in values if shown]
    kept = [name for name, _, shown in values if not shown]
    ephemeral = [name for name in (NEWSROOM_VAR, OPERATOR_VAR) if name in keys.generated]
    if kept:
        lines.append(f"  ({', '.join(kept)}: set in your environment, not printed)")
    if ephemeral:
        lines.append(f"  ({' and '.join(ephemeral)}: ephemeral, generated for this run only)")
    lines.append(f"  ({DEMO_KEY_VAR}: the key of the demo partner {demo.DEMO_PARTNER})")
    return lines


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (timeout, kill) stops the run like Ctrl-C: children are stopped too."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        inputs = _read_inputs(args.article or [SAMPLE])
    except ArticleInvalid as exc:
        for e in exc.errors:
            print(f"syndicate run: {e.field}: {e.message}", file=sys.stderr)
        return 2
    try:
        from syndicate.cli import launcher
    except ImportError as exc:  # httpx is in the ops and test extras
        print(f"syndicate run: {exc} (pip install 'syndicate[ops]')", file=sys.stderr)
        return 1
    stack = launcher.Stack()
    with _sigterm_as_interrupt(), tempfile.TemporaryDirectory(prefix="syndicate-redis-") as tmp:
        try:
            return _serve(args, settings, inputs, stack, Path(tmp))
        except KeyboardInterrupt:
            say("\nstopping ...")
            return 0
        except (SyndicateError, OSError) as exc:
            print(f"syndicate run: {exc}", file=sys.stderr)
            return 1
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # stop cleanly, even on a second ^C
            stack.stop(lambda m: say(f"  {m}"))
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _languages(inputs: Sequence[_Input], s: Settings) -> list[str]:
    """Every language the run publishes in: the sources and all targets."""
    langs = [s.source_language, *s.default_targets]
    for item in inputs:
        langs += [item.article.language, *_targets(item.article, s)]
    return list(dict.fromkeys(langs))


def _extra_env(base_url: str) -> dict[str, str]:
    """Feed links point at this server unless the operator set a public URL."""
    import os

    if os.environ.get("SYNDICATE_PUBLIC_BASE_URL"):
        return {}
    return {"SYNDICATE_PUBLIC_BASE_URL": base_url}


def _durability_env(url: str) -> dict[str, str]:
    """The demo runs on a reused Redis that does not fsync every write, and says what that
    costs, and the API is told not to refuse it whatever the configuration says."""
    from syndicate.store import server
    from syndicate.store.client import connect

    client = connect(url)
    try:
        found = server.persistence(client)
    finally:
        client.close()
    if found is None or found.durable:
        return {}
    say(f"  it runs with {found.describe()}: a 202 in this run does not survive its crash")
    return {"SYNDICATE_REQUIRE_DURABLE_STORE": "false"}


def _post_all(base: str, inputs: Sequence[_Input], keys: _Secrets, stack: Stack) -> list[str]:
    """Post each article and wait until all its languages are final; the ids."""
    import httpx

    from syndicate.cli import launcher

    def report(lang: str, outcome: launcher.LanguageOutcome) -> None:
        why = f" ({outcome.reason})" if outcome.reason else ""
        say(f"  {lang:<6} {outcome.state:<10} {outcome.seconds:6.2f} s after the POST{why}")

    ids = []
    with httpx.Client(timeout=10.0) as client:
        for item in inputs:
            try:
                posted = launcher.post_article(client, base, item.body, keys.newsroom)
            except launcher.PostRejected as exc:
                if exc.status != 409:
                    raise
                say(f"{item.path.name}: {exc} (a newer version is stored)")
                continue
            kind = "new version" if posted.status_code == 202 else "replay: already stored"
            say(f"Posted {item.path.name}: {posted.article_id} v{posted.version} ({kind})")
            done = launcher.wait_final(
                client, base, posted, keys.operator, PUBLISH_SECONDS, stack=stack, on_final=report
            )
            slowest = max(o.seconds for o in done.values())
            say(f"  every language final {slowest:.2f} s after the POST")
            ids.append(posted.article_id)
    return ids


def _say_urls(base: str, languages: Sequence[str], key: str) -> None:
    say("Feeds (demo partner key, entitled to every language and format):")
    for lang in languages:
        for _, ext in FORMAT_EXTENSIONS:
            say(f"  {base}/v1/feeds/{lang}.{ext}?key={key}")
    say(f"Metrics: {base}/metrics (Bearer $SYNDICATE_OPERATOR_TOKEN)    Health: {base}/healthz")


def _say_environment(redis_url: str, keys: _Secrets, partner_key: str) -> None:
    say("Shell environment for the commands in README.md and docs/operations.md (paste it):")
    for line in environment_lines(redis_url, keys, partner_key):
        say(line)


def _say_commands(base: str, ids: Sequence[str]) -> None:
    """Commands that work as printed once the exports above are pasted."""
    for article_id in ids:
        auth = f'-H "Authorization: Bearer ${OPERATOR_VAR}"'
        say(f"Status:  curl {auth} {base}/v1/articles/{article_id}")
    say("Flower:  make flower  ->  http://127.0.0.1:5555")


def _serve(
    args: argparse.Namespace, s: Settings, inputs: list[_Input], stack: Stack, tmp: Path
) -> int:
    from syndicate.cli import launcher

    redis = launcher.find_or_start_redis(stack, s.redis_url, tmp)
    if redis.started:
        say(f"Redis: nothing answered at {s.redis_url}; started a private redis-server at")
        say(f"  {redis.url} (append-only file in a temporary directory, stopped on exit)")
    else:
        say(f"Redis: reusing {redis.url} (left running on exit)")
    durability = {} if redis.started else _durability_env(redis.url)
    say(f"Models in {s.models_dir}:")
    pairs = needed_pairs(inputs, s)
    run_models.say_models(run_models.ensure_models(s.models_dir, pairs, args.offline, args.models))
    keys, languages = _secrets(s), _languages(inputs, s)
    partner_key = demo.demo_partner(redis.url, [name for name, _ in FORMAT_EXTENSIONS])
    editor_token = demo.demo_editor(redis.url)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    base = f"http://{host}:{args.port}"
    extra = _extra_env(base) | durability | demo.review_env(s.review_hold, s.review_hold_flagged)
    env = launcher.service_env(redis.url, keys.newsroom, keys.operator, extra)
    launcher.start_worker(stack, env, args.log_dir / "worker.log")
    launcher.start_push_worker(stack, env, args.log_dir / "push-worker.log")
    launcher.start_api(stack, env, args.host, args.port, args.log_dir / "api.log")
    say(f"Starting a worker, a push worker and the API on {base} (logs in {args.log_dir}) ...")
    launcher.wait_healthy(base, stack, HEALTH_SECONDS)
    ids = _post_all(base, inputs, keys, stack)
    _say_urls(base, languages, partner_key)
    held = extra.get(demo.HOLD_VAR) or ",".join(s.review_hold) or "nothing"
    say(f"Review desk: {base}/desk/  (held for review: {held}; log in with the token)")
    say(f"  editor {demo.DEMO_EDITOR}: {editor_token}")
    _say_environment(redis.url, keys, partner_key)
    _say_commands(base, ids)
    if args.once:
        return 0
    say(f"Serving on {base} until Ctrl-C ...")
    stack.wait_any()
    return 1


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``syndicate run``."""
    p = commands.add_parser(
        "run", help="start Redis (if needed), a worker and the API; post the sample; serve"
    )
    p.add_argument("--host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    p.add_argument(
        "--article",
        type=Path,
        action="append",
        help="article JSON file to post (repeatable; default: the shared sample)",
    )
    p.add_argument(
        "--log-dir",
        type=Path,
        default=RUN_DIR,
        help=f"where worker.log and api.log go (default {RUN_DIR.relative_to(PROJECT_ROOT)})",
    )
    p.add_argument(
        "--offline", action="store_true", help="do not try the Argos index; demo models only"
    )
    p.add_argument(
        "--once", action="store_true", help="stop after the articles are published (no serving)"
    )
    p.add_argument(
        "--models",
        choices=run_models.KINDS,
        default="bilingual",
        help="demo models where no real package serves a pair: bilingual gloss models "
        "(default), or one multilingual model for en -> ar, tr, ckb, kmr (NLLB-shaped; "
        "madlad: MADLAD-shaped)",
    )
    p.set_defaults(handler=_cmd_run)
