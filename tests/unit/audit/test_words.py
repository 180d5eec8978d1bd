"""The web client says every audit action in words: an action it has no words for would
show as "did something" in a teacher's activity panel."""

from __future__ import annotations

import re

from chalicelib.audit.models import AuditAction
from chalicelib.config import PROJECT_ROOT


def test_every_audit_action_has_words_in_the_activity_panel() -> None:
    source = (PROJECT_ROOT / "web" / "src" / "privacy.js").read_text()
    block = source[
        source.index("const ACTIONS = {") : source.index("};", source.index("const ACTIONS"))
    ]
    worded = set(re.findall(r'^\s*"([a-z_.]+)":\s*"[^"]+",$', block, flags=re.MULTILINE))
    assert {action.value for action in AuditAction} - worded == set()
