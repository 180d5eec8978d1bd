"""A lesson's segments when things go wrong: a worker killed mid-encode, a poison task,
a media failure inside a segment, duplicates while encoding; and one worker or many.

One stack of the module's own, with one segment per chunk task (so a 20-second lesson
is four tasks) and numbers small enough that a crashed task comes back in about a minute. Its
ffmpeg is a wrapper that misbehaves on purpose for one segment of the lesson (by the
segment's output file name), so every fault lands on a known task in a known state.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import Settings
from chalicelib.ingest import dead_letters
from chalicelib.ingest.models import TaskKind
from chalicelib.ingest.tasks import LessonTask, send
from chalicelib.ingest.worker import GAVE_UP
from chalicelib.media import hls
from chalicelib.media.runner import COULD_NOT_CONVERT
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import VideoRecord
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.faults import assert_outputs_complete
from tests.support.hls import fetch, frames_and_duration, mirror, open_playback
from tests.support.stacks import dedicated_stack
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

LESSON_S = 20.0
FPS = 30
SEGMENTS = 4  # 6.006 s each: 20 s is three whole ones and a remainder
# A task's function timeout: long enough for a segment of 360p on a heavily loaded 2-core
# machine. A crashed task comes back within its hold (a healthy one renews it every third,
# so it is never delivered twice): 20 s of slack for a renewal on a loaded machine.
FUNCTION_TIMEOUT_S = 90
CRASH_REDELIVERY_S = 30


def _make_lesson(path: Path, *, web_ready: bool = False) -> Path:
    """A phone's HEVC recording, or (``web_ready``) an H.264 one a browser plays as it is."""
    picture = (
        ["-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart"]
        if web_ready
        else ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none",
              "-tag:v", "hvc1"]
    )  # fmt: skip
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate={FPS}:duration={LESSON_S}",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={LESSON_S}",
         *picture, "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", str(path)],
        check=True, timeout=300,
    )  # fmt: skip
    return path


def _faulty_ffmpeg(path: Path, faults: Path, real: str) -> Path:
    """ffmpeg, but for a segment named in ``faults`` (its index as the file name) it does what
    the file says: ``die`` kills the invocation that ran it (as Lambda's out-of-memory kill
    would), ``fail`` exits as ffmpeg does on a file it cannot convert, ``hold`` waits for
    ``faults/release`` (then fails if the file says ``fail`` by then)."""
    path.write_text(
        f"""#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    *p-[0-9][0-9][0-9][0-9][0-9].mp4)
      index=${{arg##*-}}; index=${{index%.mp4}}
      if [ -f "{faults}/$index" ]; then
        case "$(cat "{faults}/$index")" in
          die) kill -9 $PPID; exit 137;;
          fail) echo "Invalid data found when processing input" >&2; exit 1;;
          hold) while [ ! -f "{faults}/release" ]; do sleep 0.1; done
                if [ "$(cat "{faults}/$index" 2>/dev/null)" = fail ]; then
                  echo "Invalid data found when processing input" >&2; exit 1
                fi;;
        esac
      fi
      break;;
  esac
done
exec {real} "$@"
"""
    )
    path.chmod(0o755)
    return path


@dataclass(frozen=True)
class FaultyStack:
    stack: LocalStack
    faults: Path

    @contextmanager
    def fault(self, segment: int, action: str) -> Iterator[None]:
        target = self.faults / f"{segment:05d}"
        target.write_text(action)
        try:
            yield
        finally:
            target.unlink(missing_ok=True)
            (self.faults / "release").unlink(missing_ok=True)

    def release(self, then: str | None = None) -> None:
        """Let held segments go on; ``then="fail"``: they fail instead of encoding."""
        if then is not None:
            for held in self.faults.glob("[0-9]*"):
                held.write_text(then)
        (self.faults / "release").write_text("")


@pytest.fixture(scope="module")
def faulty(
    tmp_path_factory: pytest.TempPathFactory, local_stack: LocalStack
) -> Iterator[FaultyStack]:
    folder = tmp_path_factory.mktemp("lesson-faults")
    faults = folder / "faults"
    faults.mkdir()
    wrapper = _faulty_ffmpeg(folder / "ffmpeg", faults, Settings().ffmpeg_binary)
    with dedicated_stack(
        folder / "stack",
        CLASSREEL_SEGMENTS_PER_CHUNK="1",
        CLASSREEL_FFMPEG_BINARY=str(wrapper),
        CLASSREEL_SEGMENT_LEASE_S="20",
        CLASSREEL_SEGMENT_FUNCTION_TIMEOUT_S=str(FUNCTION_TIMEOUT_S),
        CLASSREEL_SEGMENT_VISIBILITY_TIMEOUT_S=str(6 * FUNCTION_TIMEOUT_S),
        CLASSREEL_SEGMENT_CRASH_REDELIVERY_S=str(CRASH_REDELIVERY_S),
        # A poison task reaches the DLQ on its second receive.
        CLASSREEL_SEGMENT_MAX_RECEIVE_COUNT="2",
    ) as stack:
        yield FaultyStack(stack, faults)


@pytest.fixture(scope="module")
def lesson_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_lesson(tmp_path_factory.mktemp("lesson-faults-src") / "IMG_5120.MOV")


def _teacher(stack: LocalStack, user: str = "teacher-faults") -> Api:
    return Api(
        stack.api_url, TokenFactory(stack.settings()).token(user, Role.TEACHER, school="north")
    )


def _upload(api: Api, path: Path) -> str:
    return upload_sample(api, path, path.name, "video/quicktime")


def _wait(api: Api, video_id: str, done: str, timeout_s: float = 240) -> dict[str, object]:
    """Until the video is ``done`` (``playable``, or a final status): an observed state."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        video = api.video(video_id)
        if video["status"] in ("ready", "failed") or (done == "playable" and video["playable"]):
            return video
        time.sleep(0.1)
    raise AssertionError(f"{video_id} never became {done}: {api.video(video_id)}")


def _segment_encoder_running(root_pid: int) -> bool:
    """A segment's ffmpeg (one decode, every rendition) is running below ``root_pid``."""
    try:
        children = psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return False
    for child in children:
        try:
            name, argv = child.name(), child.cmdline()
        except psutil.NoSuchProcess:
            continue  # it ended between the listing and the look
        if name == "ffmpeg" and "-filter_complex" in argv and "-ss" in argv:
            return True
    return False


def test_a_segment_worker_killed_mid_encode_is_retried_and_the_lesson_becomes_ready(
    faulty: FaultyStack, lesson_file: Path, tmp_path: Path
) -> None:
    stack, teacher = faulty.stack, _teacher(faulty.stack)
    runner = stack.worker("runner")
    assert runner.pid is not None
    video_id = _upload(teacher, lesson_file)
    deadline = time.monotonic() + 120
    while not _segment_encoder_running(runner.pid):
        assert time.monotonic() < deadline, "no segment encoder was ever seen running"
        time.sleep(0.02)
    runner.kill()  # the runner, its invocations and their ffmpeg: SIGKILL to the group
    assert teacher.video(video_id)["status"] == "processing", "the kill must land mid-encode"
    runner.start()
    video = _wait(teacher, video_id, "ready", timeout_s=600)
    assert video["status"] == "ready", video["failure_reason"]
    assert_outputs_complete(video_id, stack.settings(), tmp_path)
    record = VideoRecord.load(video_id)
    assert record is not None and record.pipeline is not None
    assert int(record.pipeline.segments_done) == int(record.pipeline.segments_total) == SEGMENTS


def test_a_poison_segment_ends_in_the_dlq_and_the_video_fails_with_a_reason(
    faulty: FaultyStack, lesson_file: Path
) -> None:
    teacher = _teacher(faulty.stack)
    with faulty.fault(2, "die"):
        video_id = _upload(teacher, lesson_file)
        # Every receive of segment 2's task kills its invocation: no handler ever gets to
        # fail the video; the message goes to the DLQ and the reconciler fails it.
        video = _wait(teacher, video_id, "failed", timeout_s=600)
    assert video["status"] == "failed", video
    assert video["failure_reason"] == GAVE_UP
    dead = dead_letters.peek(faulty.stack.settings(), queue="segment")
    tasks = [LessonTask.model_validate_json(m["Body"]) for m in dead]
    assert any(t.video_id == video_id and t.kind is TaskKind.CHUNK and t.index == 2 for t in tasks)


def test_a_media_failure_inside_a_segment_fails_the_video_with_a_reason(
    faulty: FaultyStack, lesson_file: Path
) -> None:
    teacher = _teacher(faulty.stack)
    with faulty.fault(1, "fail"):
        video_id = _upload(teacher, lesson_file)
        video = _wait(teacher, video_id, "failed")
    assert video["status"] == "failed", video
    assert video["failure_reason"] == COULD_NOT_CONVERT
    # The failed plan's files go with it (its tasks remove them as they stop).
    settings = faulty.stack.settings()
    deadline = time.monotonic() + 60
    while _stored(settings, video_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stored(settings, video_id) == {}


def test_duplicate_segment_messages_while_encoding_make_one_set_of_files(
    faulty: FaultyStack, lesson_file: Path, tmp_path: Path
) -> None:
    stack, teacher = faulty.stack, _teacher(faulty.stack)
    settings = stack.settings()
    with faulty.fault(SEGMENTS - 1, "hold"):
        video_id = _upload(teacher, lesson_file)
        early = _wait(teacher, video_id, "playable")
        # The last segment is held: the lesson is certainly still encoding.
        assert early["status"] == "processing" and early["playable"] is True, early
        record = VideoRecord.load(video_id)
        assert record is not None and record.pipeline is not None
        job_id = record.pipeline.job_id
        for index in range(SEGMENTS):
            for _ in range(2):
                send(LessonTask(video_id=video_id, job_id=job_id, kind=TaskKind.CHUNK, index=index),
                     settings)  # fmt: skip
        send(LessonTask(video_id=video_id, job_id=job_id, kind=TaskKind.AUDIO), settings)
        faulty.release()
        video = _wait(teacher, video_id, "ready")
    assert video["status"] == "ready", video
    assert_outputs_complete(video_id, settings, tmp_path)
    record = VideoRecord.load(video_id)
    assert record is not None and record.pipeline is not None
    assert int(record.pipeline.segments_done) == SEGMENTS, "each segment counted once"
    view = open_playback(teacher, video_id)
    copy = mirror(teacher, str(view["hls_url"]), tmp_path / "hls",
                  lambda: open_playback(teacher, video_id))  # fmt: skip
    for folder, playlist in copy.variants.items():
        entries = hls.read_media_playlist(playlist.read_text())
        assert [e.uri for e in entries] == [f"seg_{i:05d}.m4s" for i in range(SEGMENTS)], folder
        frames, _ = frames_and_duration(playlist)
        assert frames == round(LESSON_S * FPS), (folder, frames)


def test_a_web_ready_lesson_plays_from_its_copy_before_its_first_segment_is_encoded(
    faulty: FaultyStack, tmp_path: Path
) -> None:
    """A web-ready upload needs no encode to be watched: its copy (a remux) is playable at
    once, as one seekable file, and the stream takes over for viewers who come later."""
    teacher = _teacher(faulty.stack, "teacher-web-ready")
    source = _make_lesson(tmp_path / "lesson.mp4", web_ready=True)
    with faulty.fault(0, "hold"):
        video_id = _upload(teacher, source)
        early = _wait(teacher, video_id, "playable")
        # Segment 0 is held: the stream cannot have started, yet the lesson plays.
        assert early["status"] == "processing" and early["playable"] is True, early
        assert early["hls"] is False, early
        view = open_playback(teacher, video_id)
        assert view["hls_url"] is None and len(view["renditions"]) == 1, view
        response = fetch(
            teacher, view["renditions"][0]["url"], lambda: open_playback(teacher, video_id)
        )
        assert response.status_code == 200, response.text
        copy = tmp_path / "copy.mp4"
        copy.write_bytes(response.content)
        # The whole lesson, its picture and sound exactly the upload's (copied, not encoded).
        assert _decoded(copy) == _decoded(source)
        faulty.release()
        video = _wait(teacher, video_id, "ready")
    assert video["status"] == "ready" and video["hls"] is True, video
    assert open_playback(teacher, video_id)["hls_url"], "the stream serves viewers once ready"


def test_a_web_ready_lesson_that_fails_after_playing_from_its_copy_plays_no_more(
    faulty: FaultyStack, tmp_path: Path
) -> None:
    teacher = _teacher(faulty.stack, "teacher-web-ready")
    source = _make_lesson(tmp_path / "lesson.mp4", web_ready=True)
    with faulty.fault(0, "hold"):
        video_id = _upload(teacher, source)
        early = _wait(teacher, video_id, "playable")
        assert early["status"] == "processing" and early["renditions"], early
        faulty.release(then="fail")
        video = _wait(teacher, video_id, "failed")
    assert video["status"] == "failed" and video["failure_reason"] == COULD_NOT_CONVERT, video
    assert video["playable"] is False and video["renditions"] == [], video
    refused = teacher.call("POST", f"/videos/{video_id}/playback")
    assert refused.status_code == 409, refused.text


def _decoded(path: Path) -> list[str]:
    """A hash per decoded frame of picture and sound, in order."""
    listing = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path),
         "-map", "0", "-f", "framemd5", "-"],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    return [line for line in listing.splitlines() if line and not line.startswith("#")]


def test_one_worker_or_many_make_the_same_lesson(
    faulty: FaultyStack, lesson_file: Path, tmp_path: Path
) -> None:
    """The module's stack runs two invocations at once; a second one runs them one by one."""
    many = _decoded_renditions(faulty.stack, lesson_file, tmp_path / "many")
    with dedicated_stack(
        tmp_path / "one-worker",
        CLASSREEL_SEGMENTS_PER_CHUNK="1",
        CLASSREEL_LOCAL_WORKER_CONCURRENCY="1",
    ) as single:
        one = _decoded_renditions(single, lesson_file, tmp_path / "one")
    assert set(one) == set(many) == {"360p", "audio"}
    for name in one:
        assert one[name] == many[name], f"{name} differs between one worker and many"


def _decoded_renditions(stack: LocalStack, source: Path, folder: Path) -> dict[str, list[str]]:
    """Each rendition's (and the sound's) decoded frames, one hash per frame, as played."""
    teacher = _teacher(stack, "teacher-workers")
    video_id = _upload(teacher, source)
    assert _wait(teacher, video_id, "ready")["status"] == "ready"
    view = open_playback(teacher, video_id)
    copy = mirror(teacher, str(view["hls_url"]), folder, lambda: open_playback(teacher, video_id))
    tracks = {name: playlist for name, playlist in copy.variants.items()}
    if copy.audio is not None:
        tracks["audio"] = copy.audio
    return {name: _frame_hashes(playlist) for name, playlist in tracks.items()}


def _frame_hashes(playlist: Path) -> list[str]:
    joined = playlist.with_suffix(".mp4")
    entries = hls.read_media_playlist(playlist.read_text())
    with joined.open("wb") as out:
        out.write((playlist.parent / entries[0].init_uri).read_bytes())
        for entry in entries:
            out.write((playlist.parent / entry.uri).read_bytes())
    return [line.rsplit(",", 1)[-1].strip() for line in _decoded(joined)]


def _stored(settings: Settings, video_id: str) -> dict[str, int]:
    listing = aws.s3_client(settings).list_objects_v2(
        Bucket=settings.media_bucket, Prefix=video_media_prefix(video_id)
    )
    return {o["Key"]: o["Size"] for o in listing.get("Contents", [])}
