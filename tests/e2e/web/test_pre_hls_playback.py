"""A video processed before HLS (MP4 renditions only, no master playlist) still plays:
the playback response offers its files, and the web client falls back to them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.videos.models import RenditionAttr, VideoRecord
from classreel.local.demo_users import DEMO_DISTRICT
from classreel.local.stack import LocalStack
from tests.e2e.web.conftest import sign_in
from tests.support.api import Api
from tests.support.seed import ready_video
from tests.support.users import TokenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

RUNGS = ((720, 1280, 720), (360, 640, 360))  # (label's short side, width, height)


def _mp4(path: Path, width: int, height: int) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30:duration=4",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def _pre_hls_video(owner: str, school: str, folder: Path) -> str:
    """A ready video as the pipeline left it before HLS: two MP4s, no ``hls_master_key``."""
    video = ready_video(owner, district=DEMO_DISTRICT, school=school, duration_s=4.0)
    settings = get_settings()
    renditions = []
    for short, width, height in RUNGS:
        path = _mp4(folder / f"{short}p.mp4", width, height)
        key = f"videos/{video.video_id}/legacy/{short}p.mp4"
        aws.s3_client(settings).upload_file(str(path), settings.media_bucket, key)
        renditions.append(
            RenditionAttr(
                label=f"{short}p", width=width, height=height, key=key,
                size_bytes=path.stat().st_size,
            )
        )  # fmt: skip
    VideoRecord.update_item(
        *VideoRecord.key(video.video_id),
        actions=[VideoRecord.renditions.set(renditions), VideoRecord.hls_master_key.remove()],
    )
    return video.video_id


def test_a_video_processed_before_hls_still_plays(
    local_stack: LocalStack,
    tokens: TokenFactory,
    new_page: Callable[..., Page],
    tmp_path: Path,
) -> None:
    video_id = _pre_hls_video("teacher-ana", "north-elementary", tmp_path)
    teacher = Api(
        local_stack.api_url,
        tokens.token(
            "teacher-ana", Role.TEACHER, district=DEMO_DISTRICT, school="north-elementary"
        ),
    )
    view = teacher.ok("POST", f"/videos/{video_id}/playback")
    assert view["hls_url"] is None
    assert [r["label"] for r in view["renditions"]] == ["720p", "360p"]
    for rendition in view["renditions"]:
        served = requests.get(
            f"{local_stack.api_url}{rendition['url']}", cookies=teacher.session.cookies, timeout=30
        )
        assert served.status_code == 200 and served.content[4:8] == b"ftyp"

    page = new_page()
    sign_in(page, "teacher-ana")
    page.goto(f"/#/videos/{video_id}")
    player = page.locator("#player")
    expect(player).to_have_attribute("data-engine", "file")
    page.evaluate("() => document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.0")
    assert ".mp4" in page.evaluate("() => document.getElementById('player').currentSrc")
