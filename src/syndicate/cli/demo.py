"""What `syndicate run` (make run) hands out for a demo on one machine: a partner key
entitled to every feed, and, since Sorani is held for review by default there, an editor
token for the review desk (issue 18). Each replaces the one an earlier run made."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

DEMO_PARTNER: Final = "make-run-demo"
DEMO_EDITOR: Final = "make-run-editor"
# Held for review unless the operator configured the review desk (SYNDICATE_REVIEW_HOLD or
# the [review] table): Kurdish is where even the best open model is weak.
DEFAULT_HOLD: Final = "ckb"
HOLD_VAR: Final = "SYNDICATE_REVIEW_HOLD"


def demo_partner(redis_url: str, formats: Sequence[str]) -> str:
    """A partner entitled to every language (``*``) and ``formats``; its key."""
    from syndicate.api.credentials import key_digest, new_partner_key
    from syndicate.store import partners
    from syndicate.store.client import connect

    key = new_partner_key()
    client = connect(redis_url)
    try:
        partners.revoke_partner(client, DEMO_PARTNER)
        partner = partners.Partner(
            DEMO_PARTNER, key_digest(key), ("*",), tuple(formats), datetime.now(UTC)
        )
        partners.add_partner(client, partner)
    finally:
        client.close()
    return key


def demo_editor(redis_url: str) -> str:
    """An editor for every language; their token."""
    from syndicate.desk.access import new_editor_token, token_digest
    from syndicate.store import editors
    from syndicate.store.client import connect

    token = new_editor_token()
    client = connect(redis_url)
    try:
        editors.revoke_editor(client, DEMO_EDITOR)
        editor = editors.Editor(DEMO_EDITOR, token_digest(token), ("*",), datetime.now(UTC))
        editors.add_editor(client, editor)
    finally:
        client.close()
    return token


def review_env(hold: Sequence[str], hold_flagged: Sequence[str]) -> dict[str, str]:
    """Hold ``DEFAULT_HOLD`` for review unless the review desk is configured already."""
    if hold or hold_flagged or HOLD_VAR in os.environ:
        return {}
    return {HOLD_VAR: DEFAULT_HOLD}
