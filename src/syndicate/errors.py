"""The exception tree: every error syndicate raises on purpose.

    SyndicateError
     +-- ArticleInvalid          input broke a rule of brief section 2 (carries FieldErrors)
     +-- StaleVersion            a version older than the stored one
     +-- NoSuchArticle           an id the store does not know
     +-- NoModel                 no installed package (or pivot chain) serves a pair
     +-- ModelPackageInvalid     a .argosmodel file or index entry that cannot be used
     +-- TranslationRejected     the model output failed the output checks
     +-- StoreUnavailable        Redis cannot be reached
     +-- GlossaryInvalid         glossary.py: a glossary file of the wrong shape
     +-- IndexUnavailable        packages.py: the Argos package index cannot be fetched
     +-- NaiveDatetime           feeds/xml.py: a datetime without an offset reached a renderer
     +-- Embargoed               feeds/record.py: an item asked for before its embargo
     +-- EmptyFeed               feeds/newsml.py: a newsMessage with no item (the XSD forbids it)

The last five live beside the code that raises them. Only the adapters map these: api.py
to status codes, tasks.py to retries, cli.py to exit codes.
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


class NoModel(SyndicateError):
    """No installed package, directly or through an English pivot, serves the pair."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        super().__init__(f"no translation model installed for {source}->{target}")

    @property
    def pair(self) -> str:
        return f"{self.source}-{self.target}"


class ModelPackageInvalid(SyndicateError):
    """A package file or index entry that cannot be installed or loaded."""


class TranslationRejected(SyndicateError):
    """Model output that failed the output checks badly enough to refuse publishing."""


class StoreUnavailable(SyndicateError):
    """Redis cannot be reached; transient, so tasks retry and the API answers 503."""
