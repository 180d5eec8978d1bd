"""Clip rules as pure functions."""

from __future__ import annotations

TITLE_FROM_COMMENT_MAX = 80
_TRAILING = " \t,;:.-\u2013\u2014"

# A clip's copy of its review status (review sits above clips, so the values are
# its strings): in the queue or in the library, a clip is not cut again.
IN_REVIEW_OR_LIBRARY = ("pending", "approved")


def title_from_comment(body: str, limit: int = TITLE_FROM_COMMENT_MAX) -> str:
    """The first line of a comment, cut after the last whole word that fits (never mid-word)."""
    line = next((part.strip() for part in body.splitlines() if part.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[: limit + 1]
    space = cut.rfind(" ")
    words = cut[:space] if space > limit // 3 else line[:limit]
    return words.rstrip(_TRAILING) or line[:limit]


def shows_original(*, may_watch_recording: bool, students_flagged: bool, redacted: bool) -> bool:
    """Whether a caller is shown the clip as it was cut, rather than its redacted version.

    Those who may watch the recording itself (its teacher, the coaches and people it is
    shared with, admins) always may. Anyone else who sees the clip (a reviewer, a library
    reader) is shown only the redacted version when students without media consent appear
    or once a redaction of the clip was asked for (the library then publishes that version).
    """
    return may_watch_recording or not (students_flagged or redacted)
