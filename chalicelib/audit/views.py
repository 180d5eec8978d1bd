"""Views of someone else's media, recorded for every response that shows it.

Installed into the route table by app.py (chalicelib/api/links.py says which responses
show media): a route cannot forget it.
"""

from __future__ import annotations

from chalicelib.api.links import Viewed
from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal


def record_views(principal: Principal, views: list[Viewed]) -> None:
    """One entry per video or clip shown; the owner's own views are not entries (the trail
    answers "who else saw it")."""
    events = {
        audit.Event(
            AuditAction.CLIP_VIEWED if v.clip_id else AuditAction.VIDEO_VIEWED,
            v.district,
            v.video_id,
            clip_id=v.clip_id,
        )
        for v in views
        if v.owner_id != principal.user_id
    }
    if events:
        audit.record_many(
            principal, sorted(events, key=lambda e: (e.video_id or "", e.clip_id or ""))
        )
