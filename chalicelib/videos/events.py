"""A recording's consent events, written in the transaction of the change they announce.

They are internal (no webhook can subscribe to them): chalicelib/orchestration/
hears them through the relay. Consent given sends the nominations waiting for it
to review; consent withdrawn, or students without media consent flagged, takes
the recording's clips out of the queue and the library. Because each event is
stored with its change, a crash right after the commit delays that work until the
relay's next sweep but can never skip it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.events.models import DomainEvent
from chalicelib.videos.models import VideoRecord

CONSENT_GIVEN = "video.consent_given"
CONSENT_WITHDRAWN = "video.consent_withdrawn"
STUDENTS_FLAGGED = "video.students_flagged"


def consent_event(event_type: str, video: VideoRecord, actor: Principal) -> DomainEvent:
    """``event_type`` for ``video``, naming who changed it (the cascade acts as them)."""
    return DomainEvent(
        event_type,
        video.district,
        {"video_id": video.video_id, "actor": _actor_data(actor)},
    )


def consent_given_event(video: VideoRecord, actor: Principal) -> DomainEvent:
    """The teacher agreed to share the recording in the library (see CONSENT_GIVEN)."""
    return consent_event(CONSENT_GIVEN, video, actor)


def actor_of(event: DomainEvent) -> Principal:
    """Who made the change ``event`` announces, as they were when they made it."""
    data: dict[str, Any] = event.data["actor"]
    return Principal(
        user_id=str(data["user_id"]),
        roles=frozenset(Role(role) for role in data["roles"]),
        district=event.district,
        school=data.get("school"),
        name=data.get("name"),
    )


def _actor_data(actor: Principal) -> dict[str, Any]:
    return {
        "user_id": actor.user_id,
        "roles": sorted(role.value for role in actor.roles),
        "school": actor.school,
        "name": actor.name,
    }
