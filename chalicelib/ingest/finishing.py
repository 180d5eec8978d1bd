"""The end of a lesson: one finalize task, sent by whoever finishes last.

It makes the download MP4 (the copy of a web-ready source, or the top rung's
segments and the sound's joined into one fragmented MP4, uploaded in parts as it
is read), poster and storyboard, completes the playlists, removes scratch, and
flips ``ready`` with its ``video.ready`` event.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
from chalicelib.ingest import announcements, publishing
from chalicelib.ingest import layout as files
from chalicelib.ingest.layout import DOWNLOAD, POSTER, SPRITE, VTT, plan_prefix
from chalicelib.ingest.models import SegmentRecord, TaskKind, TaskRecord, TaskStatus
from chalicelib.ingest.tasks import LessonTask, TaskContext, follows_plan, plan_holds, send
from chalicelib.jobs.lease import LeaseLost
from chalicelib.jobs.workspace import delete_other_attempts
from chalicelib.media import hls, segments
from chalicelib.media.errors import MediaRejected
from chalicelib.media.filters import KEYFRAME_INTERVAL_S
from chalicelib.media.ladder import Rendition
from chalicelib.media.thumbnails import make_poster, make_storyboard, storyboard_vtt
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import (
    MASTER_PLAYLIST,
    RenditionAttr,
    VideoRecord,
    VideoStatus,
)

_PARALLEL_TRANSFERS = 8
# The poster is taken from the lesson's opening (its first segments), not a whole rendition.
_POSTER_SEGMENTS = 2


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
    finalize = LessonTask(
        video_id=video_id, job_id=job_id, kind=TaskKind.FINALIZE, district=video.district
    )
    send(finalize, settings)


def finalize(context: TaskContext, settings: Settings) -> None:
    """Everything here reads what the segments left, never the source, and holds no more than
    one rung's small rendition on disk: minutes at most for a lesson of hours."""
    task, layout, video = context.task, context.layout, context.video
    total = int(video.pipeline.segments_total) if video.pipeline else 0
    records = publishing.listed_segments(task.video_id, task.job_id, total)
    top, smallest = layout.renditions[0], layout.renditions[-1]
    duration = float(video.duration_s or 0)
    prefix = plan_prefix(task.video_id, task.job_id)
    copied = context.plan.renditions[0] if context.plan.remux and _copy_made(video) else None
    if copied is not None:
        # The copy task already made it from the source as it is.
        download_bytes = objects.head(settings.media_bucket, prefix + DOWNLOAD, settings)
        if download_bytes is None:
            raise MediaRejected("We couldn't join this video's parts into one file.")
        size = download_bytes.size
    else:
        size = _assemble_download(context, top.label, records, prefix + DOWNLOAD, settings)
    context.heartbeat.check()
    opening = _joined(context, top.label, records[:_POSTER_SEGMENTS], settings)
    poster = context.workdir / POSTER
    make_poster(opening, poster, min(duration, _opening_s(records)), settings)
    small_file = _joined(context, smallest.label, records, settings)
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
    _publish_ready(context, copied or top, prefix + DOWNLOAD, size)
    delete_other_attempts(video_media_prefix(task.video_id), prefix, settings)


def _copy_made(video: VideoRecord) -> bool:
    return video.pipeline is not None and video.pipeline.copy_label is not None


def _opening_s(records: list[SegmentRecord]) -> float:
    opening = records[:_POSTER_SEGMENTS]
    return sum(float(r.duration_s) for r in opening)


def _assemble_download(
    context: TaskContext,
    label: str,
    records: list[SegmentRecord],
    key: str,
    settings: Settings,
) -> int:
    """The download MP4 from the stored segments (top rung and sound, interleaved by time),
    written to S3 part by part as it is read: no ffmpeg, no disk. Returns its size."""
    layout, bucket = context.layout, settings.media_bucket
    video_prefix = layout.key(files.rendition_dir(label))
    inits = {r.inits[label] for r in records}
    if len(inits) != 1:
        raise MediaRejected("We couldn't join this video's parts into one file.")
    video_init = objects.read_bytes(bucket, video_prefix + files.init_name(inits.pop()), settings)
    pieces = [
        (float(r.start_s), video_prefix + files.segment_name(int(r.index)), hls.VIDEO_TRACK_ID)
        for r in records
    ]
    audio_init = None
    if context.plan.audio is not None:
        audio_prefix = layout.key(files.AUDIO_DIR + "/")
        listed = objects.read_bytes(bucket, audio_prefix + files.PLAYLIST, settings).decode()
        audio_init = objects.read_bytes(bucket, audio_prefix + segments.AUDIO_INIT, settings)
        at = 0.0
        for entry in hls.read_media_playlist(listed):
            pieces.append((at, audio_prefix + entry.uri, hls.AUDIO_TRACK_ID))
            at += entry.duration_s
    pieces.sort(key=lambda piece: (piece[0], piece[2]))
    duration = float(context.video.duration_s or 0)
    try:
        with objects.MultipartWriter(bucket, key, "video/mp4", settings) as out:
            out.write(hls.merge_inits(video_init, audio_init, duration))
            for start in range(0, len(pieces), _PARALLEL_TRANSFERS):
                window = pieces[start : start + _PARALLEL_TRANSFERS]
                with ThreadPoolExecutor(max_workers=_PARALLEL_TRANSFERS) as pool:
                    bodies = list(
                        pool.map(
                            lambda piece: objects.read_bytes(bucket, piece[1], settings), window
                        )
                    )
                for (_, _, track), body in zip(window, bodies, strict=True):
                    out.write(hls.fragments_for_download(body, track))
                context.heartbeat.check()
    except hls.SegmentFormatError as exc:
        raise MediaRejected("We couldn't join this video's parts into one file.") from exc
    return out.size


def _publish_ready(context: TaskContext, shape: Rendition, download_key: str, size: int) -> None:
    task = context.task
    prefix = plan_prefix(task.video_id, task.job_id)
    rendition = RenditionAttr(
        label=shape.label,
        width=shape.width,
        height=shape.height,
        key=download_key,
        size_bytes=size,
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
    prefix = context.layout.key(files.rendition_dir(label))
    names = [files.segment_name(int(r.index)) for r in records]
    inits = {files.init_name(r.inits[label]) for r in records}
    if len(inits) != 1:
        raise MediaRejected("We couldn't join this video's parts into one file.")
    _download_all(prefix, [*inits, *names], folder, settings)
    target = context.workdir / f"{label}.mp4"
    segments.join_fragments(folder / next(iter(inits)), [folder / n for n in names], target)
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
