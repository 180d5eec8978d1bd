"""Library consent as pure functions: the state of a recording, its words, the hand-off's id."""

from __future__ import annotations

import hashlib

from chalicelib.consent.models import ConsentRequestStatus
from chalicelib.consent.schemas import ConsentState
from chalicelib.videos.models import VideoRecord


def consent_state(video: VideoRecord | None, *, faces_blurred: bool = False) -> ConsentState:
    """``faces_blurred``: the clip has a ready redaction, so students without media consent
    no longer keep it from the library; the teacher's consent still decides."""
    if video is None:
        return "recording_deleted"
    if video.contains_students_without_consent and not faces_blurred:
        return "students_without_consent"
    return "given" if video.consent_to_library else "not_given"


def consent_message(state: ConsentState, teacher: str | None) -> str:
    """What a coach reads before nominating (no field names: people's words)."""
    who = teacher or "The teacher"
    return {
        "given": f"{who} has agreed to share this recording in the district library.",
        "not_given": f"{who} has not agreed yet to share this recording in the district "
        "library. Ask them: your nomination goes to review as soon as they agree.",
        "students_without_consent": "Students whose families have not agreed to media use "
        "appear in this recording, so no clip of it can go to the library until their "
        "faces are blurred (Redact faces on the clip).",
        "recording_deleted": "The recording this clip comes from has been deleted.",
    }[state]


def can_ask(state: ConsentState, latest: ConsentRequestStatus | None) -> bool:
    """Asking helps only when the teacher's agreement is what is missing, once at a time."""
    return state == "not_given" and latest not in (
        ConsentRequestStatus.OPEN,
        ConsentRequestStatus.AGREED,
    )


def review_id_for(request_id: str) -> str:
    """The nomination a request becomes: the same id however often the hand-off runs."""
    return "rev_" + hashlib.sha256(f"consent/{request_id}".encode()).hexdigest()[:20]
