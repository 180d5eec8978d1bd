"""Watching in Chromium through the web client: HLS by hls.js, playable while encoding,
a manual quality switch, and playback that survives its access running out.

A stack of the module's own whose playback access lasts a few seconds, so the
renewal is exercised many times while the viewer pauses.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from chalicelib.auth.principal import Role
from classreel.local.demo_users import DEMO_DISTRICT
from classreel.local.stack import LocalStack
from tests.e2e.web.conftest import TIMEOUT_MS, sign_in
from tests.support.api import Api, upload_sample
from tests.support.stacks import dedicated_stack
from tests.support.users import TokenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ACCESS_S = 4
LESSON_S = 60
# Past hls.js's forward buffer (30 s): seeking there fetches new segments.
FAR_S = 48.0


@pytest.fixture(scope="module")
def short_access(
    tmp_path_factory: pytest.TempPathFactory, local_stack: LocalStack
) -> Iterator[LocalStack]:
    with dedicated_stack(
        tmp_path_factory.mktemp("playback") / "stack",
        CLASSREEL_PLAYBACK_ACCESS_S=str(ACCESS_S),
        CLASSREEL_SEGMENTS_PER_CHUNK="2",
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def long_lesson(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minute of 960x540 phone video (HEVC): two rungs, encoded in several chunks."""
    path = tmp_path_factory.mktemp("long-lesson") / "IMG_5501.MOV"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=960x540:rate=30:duration={LESSON_S}",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={LESSON_S}",
         "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none",
         "-tag:v", "hvc1", "-c:a", "aac", "-b:a", "64k", str(path)],
        check=True, timeout=300,
    )  # fmt: skip
    return path


def _page(browser: Browser, stack: LocalStack) -> Page:
    context = browser.new_context(base_url=stack.api_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _player_time(page: Page) -> float:
    return float(page.evaluate("() => document.getElementById('player').currentTime"))


def test_hls_plays_while_encoding_switches_quality_and_outlives_its_access(
    browser: Browser, short_access: LocalStack, long_lesson: Path
) -> None:
    teacher = Api(
        short_access.api_url,
        TokenFactory(short_access.settings()).token(
            "teacher-ana", Role.TEACHER, district=DEMO_DISTRICT, school="north-elementary"
        ),
    )
    video_id = upload_sample(teacher, long_lesson, long_lesson.name, "video/quicktime")
    deadline = time.monotonic() + 180
    while not teacher.video(video_id)["playable"]:
        assert time.monotonic() < deadline, "never playable"
        time.sleep(0.2)

    page = _page(browser, short_access)
    renewals: list[str] = []

    def count(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/videos/{video_id}/playback"):
            renewals.append(request.url)

    page.on("request", count)
    sign_in(page, "teacher-ana")
    page.goto(f"/#/videos/{video_id}")
    player = page.locator("#player")
    expect(player).to_have_attribute("data-engine", "hls.js")
    if teacher.video(video_id)["status"] == "processing":
        # The player came while the rest still encodes, and says so.
        expect(page.locator("#processing")).to_contain_text("watch while")
    page.evaluate("() => document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.0")

    # Automatic quality first; then the viewer picks a rung and keeps the moment.
    expect(page.locator("#quality option")).to_have_count(3)  # Auto, 540p, 360p
    page.select_option("#quality", label="360p")
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v.dataset.level === '360p' && v.readyState >= 2; }"
    )

    assert teacher.wait_for(video_id, timeout_s=300)["status"] == "ready"
    page.evaluate("() => document.getElementById('player').pause()")
    first_renewals = len(renewals)
    # The viewer pauses for three lifetimes of the access (the scenario itself, not
    # a wait for something to happen): the client renews it under them.
    page.wait_for_timeout(3 * ACCESS_S * 1000)
    assert len(renewals) >= first_renewals + 2, renewals
    page.evaluate(
        "(t) => { const v = document.getElementById('player'); v.currentTime = t; v.play(); }",
        FAR_S,
    )
    page.wait_for_function(
        "(t) => document.getElementById('player').currentTime > t", arg=FAR_S + 1
    )
    assert _player_time(page) > FAR_S + 1
    page.context.close()
