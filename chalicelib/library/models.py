"""Library entries: ``LIBRARY#{district}#{element}`` / ``{published_at}#{clip_id}``.

One entry per framework element the clip was approved for, plus one in
``LIBRARY#{district}#ALL``, so browsing by element or overall is one Query,
newest first. Each entry carries what a result needs (title, poster, renditions,
and the tagged moments), so a search never reads the clip records.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.base import Document, TableModel
from chalicelib.videos.models import RenditionAttr

ALL_ELEMENTS = "ALL"


def library_partition(district: str, element: str = ALL_ELEMENTS) -> str:
    return f"LIBRARY#{district}#{element}"


class MatchAttr(Document):
    element = UnicodeAttribute()
    start_s = NumberAttribute()
    end_s = NumberAttribute()
    body = UnicodeAttribute(null=True)
    comment_id = UnicodeAttribute(null=True)


class LibraryEntry(TableModel):
    clip_id = UnicodeAttribute()
    review_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    owner_id = UnicodeAttribute(null=True)
    district = UnicodeAttribute()
    school = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    elements = ListAttribute[str](default=list)
    duration_s = NumberAttribute()
    poster_key = UnicodeAttribute(null=True)
    storyboard_vtt_key = UnicodeAttribute(null=True)
    renditions = ListAttribute(of=RenditionAttr, default=list)
    # The media above is the clip's signed-off redaction (students' faces blurred).
    redacted = BooleanAttribute(default=False)
    matches = ListAttribute(of=MatchAttr, default=list)
    # Lower-cased title, note, description and tagged comment bodies: what q matches.
    search_text = UnicodeAttribute()
    published_at = UTCDateTimeAttribute()
    published_by = UnicodeAttribute()

    @staticmethod
    def sort_key(published_at_iso: str, clip_id: str) -> str:
        return f"{published_at_iso}#{clip_id}"
