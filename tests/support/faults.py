"""Fault injection against a local stack, shared by the reliability tests and `make soak`."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.ingest.models import TaskRecord
from chalicelib.media import hls
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import VideoRecord, VideoStatus
from classreel.local.processes import ManagedProcess
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import Sample
from tests.support.mp4 import ffprobe, moov_before_mdat


@dataclass(frozen=True)
class KillTrial:
    video_id: str
    sample: str
    # Which ffmpeg run of the job was alive when the worker was killed (1 = the first).
    killed_in_ffmpeg_run: int
    # The worker died while the video was still processing (the fault hit).
    hit: bool
    # Work folders the killed attempt left behind on the worker's disk.
    leftovers: int
    attempts: int
    status: str


def wait_for_status(api: Api, video_id: str, status: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if api.video(video_id)["status"] == status:
            return True
        time.sleep(0.05)
    return False


def log_count(process: ManagedProcess, needle: str) -> int:
    """How many lines of a stack process's log contain ``needle``."""
    try:
        text = process.log_path.read_text(errors="replace")
    except FileNotFoundError:
        return 0
    return sum(1 for line in text.splitlines() if needle in line)


def wait_for_log(process: ManagedProcess, needle: str, more_than: int, timeout_s: float) -> None:
    """Wait until the log has more than ``more_than`` lines with ``needle`` (an observed state)."""
    deadline = time.monotonic() + timeout_s
    while log_count(process, needle) <= more_than:
        if time.monotonic() > deadline:
            raise AssertionError(f"{process.name} never logged {needle!r} in {timeout_s:.0f}s")
        time.sleep(0.1)


def running_ffmpeg_pids(root_pid: int) -> set[int]:
    """The ffmpeg processes (not ffprobe) running below ``root_pid`` right now."""
    try:
        children = psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return set()
    found = set()
    for child in children:
        try:
            if child.name() == "ffmpeg" and child.status() != psutil.STATUS_ZOMBIE:
                found.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


def wait_for_ffmpeg_run(root_pid: int, run: int, timeout_s: float) -> int:
    """Wait until the ``run``-th ffmpeg of a job (or a later one) is running; return its number.

    The fault lands on an observed state — an encoder is working — never after a
    guessed delay, so the trial hits on an idle machine as on a loaded one.
    """
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = running_ffmpeg_pids(root_pid)
        seen += sorted(alive - set(seen))
        if alive and len(seen) >= run:
            return len(seen)
        time.sleep(0.01)
    raise AssertionError(f"no ffmpeg run #{run} of the job was seen in {timeout_s:.0f}s: {seen}")


def kill_worker_mid_job(
    stack: LocalStack,
    api: Api,
    sample: Sample,
    path: Path,
    rng: random.Random,
    max_ffmpeg_run: int = 2,
    timeout_s: float = 180,
) -> KillTrial:
    """Upload, then SIGKILL the worker (and its ffmpeg) while one of the job's ffmpeg runs works.

    ``rng`` picks which run (1..``max_ffmpeg_run``) to wait for, so trials land in
    different phases (remux, encode, thumbnails) while every one of them hits.
    """
    runner = stack.worker("runner")
    assert runner.pid is not None
    video_id = upload_sample(api, path, sample.filename, sample.content_type)
    run = wait_for_ffmpeg_run(runner.pid, rng.randint(1, max_ffmpeg_run), timeout_s=60)
    runner.kill()  # SIGKILL to the process group the stack started: runner + ffmpeg
    hit = api.video(video_id)["status"] == "processing"
    work_dir = stack.settings().work_dir
    leftovers = sum(1 for entry in work_dir.iterdir() if entry.is_dir()) if work_dir.exists() else 0
    runner.start()
    video = api.wait_for(video_id, timeout_s=timeout_s)
    attempts = most_attempts(video_id)
    return KillTrial(video_id, sample.name, run, hit, leftovers, attempts, video["status"])


def most_attempts(video_id: str) -> int:
    """The most attempts any job of the video took: its ingest job or one of its lesson's
    tasks (which of them a fault breaks depends on how far the video had got)."""
    record = VideoRecord.load(video_id)
    assert record is not None and record.job is not None
    tasks = TaskRecord.query(
        f"VIDEO#{video_id}", TaskRecord.sk.startswith("TASK#"), consistent_read=True
    )
    return max([int(record.job.attempts), *(int(task.attempts) for task in tasks)])


def assert_outputs_complete(video_id: str, settings: Settings, scratch: Path) -> None:
    """A ready record references only finished objects, all from one attempt (its lesson's
    plan), nothing of any other attempt remains, and every segment its playlists list exists."""
    record = VideoRecord.load(video_id)
    assert record is not None
    assert record.status == VideoStatus.READY.value
    assert record.job is not None and record.pipeline is not None
    assert record.pipeline.job_id == record.job.job_id
    s3 = aws.s3_client(settings)
    bucket = settings.media_bucket
    keys = [r.key for r in record.renditions or []]
    assert keys, "a ready video has its download MP4"
    keys += [str(record.poster_key), str(record.storyboard_key), str(record.storyboard_vtt_key)]
    keys.append(str(record.hls_master_key))
    attempt = f"{video_media_prefix(video_id)}{record.job.job_id}/"
    assert all(key.startswith(attempt) for key in keys), keys
    # The attempt that published deletes what earlier attempts left, just after it publishes.
    deadline = time.monotonic() + 15
    while True:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=video_media_prefix(video_id))
        stored = {o["Key"]: o["Size"] for o in listed.get("Contents", [])}
        if all(key.startswith(attempt) for key in stored) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    leftovers = {key for key in stored if not key.startswith(attempt)}
    assert not leftovers, f"leftovers of other attempts: {leftovers}"
    assert set(keys) <= set(stored)
    master = s3.get_object(Bucket=bucket, Key=str(record.hls_master_key))["Body"].read().decode()
    base = str(record.hls_master_key).rsplit("/", 1)[0] + "/"
    playlists = [line for line in master.splitlines() if line and not line.startswith("#")]
    playlists += [
        line.split('URI="', 1)[1].split('"', 1)[0]
        for line in master.splitlines()
        if line.startswith("#EXT-X-MEDIA:")
    ]
    for playlist in playlists:
        text = s3.get_object(Bucket=bucket, Key=base + playlist)["Body"].read().decode()
        assert text.rstrip().endswith("#EXT-X-ENDLIST"), playlist
        folder = base + playlist.rsplit("/", 1)[0] + "/"
        for entry in hls.read_media_playlist(text):
            assert stored.get(folder + entry.uri, 0) > 0, (playlist, entry.uri)
            assert stored.get(folder + entry.init_uri, 0) > 0, (playlist, entry.init_uri)
    duration = float(record.duration_s or 0)
    for rendition in record.renditions or []:
        assert stored[rendition.key] == rendition.size_bytes
        local = scratch / f"{video_id}-{rendition.label}.mp4"
        s3.download_file(bucket, rendition.key, str(local))
        info = ffprobe(local)
        assert abs(float(info["format"]["duration"]) - duration) < 0.5, "cut short"
        assert moov_before_mdat(local)
        local.unlink()
    for key in keys[len(record.renditions or []) :]:
        assert stored[key] > 0
