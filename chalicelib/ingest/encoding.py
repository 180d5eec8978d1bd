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
from chalicelib.ingest import announcements, landing, publishing
from chalicelib.ingest import layout as files
from chalicelib.ingest.layout import (
    DOWNLOAD,
    plan_prefix,
)
from chalicelib.ingest.models import SegmentRecord
from chalicelib.ingest.pipeline import check_not_cut_off
from chalicelib.ingest.planning import spans_for_video
from chalicelib.ingest.tasks import LessonTask, TaskContext, abandon, follows_plan, plan_holds
from chalicelib.jobs.lease import LeaseLost
from chalicelib.media import hls, segments
from chalicelib.media.errors import MediaRejected
from chalicelib.media.formats import RemoteSource
from chalicelib.media.probe import CUT_OFF, probe
from chalicelib.media.renditions import remux
from chalicelib.storage import objects
from chalicelib.videos.models import RenditionAttr, VideoRecord

# A task's read of the upload stays signed this long past its function timeout.
_URL_MARGIN_S = 60
# A segment (but the last) with fewer frames than this share of its span: the
# upload stops short of what its header claims.
CUT_OFF_SHARE = 0.9


def upload_source(context: TaskContext, settings: Settings) -> RemoteSource:
    """The teacher's upload, read where it lies for as long as this task may run."""
    video = context.video
    if video.source is None or video.upload is None:
        raise MediaRejected("The original recording is no longer available.")
    return landing.remote_source(
        settings.uploads_bucket,
        video.upload.key,
        video.source.version_id,
        settings,
        read_for_s=settings.segment_function_timeout_s + _URL_MARGIN_S,
    )


def _cut_own_chunk(
    context: TaskContext, spans: list[hls.SegmentSpan], settings: Settings
) -> tuple[Path, float]:
    """This task's span of the upload (streams copied, ranged reads), and where it starts
    on the lesson's clock."""
    record, chunk = context.claimed.record, context.workdir / "chunk.mkv"
    if record.chunk_key:  # planned before tasks cut their own chunk: the planner's cut
        objects.download(settings.media_bucket, str(record.chunk_key), chunk, settings, None)
        return chunk, float(record.chunk_start_s or 0.0)
    start, end = spans[0].start_s, float(spans[-1].start + spans[-1].duration)
    segments.cut_chunk(upload_source(context, settings), chunk, start, end, context.plan, settings)
    pipeline = context.video.pipeline
    source_start = float(pipeline.source_start_s or 0.0) if pipeline else 0.0
    return chunk, float(probe(chunk, settings).start_time_s or 0.0) - source_start


def encode_chunk(context: TaskContext, settings: Settings) -> None:
    task, record, layout = context.task, context.claimed.record, context.layout
    first, count = int(record.first_segment or 0), int(record.segment_count or 0)
    spans = spans_for_video(context.video)
    mine = spans[first : first + count]
    todo = [span for span in mine if not segment_done(task, span.index)]
    if todo:  # else an earlier attempt encoded every segment of this chunk
        chunk, chunk_start = _cut_own_chunk(context, mine, settings)
        context.heartbeat.check()
        # One ffmpeg run from the first segment not yet done to the chunk's end.
        run = mine[mine.index(todo[0]) :]
        for span, inits in _encode_run(context, chunk, chunk_start, run, len(spans), settings):
            context.heartbeat.check()
            if not record_segment(task, span, inits):
                abandon(task, settings)
                raise LeaseLost(f"video {task.video_id} no longer follows plan {task.job_id}")
    context.heartbeat.report(1)
    publishing.advance(task.video_id, task.job_id, layout, settings)
    announce_if_playable(task.video_id, task.job_id)


def _encode_run(
    context: TaskContext,
    chunk: Path,
    chunk_start_s: float,
    run: list[hls.SegmentSpan],
    total: int,
    settings: Settings,
) -> list[tuple[hls.SegmentSpan, dict[str, str]]]:
    """Encode consecutive segments of every rendition in one ffmpeg run, split them into
    HLS segments and upload them; returns each segment's init ids."""
    layout = context.layout
    outputs = [
        (r, context.workdir / f"{r.label}-{run[0].index:05d}.mp4") for r in layout.renditions
    ]
    segments.encode_run(chunk, chunk_start_s, run, context.plan, outputs, settings)
    inits: list[dict[str, str]] = [{} for _ in run]
    codecs: dict[str, str] = {}
    fps = context.plan.fps or 30
    for rendition, path in outputs:
        try:
            parts = hls.split_run(path.read_bytes(), run)
        except hls.SegmentFormatError as exc:
            # No picture where the header promised one: the file stops short.
            raise MediaRejected(CUT_OFF) from exc
        path.unlink()
        folder = files.rendition_dir(rendition.label)
        for index, (span, part) in enumerate(zip(run, parts, strict=True)):
            last = span.index == total - 1
            frames = hls.sample_count(part.media) if part.media else 0
            if frames == 0 or (frames < span.duration * fps * CUT_OFF_SHARE and not last):
                raise MediaRejected(CUT_OFF)
            objects.put_bytes(
                settings.media_bucket,
                layout.key(folder + files.init_name(part.init_id)),
                part.init,
                files.INIT_TYPE,
                settings,
            )
            objects.put_bytes(
                settings.media_bucket,
                layout.key(folder + files.segment_name(span.index)),
                part.media,
                files.SEGMENT_TYPE,
                settings,
            )
            inits[index][rendition.label] = part.init_id
            codecs[rendition.label] = hls.codecs(part.init)
    if run[0].index == 0:
        # The master names each rendition's codec, known once one is encoded.
        channels = context.plan.audio.output_channels if context.plan.audio else None
        publishing.write_master(layout, codecs, float(context.plan.fps or 0), channels, settings)
    return list(zip(run, inits, strict=True))


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


def announce_if_playable(video_id: str, job_id: str, copy: RenditionAttr | None = None) -> None:
    """Flip ``playable`` if the stream has started (or ``copy``, the source's copy, is
    stored), and measure the time it took from the upload."""
    video = VideoRecord.load(video_id)
    if video is None:
        return
    flipped = (
        publishing.mark_playable(video, job_id)
        if copy is None
        else publishing.mark_playable_from_copy(video, job_id, copy)
    )
    if flipped:
        announcements.report_since_landing(video, "TimeToPlayable")


def copy_source(context: TaskContext, settings: Settings) -> None:
    """A web-ready source, copied as it is (no quality lost): the lesson's download MP4,
    and what it plays from until its stream has started."""
    task = context.task
    source = upload_source(context, settings)
    download = context.workdir / DOWNLOAD
    info = probe(source, settings)
    remux(source, download, info, settings, context.plan)
    # Its header may claim more than the upload holds: never play a cut-off copy.
    check_not_cut_off(download, float(info.duration_s or 0), settings)
    context.heartbeat.check()
    key = plan_prefix(task.video_id, task.job_id) + DOWNLOAD
    objects.upload(download, settings.media_bucket, key, "video/mp4", settings)
    VideoRecord.update_item(
        *VideoRecord.key(task.video_id),
        actions=[cast("Any", VideoRecord.pipeline).copy_done.set(True)],
        condition=plan_holds(task.job_id),
    )
    shape = context.plan.renditions[0]
    copy = RenditionAttr(
        label=shape.label,
        width=shape.width,
        height=shape.height,
        key=key,
        size_bytes=download.stat().st_size,
        remux=True,
    )
    announce_if_playable(task.video_id, task.job_id, copy)


def package_sound(context: TaskContext, settings: Settings) -> None:
    """The lesson's sound as one HLS track, read from the upload where it lies and
    uploaded as ffmpeg writes it: its first segments are there within seconds."""
    task, layout, audio = context.task, context.layout, context.plan.audio
    if audio is None:
        return
    source = upload_source(context, settings)
    info = probe(source, settings)
    # Where the sound starts on the lesson's clock (an edit list, a stream offset).
    start = ((info.audio.start_time_s if info.audio else None) or 0.0) - (info.start_time_s or 0.0)
    out = context.workdir / "audio"
    out.mkdir()
    uploader = _TrackUploader(out, layout.key(files.AUDIO_DIR + "/"), task, settings)
    duration = float(context.video.duration_s or 0)

    def progress(fraction: float) -> None:
        context.heartbeat.report(fraction)
        uploader.upload_new()
        if uploader.uploaded:
            announce_if_playable(task.video_id, task.job_id)

    segments.package_audio(
        source,
        out,
        audio,
        duration,
        settings,
        on_progress=progress,
        start_s=start,
        demuxer=context.plan.demuxer,
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
