"""A lesson of any length, encoded in parallel segments on the segment queue.

    upload ─▶ plan (the ingest job, under the video's lease)
                │ cut the source into chunks (streams copied), sound copied out
                ├─▶ chunk 0 ─▶ segments 0..4 ─┐   each segment: every rendition, HLS,
                ├─▶ chunk 1 ─▶ segments 5..9 ─┤   recorded + counted in one transaction,
                ├─▶ ...                        │   published as the run from 0 grows
                └─▶ sound ─▶ one HLS track ───┘
                                              ▼ all counted
                                 finalize: download MP4, poster, storyboard,
                                 complete playlists, ``ready``

Chunks are sent in order, so the beginning of the lesson is encoded first and
the video is ``playable`` within seconds. Every step is a task on the job kit:
claimed under a lease, safe to run twice, retried by SQS, and a media failure
fails the video with the teacher's reason. No invocation handles more than a
chunk (a few segments), whatever the lesson's length.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.config import Settings
from chalicelib.db.base import (
    is_conditional_check_failure,
    is_transaction_conflict,
    transaction,
    utcnow,
)
from chalicelib.events import outbox
from chalicelib.ingest import announcements, claims, publishing
from chalicelib.ingest.claims import Job
from chalicelib.ingest.models import SegmentRecord, TaskKind, TaskRecord, TaskStatus
from chalicelib.ingest.publishing import LessonLayout
from chalicelib.ingest.tasks import ClaimedTask, LessonTask, follows_plan, plan_holds, send
from chalicelib.jobs.lease import Heartbeat, LeaseLost
from chalicelib.jobs.workspace import attempt, delete_other_attempts
from chalicelib.media import hls, segments
from chalicelib.media import plan as media_plan
from chalicelib.media.errors import MediaRejected
from chalicelib.media.examination import Examination
from chalicelib.media.filters import KEYFRAME_INTERVAL_S
from chalicelib.media.ladder import Rendition, ladder
from chalicelib.media.probe import CUT_OFF, probe
from chalicelib.media.renditions import remux
from chalicelib.media.thumbnails import make_poster, make_storyboard, storyboard_vtt
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import (
    MASTER_PLAYLIST,
    FailureKind,
    PipelineAttr,
    RenditionAttr,
    VideoRecord,
    VideoStatus,
)

# Beside the plan's HLS: the media plan every task follows, and scratch (the
# source cut up, the sound) that is deleted before the video is ready.
PLAN_DOCUMENT = "plan.json"
WORK_DIR = "work/"
AUDIO_TRACK = "audio.mkv"
DOWNLOAD = "download.mp4"
POSTER = "poster.jpg"
SPRITE = "storyboard.jpg"
VTT = "storyboard.vtt"
_PARALLEL_TRANSFERS = 8
# A segment (but the last) with fewer frames than this share of its span: the
# upload stops short of what its header claims.
CUT_OFF_SHARE = 0.9


# --- the plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    index: int
    spans: list[hls.SegmentSpan]

    @property
    def start_s(self) -> float:
        return self.spans[0].start_s

    @property
    def end_s(self) -> float:
        last = self.spans[-1]
        return float(last.start + last.duration)


def chunks_of(spans: list[hls.SegmentSpan], per_chunk: int) -> list[Chunk]:
    return [
        Chunk(index, spans[start : start + per_chunk])
        for index, start in enumerate(range(0, len(spans), per_chunk))
    ]


def encoded_renditions(exam: Examination) -> list[Rendition]:
    """Every rung is encoded: segments of a copied stream could not line up with them."""
    display = exam.plan.display
    if display is None:
        raise MediaRejected(exam.plan.reason or "This file has no picture we can read")
    return ladder(*display, remux_top=False)


def plan_prefix(video_id: str, job_id: str) -> str:
    return f"{video_media_prefix(video_id)}{job_id}/"


def plan_key(video_id: str, job_id: str) -> str:
    return plan_prefix(video_id, job_id) + PLAN_DOCUMENT


def work_prefix(video_id: str, job_id: str) -> str:
    return plan_prefix(video_id, job_id) + WORK_DIR


def layout_for(video_id: str, job_id: str, renditions: list[Rendition]) -> LessonLayout:
    return LessonLayout(plan_prefix(video_id, job_id) + "hls/", renditions)


def picture_end_s(exam: Examination) -> float:
    """Where the picture ends on the lesson's clock (the sound may run on, or start earlier)."""
    info, video = exam.info, exam.info.require_video()
    start = info.start_time_s or 0.0
    if video.duration_s is None:
        return info.duration_s or 0.0
    return max(0.0, (video.start_time_s or start) - start) + video.duration_s


def spans_of(exam: Examination) -> list[hls.SegmentSpan]:
    if exam.plan.fps is None:
        raise MediaRejected(exam.plan.reason or "This file has no picture we can read")
    return hls.segment_spans(picture_end_s(exam), exam.plan.fps, KEYFRAME_INTERVAL_S)


def plan_and_fan_out(
    job: Job,
    source: Path,
    exam: Examination,
    workdir: Path,
    heartbeat: Heartbeat,
    settings: Settings,
) -> None:
    """Record the plan, then cut and send the tasks, chunk 0 first. Runs under the video's lease."""
    spans = spans_of(exam)
    chunks = chunks_of(spans, settings.segments_per_chunk)
    renditions = encoded_renditions(exam)
    layout = layout_for(job.video_id, job.job_id, renditions)
    has_audio = exam.plan.audio is not None
    copied = exam.plan.renditions[0] if exam.plan.remux and exam.plan.renditions else None
    claims.update_as(
        job,
        [
            VideoRecord.pipeline.set(
                PipelineAttr(
                    job_id=job.job_id,
                    hls_prefix=layout.hls_prefix,
                    lesson_s=round(picture_end_s(exam), 6),
                    fps=f"{exam.plan.fps.numerator}/{exam.plan.fps.denominator}"
                    if exam.plan.fps
                    else "30",
                    segments_total=len(spans),
                    segments_done=0,
                    chunks_total=len(chunks),
                    published=0,
                    has_audio=has_audio,
                    audio_segments=0,
                    audio_done=not has_audio,
                    copy_label=copied.label if copied else None,
                    copy_done=copied is None,
                    fanned_out=False,
                    finalizing=False,
                )
            ),
            VideoRecord.playable.set(False),
            *media_facts(exam),
        ],
    )
    with TaskRecord.batch_write() as batch:
        for chunk in chunks:
            batch.save(_task_record(job, TaskKind.CHUNK, chunk.index, chunk))
        if has_audio:
            batch.save(_task_record(job, TaskKind.AUDIO, 0, None))
        if copied:
            batch.save(_task_record(job, TaskKind.COPY, 0, None))
        batch.save(_task_record(job, TaskKind.FINALIZE, 0, None))
    scratch = work_prefix(job.video_id, job.job_id)
    objects.put_text(
        settings.media_bucket,
        plan_key(job.video_id, job.job_id),
        json.dumps(media_plan.to_document(exam.plan)),
        "application/json",
        settings,
    )
    for chunk in chunks:
        path = workdir / f"chunk_{chunk.index:05d}.mkv"
        segments.cut_chunk(source, path, chunk.start_s, chunk.end_s, exam.plan, settings)
        key = f"{scratch}chunk_{chunk.index:05d}.mkv"
        objects.upload(path, settings.media_bucket, key, "video/x-matroska", settings)
        # Where the chunk starts on the lesson's clock (the source's, less its start).
        start = _first_timestamp(path, settings) - (exam.info.start_time_s or 0.0)
        path.unlink()
        TaskRecord.update_item(
            *TaskRecord.key(job.video_id, job.job_id, TaskKind.CHUNK, chunk.index),
            actions=[TaskRecord.chunk_key.set(key), TaskRecord.chunk_start_s.set(start)],
        )
        heartbeat.check()
        send(_message(job, TaskKind.CHUNK, chunk.index), settings)
        if chunk.index == 0 and has_audio:
            # The sound right after the first picture chunk: playable needs both.
            track = workdir / "audio.mkv"
            duration = exam.info.duration_s or 0.0
            segments.extract_audio(source, track, exam.plan, duration, settings)
            objects.upload(
                track, settings.media_bucket, scratch + AUDIO_TRACK, "audio/x-matroska", settings
            )
            track.unlink()
            send(_message(job, TaskKind.AUDIO, 0), settings)
        if chunk.index == 0 and copied:
            send(_message(job, TaskKind.COPY, 0), settings)
    claims.update_as(job, [cast("Any", VideoRecord.pipeline).fanned_out.set(True)])
    logger.info(
        "lesson planned",
        extra={"video_id": job.video_id, "segments": len(spans), "chunks": len(chunks)},
    )


def _message(job: Job, kind: TaskKind, index: int) -> LessonTask:
    return LessonTask(video_id=job.video_id, job_id=job.job_id, kind=kind, index=index)


def _task_record(job: Job, kind: TaskKind, index: int, chunk: Chunk | None) -> TaskRecord:
    record = TaskRecord(
        *TaskRecord.key(job.video_id, job.job_id, kind, index),
        video_id=job.video_id,
        pipeline_job=job.job_id,
        kind=kind.value,
        index=index,
        status=TaskStatus.PENDING.value,
    )
    if chunk is not None:
        record.first_segment = chunk.spans[0].index
        record.segment_count = len(chunk.spans)
    return record


def _first_timestamp(chunk: Path, settings: Settings) -> float:
    return float(probe(chunk, settings).start_time_s or 0.0)


def media_facts(exam: Examination) -> list[Any]:
    video = exam.info.require_video()
    source = cast("Any", VideoRecord.source)
    display = exam.plan.display or (video.display_width, video.display_height)
    return [
        VideoRecord.duration_s.set(round(exam.info.duration_s or 0, 3)),
        VideoRecord.width.set(display[0]),
        VideoRecord.height.set(display[1]),
        VideoRecord.fps.set(round(float(exam.plan.fps or 0), 3)),
        VideoRecord.has_audio.set(exam.plan.audio is not None),
        source.container.set(exam.info.format_name),
        source.video_codec.set(video.codec),
        source.audio_codec.set(exam.info.audio.codec if exam.info.audio else None),
    ]


# --- the tasks ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskContext:
    claimed: ClaimedTask
    video: VideoRecord
    layout: LessonLayout
    plan: media_plan.MediaPlan
    workdir: Path
    heartbeat: Heartbeat

    @property
    def task(self) -> LessonTask:
        return self.claimed.task

    @property
    def scratch(self) -> str:
        return work_prefix(self.task.video_id, self.task.job_id)


def run_task(claimed: ClaimedTask, settings: Settings) -> str:
    """Do one claimed task; returns its outcome word. MediaRejected is for the caller."""
    task = claimed.task
    video = VideoRecord.load(task.video_id)
    if video is None or not follows_plan(video, task.job_id):
        abandon(task, settings)
        return "stale"
    layout = layout_for(task.video_id, task.job_id, renditions_of(video))
    plan = media_plan.from_document(
        json.loads(
            objects.read_bytes(
                settings.media_bucket, plan_key(task.video_id, task.job_id), settings
            )
        )
    )
    with (
        attempt(
            settings, parent_prefix=f"tasks/{task.video_id}/", job_id=claimed.attempt_id
        ) as run,
        claimed.lease.heartbeat() as heartbeat,
    ):
        # A task's outputs live under its plan's prefix, never the attempt's: keep them.
        run.published = True
        context = TaskContext(claimed, video, layout, plan, run.workdir, heartbeat)
        if task.kind is TaskKind.CHUNK:
            _encode_chunk(context, settings)
        elif task.kind is TaskKind.AUDIO:
            _package_sound(context, settings)
        elif task.kind is TaskKind.COPY:
            _copy_source(context, settings)
        else:
            _finalize(context, settings)
            return "ready"
    claimed.finish()
    maybe_finalize(task.video_id, task.job_id, settings)
    return "done"


def renditions_of(video: VideoRecord) -> list[Rendition]:
    return ladder(int(video.width or 0), int(video.height or 0), remux_top=False)


def spans_for_video(video: VideoRecord) -> list[hls.SegmentSpan]:
    """The same spans the planner chose, from what it recorded."""
    if video.pipeline is None:
        return []
    fps = Fraction(video.pipeline.fps)
    return hls.segment_spans(float(video.pipeline.lesson_s), fps, KEYFRAME_INTERVAL_S)


def _encode_chunk(context: TaskContext, settings: Settings) -> None:
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
        folder = publishing.rendition_dir(rendition.label)
        objects.put_bytes(
            settings.media_bucket,
            layout.key(folder + publishing.init_name(split.init_id)),
            split.init,
            publishing.INIT_TYPE,
            settings,
        )
        objects.put_bytes(
            settings.media_bucket,
            layout.key(folder + publishing.segment_name(span.index)),
            split.media,
            publishing.SEGMENT_TYPE,
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


def _copy_source(context: TaskContext, settings: Settings) -> None:
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


def _package_sound(context: TaskContext, settings: Settings) -> None:
    """The lesson's sound as one HLS track, uploaded as ffmpeg writes it."""
    task, layout, audio = context.task, context.layout, context.plan.audio
    if audio is None:
        return
    track = context.workdir / AUDIO_TRACK
    objects.download(settings.media_bucket, context.scratch + AUDIO_TRACK, track, settings, None)
    out = context.workdir / "audio"
    out.mkdir()
    uploader = _TrackUploader(out, layout.key(publishing.AUDIO_DIR + "/"), task, settings)
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
            self._put(init, publishing.INIT_TYPE)
            self.uploaded.add(segments.AUDIO_INIT)
        for entry in new:
            self._put(self.folder / entry.uri, publishing.SEGMENT_TYPE)
            self.uploaded.add(entry.uri)
        objects.put_text(
            self.settings.media_bucket,
            self.prefix + publishing.PLAYLIST,
            hls.media_playlist(entries, complete=False),
            publishing.PLAYLIST_TYPE,
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


# --- the end: one finalize task once everything is counted ---------------------------------


def maybe_finalize(video_id: str, job_id: str, settings: Settings) -> None:
    """Whoever finishes last sends the one finalize task (a conditional write picks it)."""
    pipeline = cast("Any", VideoRecord.pipeline)
    video = VideoRecord.load(video_id)
    if video is None or video.pipeline is None or not follows_plan(video, job_id):
        return
    state = video.pipeline
    waiting = not (state.audio_done and state.copy_done)
    if int(state.segments_done) < int(state.segments_total) or waiting:
        return
    try:
        VideoRecord.update_item(
            *VideoRecord.key(video_id),
            actions=[pipeline.finalizing.set(True)],
            condition=plan_holds(job_id)
            & (pipeline.finalizing == False)  # noqa: E712
            & (pipeline.segments_done >= pipeline.segments_total)
            & (pipeline.audio_done == True)  # noqa: E712
            & (pipeline.copy_done == True),  # noqa: E712
        )
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            return  # another task sent it
        raise
    send(LessonTask(video_id=video_id, job_id=job_id, kind=TaskKind.FINALIZE), settings)


def _finalize(context: TaskContext, settings: Settings) -> None:
    task, layout, video = context.task, context.layout, context.video
    total = int(video.pipeline.segments_total) if video.pipeline else 0
    records = publishing.listed_segments(task.video_id, task.job_id, total)
    top, smallest = layout.renditions[0], layout.renditions[-1]
    duration = float(video.duration_s or 0)
    top_file = _joined(context, top.label, records, settings)
    download = context.workdir / DOWNLOAD
    prefix = plan_prefix(task.video_id, task.job_id)
    copied = context.plan.renditions[0] if context.plan.remux else None
    if copied is not None:
        # The copy task already made it from the source as it is.
        objects.download(settings.media_bucket, prefix + DOWNLOAD, download, settings, None)
    else:
        audio_file = _joined_audio(context, settings) if context.plan.audio else None
        segments.make_download_mp4(top_file, audio_file, download, duration, settings)
    context.heartbeat.check()
    small_file = (
        top_file if smallest is top else _joined(context, smallest.label, records, settings)
    )
    poster = context.workdir / POSTER
    make_poster(top_file, poster, duration, settings)
    sprite = context.workdir / SPRITE
    board = make_storyboard(
        small_file,
        sprite,
        width=smallest.width,
        height=smallest.height,
        duration_s=duration,
        keyframe_interval_s=KEYFRAME_INTERVAL_S,
        settings=settings,
    )
    vtt = context.workdir / VTT
    vtt.write_text(storyboard_vtt(board, SPRITE, duration))
    context.heartbeat.check()
    for path, content_type in (
        (download, "video/mp4"),
        (poster, "image/jpeg"),
        (sprite, "image/jpeg"),
        (vtt, "text/vtt"),
    ):
        objects.upload(path, settings.media_bucket, prefix + path.name, content_type, settings)
    publishing.write_rendition_playlists(layout, records, settings, complete=True)
    if context.plan.audio is not None:
        publishing.complete_audio_playlist(layout, settings)
    # Scratch goes before ``ready``, so a ready video has only what it plays.
    objects.delete_prefix(settings.media_bucket, context.scratch, settings)
    context.heartbeat.check()
    _publish_ready(context, copied or top, download, prefix)
    delete_other_attempts(video_media_prefix(task.video_id), prefix, settings)


def _publish_ready(context: TaskContext, shape: Rendition, download: Path, prefix: str) -> None:
    task = context.task
    rendition = RenditionAttr(
        label=shape.label,
        width=shape.width,
        height=shape.height,
        key=prefix + download.name,
        size_bytes=download.stat().st_size,
        remux=shape.remux,
    )
    try:
        with transaction() as tx:
            tx.update(
                VideoRecord.unread(*VideoRecord.key(task.video_id)),
                actions=[
                    VideoRecord.status.set(VideoStatus.READY.value),
                    VideoRecord.ready_at.set(utcnow()),
                    VideoRecord.playable.set(True),
                    VideoRecord.progress.set(1),
                    VideoRecord.renditions.set([rendition]),
                    VideoRecord.hls_master_key.set(context.layout.key(MASTER_PLAYLIST)),
                    VideoRecord.poster_key.set(prefix + POSTER),
                    VideoRecord.storyboard_key.set(prefix + SPRITE),
                    VideoRecord.storyboard_vtt_key.set(prefix + VTT),
                    VideoRecord.updated_at.set(utcnow()),
                ],
                condition=plan_holds(task.job_id),
                add_version_condition=False,
            )
            tx.update(
                TaskRecord.unread(
                    *TaskRecord.key(task.video_id, task.job_id, task.kind, task.index)
                ),
                actions=[TaskRecord.status.set(TaskStatus.DONE.value), TaskRecord.progress.set(1)],
                condition=(cast("Any", TaskRecord.job).job_id == context.claimed.attempt_id),
                add_version_condition=False,
            )
            outbox.add(tx, announcements.video_event(context.video, "ready"))
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            raise LeaseLost(f"finalize of {task.video_id} lost its task or plan") from exc
        raise
    announcements.report_since_landing(context.video, "TimeToReady")
    logger.info("video ready", extra={"video_id": task.video_id, "job": task.job_id})


def _joined(
    context: TaskContext, label: str, records: list[SegmentRecord], settings: Settings
) -> Path:
    """A rendition's segments, downloaded in parallel and joined into one fragmented MP4."""
    folder = context.workdir / label
    folder.mkdir(exist_ok=True)
    prefix = context.layout.key(publishing.rendition_dir(label))
    names = [publishing.segment_name(int(r.index)) for r in records]
    inits = {publishing.init_name(r.inits[label]) for r in records}
    if len(inits) != 1:
        raise MediaRejected("We couldn't join this video's parts into one file.")
    _download_all(prefix, [*inits, *names], folder, settings)
    target = context.workdir / f"{label}.mp4"
    segments.join_fragments(folder / next(iter(inits)), [folder / n for n in names], target)
    return target


def _joined_audio(context: TaskContext, settings: Settings) -> Path:
    prefix = context.layout.key(publishing.AUDIO_DIR + "/")
    playlist = objects.read_bytes(settings.media_bucket, prefix + publishing.PLAYLIST, settings)
    names = [e.uri for e in hls.read_media_playlist(playlist.decode())]
    folder = context.workdir / "audio-join"
    folder.mkdir()
    _download_all(prefix, [segments.AUDIO_INIT, *names], folder, settings)
    target = context.workdir / "audio.mp4"
    segments.join_fragments(folder / segments.AUDIO_INIT, [folder / n for n in names], target)
    return target


def _download_all(prefix: str, names: list[str], folder: Path, settings: Settings) -> None:
    with ThreadPoolExecutor(max_workers=_PARALLEL_TRANSFERS) as pool:
        list(
            pool.map(
                lambda name: objects.download(
                    settings.media_bucket, prefix + name, folder / name, settings, None
                ),
                names,
            )
        )


# --- when a lesson cannot go on ------------------------------------------------------------


def fail(task: LessonTask, reason: str, kind: FailureKind) -> bool:
    """Fail the video with the teacher's reason (and announce it), if it still follows this plan."""
    video = VideoRecord.load(task.video_id)
    if video is None:
        return False
    try:
        outbox.update(
            VideoRecord.unread(*VideoRecord.key(task.video_id)),
            [*claims.failure_actions(reason, kind), VideoRecord.updated_at.set(utcnow())],
            announcements.video_event(video, "failed", reason),
            condition=plan_holds(task.job_id),
            add_version_condition=False,
        )
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            return False
        raise
    announcements.report_failure(kind.value)
    logger.info("video failed", extra={"video_id": task.video_id, "reason": reason})
    return True


def abandon(task: LessonTask, settings: Settings) -> None:
    """The video left this plan (deleted, failed, re-planned): remove what the plan wrote.

    Every task that finds this out deletes after its own last upload, so what a
    late task writes is removed too.
    """
    if follows_plan(VideoRecord.load(task.video_id), task.job_id):
        return  # still the video's plan (a transient conflict): nothing to remove
    objects.delete_prefix(settings.media_bucket, plan_prefix(task.video_id, task.job_id), settings)
