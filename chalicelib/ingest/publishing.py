"""What viewers see of a lesson while it encodes: growing playlists, then ``playable``.

Segments finish in any order; a rendition's playlist lists the contiguous run
from the first segment (``pipeline.published``). Whoever finishes a segment
tries to move that run forward: it reads which segments are done, advances
``published`` with a conditional write, and writes the playlists for it; if
another writer got further meanwhile, it writes again, so the playlists end
at the furthest run whatever the order of the writes.

The video turns ``playable`` once the first segment of every rendition and of
the sound is listed, or once a web-ready source's copy is stored (whichever is
first; it plays as one file until the stream starts), and says so once
(``video.playable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.events import outbox
from chalicelib.ingest import announcements
from chalicelib.ingest.layout import (
    AUDIO_DIR,
    PLAYLIST,
    PLAYLIST_TYPE,
    LessonLayout,
    init_name,
    rendition_dir,
    segment_name,
)
from chalicelib.ingest.models import SegmentRecord, segment_sort_key
from chalicelib.ingest.tasks import plan_holds
from chalicelib.media import hls
from chalicelib.media.filters import RATE
from chalicelib.media.ladder import Rendition
from chalicelib.storage import objects
from chalicelib.videos.models import MASTER_PLAYLIST as MASTER
from chalicelib.videos.models import RenditionAttr, VideoRecord

# Peak bits per second of a rendition's picture (x264's maxrate) plus the sound.
AUDIO_BANDWIDTH = 128_000


def _done_from(video_id: str, job_id: str, start: int, total: int) -> list[SegmentRecord]:
    """Finished segments from ``start`` on, as long as they follow each other."""
    if start >= total:
        return []
    run: list[SegmentRecord] = []
    for record in SegmentRecord.query(
        f"VIDEO#{video_id}",
        SegmentRecord.sk.between(
            segment_sort_key(job_id, start), segment_sort_key(job_id, total - 1)
        ),
        consistent_read=True,
    ):
        if int(record.index) != start + len(run):
            break
        run.append(record)
    return run


def listed_segments(video_id: str, job_id: str, count: int) -> list[SegmentRecord]:
    """The first ``count`` segments, which must all be done."""
    return _done_from(video_id, job_id, 0, count)[:count]


def write_rendition_playlists(
    layout: LessonLayout, records: Sequence[SegmentRecord], settings: Settings, *, complete: bool
) -> None:
    for rendition in layout.renditions:
        entries = [
            hls.PlaylistEntry(
                segment_name(int(r.index)), float(r.duration_s), init_name(r.inits[rendition.label])
            )
            for r in records
        ]
        objects.put_text(
            settings.media_bucket,
            layout.key(rendition_dir(rendition.label) + PLAYLIST),
            hls.media_playlist(entries, complete=complete),
            PLAYLIST_TYPE,
            settings,
        )


def write_master(
    layout: LessonLayout,
    codecs: dict[str, str],
    fps: float,
    audio_channels: int | None,
    settings: Settings,
) -> None:
    audio_codec = ",mp4a.40.2" if audio_channels else ""
    variants = [
        hls.Variant(
            uri=rendition_dir(r.label) + PLAYLIST,
            width=r.width,
            height=r.height,
            bandwidth=bandwidth(r) + (AUDIO_BANDWIDTH if audio_channels else 0),
            codecs=codecs[r.label] + audio_codec,
            frame_rate=fps,
        )
        for r in layout.renditions
    ]
    audio = hls.AudioTrack(f"{AUDIO_DIR}/{PLAYLIST}", audio_channels) if audio_channels else None
    objects.put_text(
        settings.media_bucket,
        layout.key(MASTER),
        hls.master_playlist(variants, audio),
        PLAYLIST_TYPE,
        settings,
    )


def bandwidth(rendition: Rendition) -> int:
    maxrate = str(RATE[rendition.rung]["maxrate"])
    return int(maxrate.removesuffix("k")) * 1000


def advance(video_id: str, job_id: str, layout: LessonLayout, settings: Settings) -> int:
    """Move the published run as far as finished segments allow; returns how far it is."""
    for _ in range(10):
        video = VideoRecord.load(video_id)
        if video is None or video.pipeline is None or video.pipeline.job_id != job_id:
            return 0
        pipeline = video.pipeline
        published = int(pipeline.published)
        run = _done_from(video_id, job_id, published, int(pipeline.segments_total))
        if not run:
            return published
        reach = published + len(run)
        try:
            VideoRecord.update_item(
                *VideoRecord.key(video_id),
                actions=[cast("Any", VideoRecord.pipeline).published.set(reach)],
                condition=plan_holds(job_id)
                & (cast("Any", VideoRecord.pipeline).published < reach),
            )
        except UpdateError as exc:
            if is_conditional_check_failure(exc):
                continue  # someone else moved it (or the plan ended): look again
            raise
        write_rendition_playlists(
            layout, listed_segments(video_id, job_id, reach), settings, complete=False
        )
        current = VideoRecord.load(video_id)
        if current is None or current.pipeline is None or int(current.pipeline.published) <= reach:
            return reach
        # Another writer moved further while we wrote: our write may have landed
        # after theirs, so write again from the top.
    return reach


def mark_playable(video: VideoRecord, job_id: str) -> bool:
    """Flip ``playable`` (announcing it) once the start of every rendition and of the sound
    is listed. Returns True for the one caller that flipped it.
    """
    pipeline = cast("Any", VideoRecord.pipeline)
    sound_ready = (pipeline.has_audio == False) | (pipeline.audio_segments >= 1)  # noqa: E712
    return _flip_playable(video, job_id, [], (pipeline.published >= 1) & sound_ready)


def mark_playable_from_copy(video: VideoRecord, job_id: str, copy: RenditionAttr) -> bool:
    """Flip ``playable`` as soon as a web-ready source's copy is stored: it plays as one
    file (the whole lesson, seekable) until the growing stream lists the lesson's start,
    which for a lesson of minutes is later: its first segment must be encoded first."""
    return _flip_playable(video, job_id, [VideoRecord.renditions.set([copy])], None)


def _flip_playable(
    video: VideoRecord, job_id: str, actions: list[Any], condition: Condition | None
) -> bool:
    """The one flip to ``playable`` with its ``video.playable`` event; False if it was
    already playable (or the plan was replaced)."""
    once = plan_holds(job_id) & (VideoRecord.playable == False)  # noqa: E712
    try:
        outbox.update(
            VideoRecord.unread(*VideoRecord.key(video.video_id)),
            [VideoRecord.playable.set(True), VideoRecord.playable_at.set(utcnow()), *actions],
            announcements.video_event(video, "playable"),
            condition=once if condition is None else once & condition,
            add_version_condition=False,
        )
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            return False
        raise
    return True


def complete_audio_playlist(layout: LessonLayout, settings: Settings) -> None:
    """The sound's playlist, complete (VOD, ENDLIST), from what its task listed."""
    key = layout.key(f"{AUDIO_DIR}/{PLAYLIST}")
    entries = hls.read_media_playlist(
        objects.read_bytes(settings.media_bucket, key, settings).decode()
    )
    objects.put_text(
        settings.media_bucket,
        key,
        hls.media_playlist(entries, complete=True),
        PLAYLIST_TYPE,
        settings,
    )
