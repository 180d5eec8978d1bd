"""A lesson in segments: playable while it encodes, adaptive HLS when ready, in sync.

One stack of the module's own, with small chunks (two segments each) so a
half-minute lesson fans out to several tasks, and playback access that runs
out in a few seconds.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.ingest.models import TaskKind
from chalicelib.ingest.tasks import LessonTask, send
from chalicelib.jobs.queues import work_queue
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import VideoRecord
from classreel.local.stack import LocalStack
from tests.support import measure
from tests.support.api import Api, upload_sample
from tests.support.hls import fetch, frames_and_duration, mirror, open_playback, remux_to_mp4
from tests.support.mp4 import ffprobe
from tests.support.stacks import dedicated_stack
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

LESSON_S = 26.0
FPS = 30
# Flashes and beeps together, two of them right on segment joins (6.006 s, 12.012 s).
MOMENTS_S = (1.0, 6.006, 12.012, 20.5)
SYNC_TOLERANCE_S = 0.040
ACCESS_S = 4


def _make_lesson(path: Path) -> Path:
    """A phone-like HEVC recording with a flash and a beep at each moment."""
    flash = "+".join(f"between(t,{t:.3f},{t + 0.066:.3f})" for t in MOMENTS_S)
    beep = "+".join(f"between(t,{t:.3f},{t + 0.08:.3f})" for t in MOMENTS_S)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i",
         f"testsrc2=size=1280x720:rate={FPS}:duration={LESSON_S},"
         f"drawbox=c=white:t=fill:enable='{flash}'",
         "-f", "lavfi", "-i", f"aevalsrc='if({beep},0.5*sin(2*PI*1000*t),0)':s=48000:d={LESSON_S}",
         "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none",
         "-tag:v", "hvc1", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", str(path)],
        check=True, timeout=300,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def lessons(
    tmp_path_factory: pytest.TempPathFactory, local_stack: LocalStack
) -> Iterator[LocalStack]:
    folder = tmp_path_factory.mktemp("lessons")
    with dedicated_stack(
        folder / "stack",
        CLASSREEL_SEGMENTS_PER_CHUNK="2",
        CLASSREEL_PLAYBACK_ACCESS_S=str(ACCESS_S),
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def lesson_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_lesson(tmp_path_factory.mktemp("lesson-src") / "IMG_4410.MOV")


def _api(stack: LocalStack, user: str, role: Role = Role.TEACHER, school: str = "school-1") -> Api:
    return Api(stack.api_url, TokenFactory(stack.settings()).token(user, role, school=school))


def _upload(api: Api, path: Path) -> str:
    return upload_sample(api, path, path.name, "video/quicktime")


@pytest.fixture(scope="module")
def ready_lesson(lessons: LocalStack, lesson_file: Path) -> tuple[Api, str]:
    """One encoded lesson for the tests that only read it: its teacher and its id."""
    teacher = _api(lessons, "teacher-lessons", school="north")
    video_id = _upload(teacher, lesson_file)
    video = teacher.wait_for(video_id, timeout_s=300)
    assert video["status"] == "ready", video
    return teacher, video_id


def _wait_playable(api: Api, video_id: str, timeout_s: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        video = api.video(video_id)
        if video["playable"] or video["status"] == "failed":
            return video
        time.sleep(0.1)
    raise AssertionError(f"{video_id} never became playable")


def test_playable_while_encoding_then_adaptive_hls_when_ready(
    lessons: LocalStack, lesson_file: Path, tmp_path: Path
) -> None:
    teacher = _api(lessons, "teacher-hls")
    video_id = _upload(teacher, lesson_file)

    early = _wait_playable(teacher, video_id)
    assert early["playable"] is True and early["hls"] is True, early
    view = open_playback(teacher, video_id)
    master = fetch(teacher, str(view["hls_url"]))
    assert master.status_code == 200 and "#EXT-X-STREAM-INF" in master.text
    variant_path = str(view["hls_url"]).rsplit("/", 1)[0] + "/360p/index.m3u8"
    growing = fetch(teacher, variant_path)
    assert growing.status_code == 200 and "seg_00000.m4s" in growing.text

    video = teacher.wait_for(video_id, timeout_s=300)
    assert video["status"] == "ready", video
    view = open_playback(teacher, video_id)

    def renew() -> object:
        return open_playback(teacher, video_id)

    copy = mirror(teacher, str(view["hls_url"]), tmp_path / "hls", renew)
    assert set(copy.variants) == {"720p", "360p"}
    assert copy.audio is not None
    for folder, playlist in copy.variants.items():
        text = playlist.read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
        frames, duration = frames_and_duration(playlist)
        # Every frame exactly once across the segment joins: none lost, none doubled.
        assert frames == round(LESSON_S * FPS), (folder, frames)
        assert abs(duration - LESSON_S) <= 1 / FPS, (folder, duration)

    download = tmp_path / "download.mp4"
    response = fetch(teacher, view["renditions"][0]["url"], renew)
    assert response.status_code == 200
    download.write_bytes(response.content)
    info = ffprobe(download)
    assert abs(float(info["format"]["duration"]) - LESSON_S) < 0.1
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}


def test_picture_and_sound_stay_together_across_segment_joins(
    ready_lesson: tuple[Api, str], tmp_path: Path
) -> None:
    teacher, video_id = ready_lesson
    view = open_playback(teacher, video_id)
    copy = mirror(
        teacher,
        str(view["hls_url"]),
        tmp_path / "hls",
        lambda: open_playback(teacher, video_id),
    )
    watched = remux_to_mp4(copy.variants["720p"], copy.audio, tmp_path / "watched.mp4")
    flashes = measure.flash_times(watched)
    beeps = measure.beep_times(watched)[: len(MOMENTS_S)]
    assert len(flashes) == len(MOMENTS_S) == len(beeps), (flashes, beeps)
    for meant, flash, beep in zip(MOMENTS_S, flashes, beeps, strict=True):
        assert abs(flash - beep) <= SYNC_TOLERANCE_S, (meant, flash, beep)
        assert abs(flash - meant) <= SYNC_TOLERANCE_S, (meant, flash)


def test_playback_access_is_the_videos_own_and_runs_out(
    lessons: LocalStack, lesson_file: Path, ready_lesson: tuple[Api, str]
) -> None:
    teacher, video_id = ready_lesson
    other_id = _upload(teacher, lesson_file)
    _wait_playable(teacher, other_id)

    stranger = _api(lessons, "teacher-stranger", school="north")
    view = open_playback(teacher, video_id)
    master = str(view["hls_url"])
    assert fetch(stranger, master).status_code == 403, "no cookies, no media"
    assert stranger.call("POST", f"/videos/{video_id}/playback").status_code == 404

    other_master = str(open_playback(teacher, other_id)["hls_url"])
    only_first = _api(lessons, "teacher-lessons", school="north")
    assert _fetch_while_valid(only_first, video_id, master).status_code == 200
    assert fetch(only_first, other_master).status_code == 403, "one video's cookies, one video"

    # Access runs out as in AWS; the player asks again and goes on.
    expires = time.time() + ACCESS_S
    while time.time() <= expires + 0.5:
        time.sleep(0.2)
    assert fetch(only_first, master).status_code == 403
    renewed = open_playback(only_first, video_id)
    assert renewed["renew_after_s"] <= ACCESS_S
    assert _fetch_while_valid(only_first, video_id, master).status_code == 200

    coach = _api(lessons, "coach-watching", Role.COACH, school="north")
    teacher.ok("PATCH", f"/videos/{video_id}", json={"sharing": {"users": ["coach-watching"]}})
    open_playback(coach, video_id)
    trail = teacher.ok("GET", f"/videos/{video_id}/audit")["items"]
    assert any(
        e["action"] == "video.viewed" and e["actor_id"] == "coach-watching" for e in trail
    ), trail


def _fetch_while_valid(api: Api, video_id: str, path: str) -> requests.Response:
    """``path`` fetched with fresh access, by a fetch observed to end while that access
    was still valid (a loaded machine may take longer than the test's short access
    between two requests: then the pair is tried again)."""
    for _ in range(10):
        granted = time.time()
        open_playback(api, video_id)
        response = fetch(api, path)
        if time.time() < granted + ACCESS_S:
            return response
    raise AssertionError(f"no fetch ended within {ACCESS_S} s of its access in 10 tries")


def test_duplicate_tasks_change_nothing(lessons: LocalStack, ready_lesson: tuple[Api, str]) -> None:
    teacher, video_id = ready_lesson
    settings = lessons.settings()
    s3 = aws.s3_client(settings)

    def stored() -> dict[str, str]:
        listing = s3.list_objects_v2(
            Bucket=settings.media_bucket, Prefix=video_media_prefix(video_id)
        )
        return {o["Key"]: o["ETag"] for o in listing.get("Contents", [])}

    before = stored()
    record = VideoRecord.load(video_id)
    assert record is not None and record.pipeline is not None
    job_id = record.pipeline.job_id
    for index in range(int(record.pipeline.chunks_total)):
        for _ in range(2):
            send(
                LessonTask(video_id=video_id, job_id=job_id, kind=TaskKind.CHUNK, index=index),
                settings,
            )
    send(LessonTask(video_id=video_id, job_id=job_id, kind=TaskKind.FINALIZE), settings)
    _drain(lessons)
    assert stored() == before
    after = VideoRecord.load(video_id)
    assert after is not None and after.pipeline is not None
    assert int(after.pipeline.segments_done) == int(after.pipeline.segments_total)
    assert teacher.video(video_id)["status"] == "ready"


def test_deleting_mid_encode_stops_the_rest_and_leaves_nothing(
    lessons: LocalStack, lesson_file: Path
) -> None:
    teacher = _api(lessons, "teacher-del")
    video_id = _upload(teacher, lesson_file)
    playable = _wait_playable(teacher, video_id)
    assert playable["status"] == "processing", "the test needs the encode still running"
    assert teacher.call("DELETE", f"/videos/{video_id}").status_code == 204
    _drain(lessons)
    settings = lessons.settings()
    listing = aws.s3_client(settings).list_objects_v2(
        Bucket=settings.media_bucket, Prefix=video_media_prefix(video_id)
    )
    assert listing.get("Contents", []) == []
    assert VideoRecord.load(video_id) is None


def _drain(stack: LocalStack, timeout_s: float = 600) -> None:
    """Until the segment queue has nothing waiting or in flight (an observed state)."""
    settings = stack.settings()
    url = work_queue("segment", settings).url(settings)
    sqs = aws.sqs_client(settings)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        if all(value == "0" for value in attributes.values()):
            return
        time.sleep(0.3)
    raise AssertionError(f"the segment queue never drained: {attributes}")
