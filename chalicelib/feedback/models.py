"""Comments live in their video's partition, sorted by video time.

``VIDEO#{video}`` / ``COMMENT#{at_ms:09d}#{id}`` for a comment at ``at_ms``;
its replies follow it: ``…#{id}#R#{created_ms:013d}#{reply_id}``. So one Query
returns threads in time order, replies under their comment. Comment ids encode
their own sort key (a reply's id starts with its parent's), so an id in a URL
is enough to find the item without an index.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, TableModel, utcnow

COMMENT_PREFIX = "COMMENT#"
_TOP_ID = re.compile(r"^(?P<at>\d{9})[0-9a-f]{8}$")
_REPLY_ID = re.compile(r"^(?P<parent>(?P<at>\d{9})[0-9a-f]{8})r(?P<created>\d{13})[0-9a-f]{6}$")


class EditAttr(Document):
    body = UnicodeAttribute()
    tags = ListAttribute[str](default=list)
    edited_at = UTCDateTimeAttribute()
    edited_by = UnicodeAttribute()


@dataclass(frozen=True)
class CommentKey:
    comment_id: str
    sort_key: str
    parent_id: str | None

    @property
    def thread_prefix(self) -> str:
        """Sort-key prefix shared by a top-level comment and all its replies."""
        return self.sort_key if self.parent_id is None else self.sort_key.split("#R#")[0]


def new_top_level_key(at_s: float) -> CommentKey:
    return _generated(f"{round(at_s * 1000):09d}{secrets.token_hex(4)}")


def new_reply_key(parent_id: str, created_ms: int) -> CommentKey:
    return _generated(f"{parent_id}r{created_ms:013d}{secrets.token_hex(3)}")


def _generated(comment_id: str) -> CommentKey:
    key = parse_comment_id(comment_id)
    if key is None:
        raise ValueError(f"generated an unparseable comment id: {comment_id}")
    return key


def parse_comment_id(comment_id: str) -> CommentKey | None:
    top = _TOP_ID.match(comment_id)
    if top:
        return CommentKey(comment_id, f"{COMMENT_PREFIX}{top['at']}#{comment_id}", None)
    reply = _REPLY_ID.match(comment_id)
    if reply:
        parent = reply["parent"]
        sort_key = f"{COMMENT_PREFIX}{reply['at']}#{parent}#R#{reply['created']}#{comment_id}"
        return CommentKey(comment_id, sort_key, parent)
    return None


class CommentRecord(TableModel):
    comment_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    author_role = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    at_s = NumberAttribute()
    end_s = NumberAttribute(null=True)
    body = UnicodeAttribute()
    tags = ListAttribute[str](default=list)
    resolved = BooleanAttribute(default=False)
    resolved_by = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    history = ListAttribute(of=EditAttr, default=list)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def partition(video_id: str) -> str:
        return f"VIDEO#{video_id}"
