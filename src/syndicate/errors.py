"""The exception tree: every error syndicate raises on purpose.

    SyndicateError
     +-- ArticleInvalid          input broke a rule of brief section 2 (carries FieldErrors)
     +-- PayloadTooLarge         a request body over the 2 MB limit, refused while reading
     +-- BodyTimeout             a request body not received within the body timeout (408)
     +-- StaleVersion            a version older than the stored one
     +-- NoSuchArticle           an id the store does not know
 +-- UnknownLanguage         a language to retry that nothing knows (syndicate retry --lang)
     +-- NoModel                 no installed package (or pivot chain) serves a pair
     +-- ModelPackageInvalid     a .argosmodel file or index entry that cannot be used
     +-- IndexUnavailable        the Argos package index cannot be fetched
     +-- TranslationRejected     the model output failed the output checks
     +-- StoreUnavailable        Redis cannot be reached (transient: retried, 503)
     +-- GlossaryInvalid         a glossary file of the wrong shape (carries FieldErrors)
     +-- SettingsInvalid         a setting of the wrong type
     +-- NaiveDatetime           a datetime without an offset reached a renderer
     +-- Embargoed               an item asked for before its embargo
     +-- EmptyFeed               a newsMessage with no item (the XSD forbids it)
     +-- LaunchError             make run: a process would not start, died or did not answer
     +-- NotHeld                 no translation of the article is held for review in a language
     +-- ReviewConflict          the held translation is not the version the editor acted on
     +-- EditInvalid             an editor's segment breaks a tag or protected text (FieldErrors)

Every one lives here, so this tree is the whole list. Only the adapters map them: the
API to status codes, the Celery tasks to retries, the CLI to exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule, named by its JSON path (``credits[1].name``)."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class SyndicateError(Exception):
    """Root of every error syndicate raises on purpose."""


class ArticleInvalid(SyndicateError):
    """The article breaks one or more rules; all of them are listed, not just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class StaleVersion(SyndicateError):
    """A version older than the one already stored: newer always wins."""

    def __init__(self, article_id: str, version: int, stored: int) -> None:
        self.article_id, self.version, self.stored = article_id, version, stored
        super().__init__(f"{article_id}: version {version} is older than stored version {stored}")


class NoSuchArticle(SyndicateError):
    """The store knows no article with this id."""


class UnknownLanguage(SyndicateError):
    """Languages an operator asked to retry that are neither configured, served by an
    installed package, nor among the article's languages: a typo, never work to queue."""

    def __init__(self, article_id: str, langs: list[str]) -> None:
        self.article_id, self.langs = article_id, langs
        super().__init__(
            f"unknown language {', '.join(langs)}: not configured, served by no installed "
            f"package and not among {article_id}'s languages"
        )


class NoModel(SyndicateError):
    """No installed package, directly or through an English pivot, serves the pair."""

    def __init__(self, source: str, target: str, reason: str | None = None) -> None:
        self.source, self.target = source, target
        why = f": {reason}" if reason else ""
        super().__init__(f"no translation model installed for {source}->{target}{why}")

    @property
    def pair(self) -> str:
        return f"{self.source}-{self.target}"


class ModelPackageInvalid(SyndicateError):
    """A package file or index entry that cannot be installed or loaded."""


class TranslationRejected(SyndicateError):
    """Model output that failed the output checks badly enough to refuse publishing."""


class StoreUnavailable(SyndicateError):
    """Redis cannot be reached; transient, so tasks retry and the API answers 503."""


class NotReplicated(StoreUnavailable):
    """A write did not reach the replicas it must (``redis_min_replicas``) in time: not
    acknowledged, so the API answers 503 and a task retries; the write itself is whole."""


class StoreNotDurable(SyndicateError):
    """The store's Redis does not fsync a write before answering it (no ``appendonly yes``
    with ``appendfsync always``), and ``require_durable_store`` is on: a 202 would not
    survive a Redis crash, so the API refuses to start."""


class GlossaryInvalid(SyndicateError):
    """The glossary file breaks its format; every broken rule is listed."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class Embargoed(SyndicateError):
    """The item is under embargo at ``now``: no format may show it yet (brief section 2)."""


class EmptyFeed(SyndicateError):
    """No visible item for a newsMessage: the XSD requires at least one item in itemSet."""


class NaiveDatetime(SyndicateError):
    """A datetime without an offset reached a feed: feeds state instants, never wall times."""


class PayloadTooLarge(SyndicateError):
    """A request body over the limit: refused as soon as the limit is passed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body exceeds the limit of {limit} bytes")


class BodyTimeout(SyndicateError):
    """The request body did not arrive in time: a slow client must not hold the server."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"request body not received within {seconds:g} s")


class IndexUnavailable(SyndicateError):
    """The package index or a package download cannot be reached (offline, timeout, HTTP)."""


class LaunchError(SyndicateError):
    """A process would not start, died, or did not answer in time (exit code 1)."""


class SettingsInvalid(SyndicateError):
    """A setting (config file or ``SYNDICATE_*`` variable) of the wrong type."""


class NotHeld(SyndicateError):
    """No translation of the article waits for review in that language (issue 18)."""


class ReviewConflict(SyndicateError):
    """The held translation moved on (a newer version arrived, or was held since) or was
    decided already: the editor's action was made on something else (HTTP 409)."""

    def __init__(self, message: str, version: int | None = None) -> None:
        self.version = version
        super().__init__(message)


class EditInvalid(SyndicateError):
    """An editor's segment breaks the placeholder or protected-text rules; every broken
    rule is listed, each naming the segment and the tag."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))
