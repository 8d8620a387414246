"""Settings: config/syndicate.toml overlaid by SYNDICATE_* environment variables, read once.

Callers pass the values a function needs, not the Settings object (style guide 9).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from syndicate.errors import SettingsInvalid
from syndicate.translation.glossary import Glossary, parse_glossary

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "syndicate.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    source_language: str = "en"
    default_targets: tuple[str, ...] = ("ar", "tr", "ckb", "kmr")
    redis_url: str = "redis://127.0.0.1:6379/0"
    # With redis_url = "sentinel://h1:26379;sentinel://h2:26379;...": the master's name.
    redis_master: str = "mymaster"
    # Replicas a write must reach (Redis WAIT, within redis_wait_ms) before a 202 or a
    # published state is reported; 0 trusts the master's answer (docs/operations.md).
    redis_min_replicas: int = 0
    redis_wait_ms: int = 1000
    require_durable_store: bool = False
    models_dir: Path = PROJECT_ROOT / "var" / "models"
    intra_threads: int = 1
    inter_threads: int = 1
    beam_size: int = 4
    max_segment_tokens: int = 200
    # Which decoder layer and heads report attention (models/attention.py): auto, package,
    # or LAYER:HEADS for every package.
    attention_layer: str = "auto"
    # Issue 17: where models run (auto|cpu|cuda; compute type "" = int8 on CPU,
    # int8_float16 on CUDA), and whether licences forbidding commercial use are refused.
    device: str = "auto"
    compute_type: str = ""
    commercial_use: bool = False
    glossary: Path = PROJECT_ROOT / "config" / "glossary.toml"
    feed_size: int = 50
    feed_ttl: int = 5
    public_base_url: str = "http://127.0.0.1:8000"
    provider_name: str = ""
    provider_domain: str = ""
    provider_uri: str = ""
    worker_concurrency: int = 2
    task_time_limit: int = 600
    visibility_timeout: int = 3600
    task_max_retries: int = 10
    # Days an article is kept once its latest version finished and no feed shows it; 0
    # keeps every article for ever (store/retention.py, docs/operations.md "Retention").
    retention_days: int = 30
    log_format: str = "json"
    log_level: str = "INFO"
    # The API's access line for a 304 of a plain feed poll: "summary" counts them, one
    # ``requests`` line per path every 10 s; "each" writes one line per 304 (api/tally.py).
    access_log_304: str = "summary"
    newsroom_secret: str | None = None
    # POST /v1/ingest/superdesk: Superdesk's HTTP push signs with its subscriber's secret
    # token (x-superdesk-signature: sha1=...); unset, the route refuses every push (503).
    superdesk_secret: str | None = None
    # Webhook signatures (issue 9): how far t= may be from our clock, in seconds, and
    # whether the brief's replayable sha256= form is refused (it is counted and logged).
    signature_tolerance: int = 300
    require_signature_timestamp: bool = False
    # Read timeouts of the API server, in seconds: the request line and headers, then the
    # whole body (a slow-loris client is cut off with 408).
    header_timeout: int = 10
    body_timeout: int = 30
    operator_token: str | None = None
    # GET /metrics (issue 16): the Prometheus scraper's bearer token, so it need not hold
    # the operator's; /metrics takes either, and refuses everyone while neither is set.
    metrics_token: str | None = None
    # GET /v1/articles/{id} (issue 16): also accept the old status-read signature, over the
    # empty body alone, which reads any article's status; only while a CMS migrates.
    accept_unbound_status_signature: bool = False
    # The review desk (issue 18), table [review] of the file: translations into ``hold``
    # wait for an editor; into ``hold_flagged``, only those an output check flagged.
    review_hold: tuple[str, ...] = ()
    review_hold_flagged: tuple[str, ...] = ()
    # Push syndication (issue 19). Networks a push may reach although not public (CIDRs,
    # e.g. 10.0.0.0/8 for receivers on a private network; loopback, link-local and private
    # addresses are refused otherwise); one attempt's timeout (s); how long a failing
    # delivery is retried before it is dead (s); the longest wait between attempts (s);
    # deliveries in flight to one partner at once; threads of a push worker; days
    # finished deliveries are kept.
    push_allow_networks: tuple[str, ...] = ()
    push_timeout: int = 10
    push_retry_window: int = 86400
    push_backoff_max: int = 600
    push_partner_concurrency: int = 2
    push_concurrency: int = 16
    push_keep_days: int = 7


def _coerce(name: str, raw: Any, default: Any) -> Any:
    """Turn a TOML value or an environment string into the type of the field's default."""
    if isinstance(default, tuple):
        items = raw.split(",") if isinstance(raw, str) else raw
        return tuple(str(i).strip() for i in items if str(i).strip())
    if isinstance(default, Path):
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path
    if isinstance(default, bool):
        return str(raw).lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsInvalid(f"setting {name}: expected an integer, got {raw!r}") from exc
    return str(raw)


# Settings that take one of a few words: a typo refuses the start rather than meaning one.
_CHOICES: Final = {"access_log_304": ("summary", "each")}


def _check_choices(values: dict[str, Any]) -> None:
    for name, allowed in _CHOICES.items():
        if values[name] not in allowed:
            wanted = " or ".join(allowed)
            raise SettingsInvalid(f"setting {name}: expected {wanted}, got {values[name]!r}")


def flat_values(document: dict[str, Any]) -> dict[str, Any]:
    """A TOML document's settings: key ``k`` of a table ``[t]`` is setting ``t_k`` (env
    ``SYNDICATE_T_K``), so a group of settings reads as one in the file."""
    values: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            values |= {f"{key}_{inner}": item for inner, item in value.items()}
        else:
            values[key] = value
    return values


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the TOML file named by SYNDICATE_CONFIG (default config/syndicate.toml), then env."""
    env = dict(os.environ if environ is None else environ)
    path = Path(env.get("SYNDICATE_CONFIG", DEFAULT_CONFIG))
    document = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    values = flat_values(document)
    defaults = Settings()
    resolved: dict[str, Any] = {}
    for f in fields(Settings):
        default = getattr(defaults, f.name)
        raw = env.get(f"SYNDICATE_{f.name.upper()}", values.get(f.name))
        resolved[f.name] = default if raw is None else _coerce(f.name, raw, default)
    if not resolved["provider_domain"]:  # guids need a domain: the API's host by default
        resolved["provider_domain"] = urlsplit(resolved["public_base_url"]).hostname or ""
    _check_choices(resolved)
    return Settings(**resolved)


# Domains no newsroom publishes under: guids minted with them collide across installations.
_PLACEHOLDER_SUFFIXES = (".localhost", ".local", ".test", ".invalid", ".example", ".internal")


def guid_domain_problem(s: Settings) -> str | None:
    """Why the guid domain is a placeholder, or None. Guids are permanent: partners key
    their archives on them, so ``urn:newsml:127.0.0.1:...`` minted by a test setup cannot be
    taken back once a partner has ingested it (issue 10). Services warn at start."""
    domain = s.provider_domain.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(domain.strip("[]"))
    except ValueError:
        placeholder = (
            not domain
            or "." not in domain
            or domain.endswith(_PLACEHOLDER_SUFFIXES)
            or domain.split(".")[-2:-1] == ["example"]
        )
    else:
        placeholder = True
    if not placeholder:
        return None
    return (
        f"guid domain {domain or '(empty)'!r} is a placeholder: set provider_domain "
        "(SYNDICATE_PROVIDER_DOMAIN) to the newsroom's own domain before partners ingest, "
        "guids cannot change later"
    )


def visibility_problem(s: Settings) -> str | None:
    """Why the broker would hand a running task to a second worker, or None. Kombu's Redis
    transport redelivers a message left unacknowledged for ``visibility_timeout``; a task
    may run up to ``task_time_limit``, so the timeout must exceed it or a long task runs
    twice at once (kombu #337). A worker and the API refuse to start on it."""
    if s.visibility_timeout > s.task_time_limit:
        return None
    return (
        f"visibility_timeout ({s.visibility_timeout} s) must exceed task_time_limit "
        f"({s.task_time_limit} s), or a task running longer than the broker's visibility "
        "timeout is handed to a second worker and runs twice (SYNDICATE_VISIBILITY_TIMEOUT, "
        "SYNDICATE_TASK_TIME_LIMIT)"
    )


@cache
def settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()


def read_glossary(path: Path) -> Glossary:
    """The glossary file named by the settings; a missing file is an empty glossary."""
    if not path.exists():
        return parse_glossary({})
    return parse_glossary(tomllib.loads(path.read_text("utf-8")))
