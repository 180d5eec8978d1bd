"""Publishing approved clips and finding them again, by element, school and words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.api.links import Viewed
from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord, clip_partition
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.config import Settings
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord
from chalicelib.library import rules
from chalicelib.library.models import (
    ALL_ELEMENTS,
    LibraryEntry,
    MatchAttr,
    library_partition,
)
from chalicelib.library.schemas import LibraryItemView, LibraryQuery, MatchView
from chalicelib.storage import objects
from chalicelib.videos.models import RenditionAttr, VideoRecord
from chalicelib.videos.schemas import RenditionView

_MAX_MATCHES = 100
_MAX_SEARCH_CHARS = 100_000


def _matches(clip: ClipRecord, elements: list[str]) -> list[MatchAttr]:
    comments = CommentRecord.query(
        clip_partition(clip.clip_id), CommentRecord.sk.startswith(COMMENT_PREFIX)
    )
    return matches_from(comments, elements, float(clip.duration_s or clip.requested_duration_s))


def matches_from(
    comments: Iterable[CommentRecord], elements: list[str], duration_s: float
) -> list[MatchAttr]:
    """Where in the clip each element is shown: its tagged top-level comments, else the
    whole clip."""
    found: list[MatchAttr] = []
    for comment in comments:
        for tag in comment.tags or []:
            if tag in elements and comment.parent_id is None:
                found.append(
                    MatchAttr(
                        element=tag,
                        start_s=float(comment.at_s),
                        end_s=float(comment.end_s if comment.end_s is not None else comment.at_s),
                        body=comment.body,
                        comment_id=comment.comment_id,
                    )
                )
    for element in elements:
        if not any(m.element == element for m in found):
            found.append(MatchAttr(element=element, start_s=0.0, end_s=duration_s))
    return found[:_MAX_MATCHES]


@dataclass(frozen=True)
class Approval:
    """What the review that approved a clip says about it."""

    review_id: str
    note: str | None
    elements: list[str]
    approved_by: str
    approved_at: datetime


def entries_for(
    clip: ClipRecord, approval: Approval, redaction: RedactionRecord | None = None
) -> list[LibraryEntry]:
    """The library entries an approval writes (one per element, plus the ALL listing).

    With a signed-off ``redaction`` (students without media consent appear), the entries
    name only its renditions and poster: the library never serves the original clip."""
    elements = approval.elements
    renditions = list(redaction.renditions) if redaction is not None else list(clip.renditions)
    poster_key = redaction.poster_key if redaction is not None else clip.poster_key
    storyboard_vtt_key = None if redaction is not None else clip.storyboard_vtt_key
    matches = _matches(clip, elements)
    text = " ".join(
        part
        for part in (clip.title, approval.note, clip.description, *(m.body for m in matches))
        if part
    ).lower()[:_MAX_SEARCH_CHARS]
    sort_key = LibraryEntry.sort_key(approval.approved_at.isoformat(), clip.clip_id)
    return [
        LibraryEntry(
            library_partition(clip.district, partition_element),
            sort_key,
            clip_id=clip.clip_id,
            review_id=approval.review_id,
            video_id=clip.video_id,
            owner_id=clip.owner_id,
            district=clip.district,
            school=clip.school,
            title=clip.title,
            note=approval.note,
            description=clip.description,
            elements=elements,
            duration_s=float(clip.duration_s or clip.requested_duration_s),
            poster_key=poster_key,
            storyboard_vtt_key=storyboard_vtt_key,
            renditions=[
                RenditionAttr(
                    label=r.label,
                    width=r.width,
                    height=r.height,
                    key=r.key,
                    size_bytes=r.size_bytes,
                )
                for r in renditions
            ],
            redacted=redaction is not None,
            matches=matches,
            search_text=text,
            published_at=approval.approved_at,
            published_by=approval.approved_by,
        )
        for partition_element in (ALL_ELEMENTS, *elements)
    ]


def _listing(clip: ClipRecord) -> LibraryEntry | None:
    """A published clip's entry in the ALL listing, or None."""
    if clip.published_at is None:
        return None
    sort_key = LibraryEntry.sort_key(clip.published_at.isoformat(), clip.clip_id)
    try:
        return LibraryEntry.get(library_partition(clip.district), sort_key, consistent_read=True)
    except LibraryEntry.DoesNotExist:
        return None


def listed_redacted(clip: ClipRecord) -> bool:
    """Whether the library shows this clip only as its signed-off redaction."""
    listed = _listing(clip)
    return listed is not None and bool(listed.redacted)


def entries_of(clip: ClipRecord) -> list[LibraryEntry]:
    """The entries a published clip has (to unpublish or delete it)."""
    listed = _listing(clip)
    if listed is None:
        return []
    sort_key = listed.sk
    return [
        LibraryEntry(library_partition(clip.district, element), sort_key)
        for element in (ALL_ELEMENTS, *(listed.elements or []))
    ]


@dataclass(frozen=True)
class LibraryPage:
    items: list[LibraryItemView]
    next_cursor: str | None


def search_words(q: str | None) -> list[str]:
    """What a search matches: up to ten lower-case words."""
    return [word for word in (q or "").lower().split() if word][:10]


def shown_matches(
    matches: Iterable[MatchAttr], element: str | None, words: list[str]
) -> list[MatchAttr]:
    """The moments a result lists: those of the element asked for; with words but no
    element, the moments whose comment mentions them first."""
    shown = [m for m in matches if element is None or m.element == element]
    if words and not element:
        shown.sort(key=lambda m: not any(w in (m.body or "").lower() for w in words))
    return shown


def search(principal: Principal, query: LibraryQuery, settings: Settings) -> LibraryPage:
    """Newest first; a Query on the element's (or the ALL) partition, never a Scan."""
    partition = library_partition(principal.district, query.element or ALL_ELEMENTS)
    condition: Any = None
    for word in search_words(query.q):
        clause = LibraryEntry.search_text.contains(word)
        condition = clause if condition is None else condition & clause
    if query.school:
        same_school = LibraryEntry.school == query.school
        condition = same_school if condition is None else condition & same_school
    results = LibraryEntry.query(
        partition,
        scan_index_forward=False,
        filter_condition=condition,
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, must_match={"pk": partition}),
    )
    entries = list(results)
    last = results.last_evaluated_key if len(entries) == query.limit else None
    allowed = _still_allowed(entries)
    return LibraryPage(
        items=[_view(entry, query, settings) for entry in entries if entry.clip_id in allowed],
        next_cursor=encode_cursor(last),
    )


def _still_allowed(entries: list[LibraryEntry]) -> set[str]:
    """The clips whose recording still allows them in the library, as its entry shows
    them. Consent withdrawn or students flagged take the clips out through the relay
    right after the change (chalicelib/orchestration/consent.py); until it has, an entry
    showing what the recording no longer allows is not listed."""
    keys = list({VideoRecord.key(entry.video_id) for entry in entries})
    videos = {v.video_id: v for v in VideoRecord.batch_get(keys)} if keys else {}
    return {
        entry.clip_id
        for entry in entries
        if rules.recording_allows(videos.get(entry.video_id), faces_blurred=bool(entry.redacted))
    }


def _view(entry: LibraryEntry, query: LibraryQuery, settings: Settings) -> LibraryItemView:
    bucket = settings.media_bucket
    matches = shown_matches(entry.matches or [], query.element, search_words(query.q))
    return LibraryItemView(
        viewed=Viewed(entry.district, entry.video_id, entry.owner_id, clip_id=entry.clip_id),
        clip_id=entry.clip_id,
        video_id=entry.video_id,
        title=entry.title,
        school=entry.school,
        elements=list(entry.elements or []),
        note=entry.note,
        description=entry.description,
        duration_s=float(entry.duration_s),
        poster_url=objects.presigned_get(bucket, entry.poster_key, settings)
        if entry.poster_key
        else None,
        storyboard_vtt_url=objects.presigned_get(bucket, entry.storyboard_vtt_key, settings)
        if entry.storyboard_vtt_key
        else None,
        renditions=[
            RenditionView(
                label=r.label,
                width=int(r.width),
                height=int(r.height),
                url=objects.presigned_get(bucket, r.key, settings),
            )
            for r in entry.renditions
        ],
        matches=[
            MatchView(
                element=m.element,
                start_s=float(m.start_s),
                end_s=float(m.end_s),
                body=m.body,
                comment_id=m.comment_id,
            )
            for m in matches
        ],
        redacted=bool(entry.redacted),
        published_at=entry.published_at,
    )
