"""The lesson's tasks that make media: a chunk's segments, the sound, a copy of the source.

Each segment is encoded for every rung in one decode, split into HLS init and
media segments placed on the lesson's clock, uploaded, then recorded and
counted in one transaction; whoever finishes one moves the growing playlists
forward and, once the start of every rung and of the sound is listed, turns
the video ``playable``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError

from chalicelib.config import Settings
from chalicelib.db.base import (
    is_transaction_conflict,
    transaction,
    utcnow,
)
from chalicelib.ingest import announcements, publishing
from chalicelib.ingest import layout as files
from chalicelib.ingest.layout import (
    AUDIO_TRACK,
    DOWNLOAD,
    plan_prefix,
)
from chalicelib.ingest.models import SegmentRecord
from chalicelib.ingest.planning import spans_for_video
from chalicelib.ingest.tasks import LessonTask, TaskContext, abandon, follows_plan, plan_holds
from chalicelib.jobs.lease import LeaseLost
from chalicelib.media import hls, segments
from chalicelib.media.errors import MediaRejected
from chalicelib.media.probe import CUT_OFF, probe
from chalicelib.media.renditions import remux
from chalicelib.storage import objects
from chalicelib.videos.models import (
    VideoRecord,
)

# A segment (but the last) with fewer frames than this share of its span: the
# upload stops short of what its header claims.
CUT_OFF_SHARE = 0.9


def encode_chunk(context: TaskContext, settings: Settings) -> None:
    task, record, layout = context.task, context.claimed.record, context.layout
    chunk = context.workdir / "chunk.mkv"
    objects.download(settings.media_bucket, str(record.chunk_key), chunk, settings, None)
    first, count = int(record.first_segment or 0), int(record.segment_count or 0)
    spans = spans_for_video(context.video)
    for span in spans[first : first + count]:
        context.heartbeat.check()
        if not segment_done(task, span.index):  # else an earlier attempt got this far
            last = span.index == len(spans) - 1
            inits = _encode_segment(context, chunk, span, last, settings)
            if not record_segment(task, span, inits):
                abandon(task, settings)
                raise LeaseLost(f"video {task.video_id} no longer follows plan {task.job_id}")
        context.heartbeat.report((span.index - first + 1) / max(1, count))
        publishing.advance(task.video_id, task.job_id, layout, settings)
        announce_if_playable(task.video_id, task.job_id)


def _encode_segment(
    context: TaskContext, chunk: Path, span: hls.SegmentSpan, last: bool, settings: Settings
) -> dict[str, str]:
    """Encode, split and upload one segment of every rendition; returns their init ids."""
    layout, record = context.layout, context.claimed.record
    outputs = [(r, context.workdir / f"{r.label}-{span.index:05d}.mp4") for r in layout.renditions]
    segments.encode_segment(
        chunk, float(record.chunk_start_s or 0.0), span, context.plan, outputs, settings
    )
    inits: dict[str, str] = {}
    codecs: dict[str, str] = {}
    expected = span.duration * (context.plan.fps or 30)
    for rendition, path in outputs:
        try:
            split = hls.split_segment(path.read_bytes(), span.start)
        except hls.SegmentFormatError as exc:
            # No picture where the header promised one: the file stops short.
            raise MediaRejected(CUT_OFF) from exc
        path.unlink()
        if hls.sample_count(split.media) < expected * CUT_OFF_SHARE and not last:
            raise MediaRejected(CUT_OFF)
        folder = files.rendition_dir(rendition.label)
        objects.put_bytes(
            settings.media_bucket,
            layout.key(folder + files.init_name(split.init_id)),
            split.init,
            files.INIT_TYPE,
            settings,
        )
        objects.put_bytes(
            settings.media_bucket,
            layout.key(folder + files.segment_name(span.index)),
            split.media,
            files.SEGMENT_TYPE,
            settings,
        )
        inits[rendition.label] = split.init_id
        codecs[rendition.label] = hls.codecs(split.init)
    if span.index == 0:
        # The master names each rendition's codec, known once one is encoded.
        channels = context.plan.audio.output_channels if context.plan.audio else None
        fps = float(context.plan.fps or 0)
        publishing.write_master(layout, codecs, fps, channels, settings)
    return inits


def segment_done(task: LessonTask, index: int) -> bool:
    try:
        SegmentRecord.get(
            *SegmentRecord.key(task.video_id, task.job_id, index), consistent_read=True
        )
    except SegmentRecord.DoesNotExist:
        return False
    return True


def record_segment(task: LessonTask, span: hls.SegmentSpan, inits: dict[str, str]) -> bool:
    """Record the segment and count it, atomically. False if the video left this plan."""
    pipeline = cast("Any", VideoRecord.pipeline)
    try:
        with transaction() as tx:
            tx.save(
                SegmentRecord(
                    *SegmentRecord.key(task.video_id, task.job_id, span.index),
                    video_id=task.video_id,
                    pipeline_job=task.job_id,
                    index=span.index,
                    start_s=float(span.start),
                    duration_s=span.duration_s,
                    inits_json=json.dumps(inits, sort_keys=True),
                ),
                condition=SegmentRecord.pk.does_not_exist(),
            )
            tx.update(
                VideoRecord.unread(*VideoRecord.key(task.video_id)),
                actions=[pipeline.segments_done.add(1), VideoRecord.updated_at.set(utcnow())],
                condition=plan_holds(task.job_id),
                add_version_condition=False,
            )
    except TransactWriteError as exc:
        if not is_transaction_conflict(exc):
            raise
        if segment_done(task, span.index):
            return True  # a duplicate of this task recorded it first: counted once
        if follows_plan(VideoRecord.load(task.video_id), task.job_id):
            raise  # a conflict with another write: SQS retries the task
        return False
    return True


def announce_if_playable(video_id: str, job_id: str) -> None:
    video = VideoRecord.load(video_id)
    if video is not None and publishing.mark_playable(video, job_id):
        announcements.report_since_landing(video, "TimeToPlayable")


def copy_source(context: TaskContext, settings: Settings) -> None:
    """A web-ready source, copied as it is (no quality lost): the lesson's download MP4."""
    task, video = context.task, context.video
    if video.source is None or video.upload is None:
        raise MediaRejected("The original recording is no longer available.")
    source = context.workdir / "source"
    objects.download(
        settings.uploads_bucket, video.upload.key, source, settings, video.source.version_id
    )
    context.heartbeat.check()
    download = context.workdir / DOWNLOAD
    info = probe(source, settings)
    remux(source, download, info, settings, context.plan)
    context.heartbeat.check()
    objects.upload(
        download,
        settings.media_bucket,
        plan_prefix(task.video_id, task.job_id) + DOWNLOAD,
        "video/mp4",
        settings,
    )
    VideoRecord.update_item(
        *VideoRecord.key(task.video_id),
        actions=[cast("Any", VideoRecord.pipeline).copy_done.set(True)],
        condition=plan_holds(task.job_id),
    )


def package_sound(context: TaskContext, settings: Settings) -> None:
    """The lesson's sound as one HLS track, uploaded as ffmpeg writes it."""
    task, layout, audio = context.task, context.layout, context.plan.audio
    if audio is None:
        return
    track = context.workdir / AUDIO_TRACK
    objects.download(settings.media_bucket, context.scratch + AUDIO_TRACK, track, settings, None)
    out = context.workdir / "audio"
    out.mkdir()
    uploader = _TrackUploader(out, layout.key(files.AUDIO_DIR + "/"), task, settings)
    duration = float(context.video.duration_s or 0)

    def progress(fraction: float) -> None:
        context.heartbeat.report(fraction)
        uploader.upload_new()
        if uploader.uploaded:
            announce_if_playable(task.video_id, task.job_id)

    start = probe(track, settings).start_time_s or 0.0
    segments.package_audio(
        track, out, audio, duration, settings, on_progress=progress, start_s=start
    )
    context.heartbeat.check()
    uploader.upload_new()
    VideoRecord.update_item(
        *VideoRecord.key(task.video_id),
        actions=[cast("Any", VideoRecord.pipeline).audio_done.set(True)],
        condition=plan_holds(task.job_id),
    )
    announce_if_playable(task.video_id, task.job_id)


class _TrackUploader:
    """Uploads the segments ffmpeg has finished (renamed from .tmp), then the playlist."""

    def __init__(self, folder: Path, prefix: str, task: LessonTask, settings: Settings) -> None:
        self.folder = folder
        self.prefix = prefix
        self.task = task
        self.settings = settings
        self.uploaded: set[str] = set()

    def upload_new(self) -> None:
        playlist = self.folder / segments.AUDIO_PLAYLIST
        if not playlist.exists():
            return
        listed = playlist.read_text()
        entries = hls.read_media_playlist(listed)
        new = [e for e in entries if e.uri not in self.uploaded]
        if not new:
            return
        init = self.folder / segments.AUDIO_INIT
        if segments.AUDIO_INIT not in self.uploaded and init.exists():
            self._put(init, files.INIT_TYPE)
            self.uploaded.add(segments.AUDIO_INIT)
        for entry in new:
            self._put(self.folder / entry.uri, files.SEGMENT_TYPE)
            self.uploaded.add(entry.uri)
        objects.put_text(
            self.settings.media_bucket,
            self.prefix + files.PLAYLIST,
            hls.media_playlist(entries, complete=False),
            files.PLAYLIST_TYPE,
            self.settings,
        )
        VideoRecord.update_item(
            *VideoRecord.key(self.task.video_id),
            actions=[cast("Any", VideoRecord.pipeline).audio_segments.set(len(entries))],
            condition=plan_holds(self.task.job_id),
        )

    def _put(self, path: Path, content_type: str) -> None:
        objects.put_bytes(
            self.settings.media_bucket,
            self.prefix + path.name,
            path.read_bytes(),
            content_type,
            self.settings,
        )
