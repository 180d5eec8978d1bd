"""Planning a lesson: the ingest job's part (under the video's lease).

It records the plan (segments, chunks, rungs, the media plan) and sends one
task per chunk in order — a web-ready source's copy task first, then chunk 0
and the sound, so the video is ``playable`` within seconds — then the rest. Nothing
of the source is downloaded or cut here: each task reads its own span of the
upload from S3 (chalicelib/ingest/encoding.py, finishing.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

from chalicelib.config import Settings
from chalicelib.ingest import claims
from chalicelib.ingest.claims import Job
from chalicelib.ingest.layout import layout_for, plan_key
from chalicelib.ingest.models import TaskKind, TaskRecord, TaskStatus
from chalicelib.ingest.tasks import LessonTask, send
from chalicelib.jobs.lease import Heartbeat
from chalicelib.media import hls
from chalicelib.media import plan as media_plan
from chalicelib.media.errors import MediaRejected
from chalicelib.media.examination import Examination
from chalicelib.media.filters import KEYFRAME_INTERVAL_S
from chalicelib.media.ladder import Rendition, ladder
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.videos.models import (
    PipelineAttr,
    VideoRecord,
)


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


# The first chunk is one segment: ``playable`` waits for one segment's encode, not a chunk's.
FIRST_CHUNK_SEGMENTS = 1


def chunks_of(
    spans: list[hls.SegmentSpan], per_chunk: int, first: int = FIRST_CHUNK_SEGMENTS
) -> list[Chunk]:
    """The first ``first`` segments, then ``per_chunk`` at a time."""
    head = spans[:first]
    rest = spans[first:]
    groups = [head, *(rest[start : start + per_chunk] for start in range(0, len(rest), per_chunk))]
    return [Chunk(index, group) for index, group in enumerate(g for g in groups if g)]


def encoded_renditions(exam: Examination) -> list[Rendition]:
    """Every rung is encoded: segments of a copied stream could not line up with them."""
    display = exam.plan.display
    if display is None:
        raise MediaRejected(exam.plan.reason or "This file has no picture we can read")
    return ladder(*display, remux_top=False)


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


def plan_and_fan_out(job: Job, exam: Examination, heartbeat: Heartbeat, settings: Settings) -> None:
    """Record the plan, then send the tasks, chunk 0 first. Runs under the video's lease."""
    spans = spans_of(exam)
    chunks = chunks_of(spans, settings.segments_per_chunk)
    renditions = encoded_renditions(exam)
    layout = layout_for(job.video_id, job.job_id, renditions)
    has_audio = exam.plan.audio is not None
    small_enough = exam.info.size_bytes <= settings.copy_source_max_bytes
    copied = (
        exam.plan.renditions[0]
        if exam.plan.remux and exam.plan.renditions and small_enough
        else None
    )
    claims.update_as(
        job,
        [
            VideoRecord.pipeline.set(
                PipelineAttr(
                    job_id=job.job_id,
                    hls_prefix=layout.hls_prefix,
                    lesson_s=round(picture_end_s(exam), 6),
                    source_start_s=exam.info.start_time_s or 0.0,
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
    objects.put_text(
        settings.media_bucket,
        plan_key(job.video_id, job.job_id),
        json.dumps(media_plan.to_document(exam.plan)),
        "application/json",
        settings,
    )
    # Each task reads its own part of the upload where it lies: nothing is cut or
    # copied here, so planning takes seconds whatever the lesson's length. What makes
    # the video playable first: a web-ready source's copy (a remux, no encode), then
    # chunk 0 and the sound (the stream needs both), then the rest.
    first = [_message(job, TaskKind.COPY, 0)] if copied else []
    first.append(_message(job, TaskKind.CHUNK, 0))
    if has_audio:
        first.append(_message(job, TaskKind.AUDIO, 0))
    for task in [*first, *(_message(job, TaskKind.CHUNK, c.index) for c in chunks[1:])]:
        heartbeat.check()
        send(task, settings)
    claims.update_as(job, [cast("Any", VideoRecord.pipeline).fanned_out.set(True)])
    logger.info(
        "lesson planned",
        extra={"video_id": job.video_id, "segments": len(spans), "chunks": len(chunks)},
    )


def _message(job: Job, kind: TaskKind, index: int) -> LessonTask:
    return LessonTask(
        video_id=job.video_id, job_id=job.job_id, kind=kind, index=index, district=job.district
    )


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


def renditions_of(video: VideoRecord) -> list[Rendition]:
    return ladder(int(video.width or 0), int(video.height or 0), remux_top=False)


def spans_for_video(video: VideoRecord) -> list[hls.SegmentSpan]:
    """The same spans the planner chose, from what it recorded."""
    if video.pipeline is None:
        return []
    fps = Fraction(video.pipeline.fps)
    return hls.segment_spans(float(video.pipeline.lesson_s), fps, KEYFRAME_INTERVAL_S)
