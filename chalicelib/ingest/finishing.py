"""The end of a lesson: one finalize task, sent by whoever finishes last.

It makes the download MP4 (the copy of a web-ready source, or the top rung with
the sound, streams copied), poster and storyboard, completes the playlists,
removes scratch, and flips ``ready`` with its ``video.ready`` event.
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
    prefix = context.layout.key(files.rendition_dir(label))
    names = [files.segment_name(int(r.index)) for r in records]
    inits = {files.init_name(r.inits[label]) for r in records}
    if len(inits) != 1:
        raise MediaRejected("We couldn't join this video's parts into one file.")
    _download_all(prefix, [*inits, *names], folder, settings)
    target = context.workdir / f"{label}.mp4"
    segments.join_fragments(folder / next(iter(inits)), [folder / n for n in names], target)
    return target


def _joined_audio(context: TaskContext, settings: Settings) -> Path:
    prefix = context.layout.key(files.AUDIO_DIR + "/")
    playlist = objects.read_bytes(settings.media_bucket, prefix + files.PLAYLIST, settings)
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
