"""Usage counters: ``USAGE#{scope}#{kind}`` / ``{window start}``, one item per window.

A fixed window with an atomic conditional ADD: one write per check, no read first, and no
contention between callers (a token bucket would read, then write under a condition, and a
whole district's requests would race on one item). The item expires with its window.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute

from chalicelib.db.base import TableModel


def usage_partition(scope: str, kind: str) -> str:
    return f"USAGE#{scope}#{kind}"


class UsageWindow(TableModel):
    used = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)
