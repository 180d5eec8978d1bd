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

Where each part lives: planning.py (the ingest job's plan and fan-out),
encoding.py (chunks, sound, copy), publishing.py (growing playlists,
``playable``), finishing.py (the finalize task), tasks.py (claiming, failing,
abandoning), layout.py (where the files live). This module runs one task.
"""

from __future__ import annotations

import json

from chalicelib.config import Settings
from chalicelib.ingest import encoding, finishing
from chalicelib.ingest.layout import layout_for, plan_key
from chalicelib.ingest.models import TaskKind
from chalicelib.ingest.planning import renditions_of
from chalicelib.ingest.tasks import (
    ClaimedTask,
    TaskContext,
    abandon,
    follows_plan,
)
from chalicelib.jobs.workspace import attempt
from chalicelib.media import plan as media_plan
from chalicelib.storage import objects
from chalicelib.videos.models import (
    VideoRecord,
)

# The finalize task's outcome: the video left its plan because it is done.
READY = "ready"


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
            encoding.encode_chunk(context, settings)
        elif task.kind is TaskKind.AUDIO:
            encoding.package_sound(context, settings)
        elif task.kind is TaskKind.COPY:
            encoding.copy_source(context, settings)
        else:
            finishing.finalize(context, settings)
            return READY
    claimed.finish()
    finishing.maybe_finalize(task.video_id, task.job_id, settings)
    return "done"
