"""The states an article goes through, per language, and the outcome of each store write.

Beside the article model because the pipeline, the API, the CLI and the store's Lua
scripts all speak them: the values are the words stored in Redis and shown in JSON, so
they never change.
"""

from __future__ import annotations

from enum import StrEnum


class LanguageState(StrEnum):
    """Per-language progress of the latest version (brief section 3)."""

    QUEUED = "queued"
    TRANSLATING = "translating"
    PUBLISHED = "published"
    FAILED = "failed"
    NO_MODEL = "no_model"
    WITHDRAWN = "withdrawn"
    IN_REVIEW = "in_review"  # translated, held for an editor (issue 18): partners see nothing
    REJECTED = "rejected"  # an editor refused the translation: nothing published


class Outcome(StrEnum):
    """What a write did: redelivered and stale work must change nothing, and says so."""

    WRITTEN = "written"
    ALREADY_DONE = "already_done"  # a replay, a redelivery, or the same feed bytes
    STALE = "stale"  # a newer version (or render) is stored: this work is obsolete
