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
