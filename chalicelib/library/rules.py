"""Library rules as pure functions."""

from __future__ import annotations

from chalicelib.videos.models import VideoRecord


def recording_allows(video: VideoRecord | None, *, faces_blurred: bool) -> bool:
    """Whether a clip of ``video`` may be in the library: the teacher consented, and no
    student without media consent appears unblurred (``faces_blurred``: it is shown
    through a signed-off redaction). The same rule as chalicelib/review/access.py
    ``consent_problem``, which says it in words."""
    if video is None or not video.consent_to_library:
        return False
    return faces_blurred or not video.contains_students_without_consent
