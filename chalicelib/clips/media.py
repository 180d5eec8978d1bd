"""What of a clip a caller is shown: the clip as cut, its redacted version, or no picture.

Every response that carries a clip's media (clip views, review items, playback access)
builds it from ``shown_media``, so whoever may not watch the recording of a clip showing
students without media consent (a reviewer, a library reader) only ever receives the
redacted renditions and poster, and nothing until a redaction is ready
(rule: chalicelib/clips/rules.py ``shows_original``). The library's entries carry their
own media, chosen the same way at approval (chalicelib/review/service.py).
tests/integration/access/test_redacted_media_only.py walks the route table to prove it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord
from chalicelib.clips.redacted import RedactionRecord, redacted_prefix
from chalicelib.clips.rules import shows_original
from chalicelib.storage.keys import clip_media_prefix
from chalicelib.videos.access import can_view
from chalicelib.videos.models import RenditionAttr, VideoRecord


@dataclass(frozen=True)
class ClipMedia:
    renditions: tuple[RenditionAttr, ...]
    hls_master_key: str | None
    poster_key: str | None
    storyboard_key: str | None
    storyboard_vtt_key: str | None
    # The media prefix playback access opens (None: there is nothing to show yet).
    scope: str | None
    # Students' faces are blurred in what is shown (the clip's redacted version).
    redacted: bool


def original_media(clip: ClipRecord) -> ClipMedia:
    return ClipMedia(
        renditions=tuple(clip.renditions),
        hls_master_key=clip.hls_master_key,
        poster_key=clip.poster_key,
        storyboard_key=clip.storyboard_key,
        storyboard_vtt_key=clip.storyboard_vtt_key,
        scope=clip_media_prefix(clip.clip_id),
        redacted=False,
    )


def redacted_media(clip: ClipRecord, redaction: RedactionRecord | None) -> ClipMedia:
    """The redaction's last finished run (no storyboard: it is made from the original)."""
    if redaction is None or redaction.ready_run_id is None:
        return ClipMedia((), None, None, None, None, None, redacted=True)
    return ClipMedia(
        renditions=tuple(redaction.renditions),
        hls_master_key=redaction.hls_master_key,
        poster_key=redaction.poster_key,
        storyboard_key=None,
        storyboard_vtt_key=None,
        scope=redacted_prefix(clip_media_prefix(clip.clip_id)) + redaction.ready_run_id + "/",
        redacted=True,
    )


def shown_media(
    principal: Principal,
    clip: ClipRecord,
    video: VideoRecord | None,
    redactions: Mapping[str, RedactionRecord] | None = None,
) -> ClipMedia:
    """What ``principal`` is shown of ``clip``. ``redactions``: the page's redaction
    records by clip id, read together (a clip missing from it has none); without it,
    the clip's own is read when needed."""
    may_watch = video is not None and can_view(principal, video)
    redaction = None
    if not may_watch:
        redaction = (
            RedactionRecord.load(clip.clip_id)
            if redactions is None
            else redactions.get(clip.clip_id)
        )
    if shows_original(
        may_watch_recording=may_watch,
        # A clip whose recording is gone: only ever its redacted version.
        students_flagged=video is None or bool(video.contains_students_without_consent),
        redacted=redaction is not None,
    ):
        return original_media(clip)
    return redacted_media(clip, redaction)


def redactions_of(clip_ids: list[str]) -> dict[str, RedactionRecord]:
    """The redaction records of these clips, in BatchGetItems (for a page of views)."""
    keys = list({RedactionRecord.key(clip_id) for clip_id in clip_ids})
    if not keys:
        return {}
    return {record.clip_id: record for record in RedactionRecord.batch_get(keys)}
