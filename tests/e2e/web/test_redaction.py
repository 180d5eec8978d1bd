"""Face redaction in a real browser: the coach redacts, the reviewer signs off, measured.

A clip of a recording flagged for students without media consent (a generated classroom
scene: a teacher and two students at known places) is seeded ready. The coach pauses on
the teacher, clicks her face in the picture, starts the redaction and watches it finish,
then previews the redacted version: the preview's picture, read back from the page, has
the students' faces blurred and the teacher's not. The reviewer claims the nomination,
steps to a moment the detector was least sure of, confirms that students' privacy is
respected and approves; the library shows the clip. Screenshots of both pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord
from chalicelib.videos.models import VideoRecord
from classreel.local.stack import LocalStack
from tests.e2e.web.conftest import check_page, screenshot, sign_in, visit
from tests.support.api import Api
from tests.support.face_scenes import Face, Mask, Scene, write_video
from tests.support.seed import ready_video, stored_clip
from tests.support.users import TokenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DISTRICT = "demo-district"
W, H, FPS, FRAMES = 480, 272, 15, 45
SCENE = Scene(
    W, H, FPS, FRAMES,
    (
        Face("astronaut", (84, 84), (120, 130), (120, 130), label="teacher"),
        Face("astronaut", (60, 56), (350, 170), (350, 170), angle_deg=10, label="student"),
        Face("cameraman", (62, 58), (400, 80), (400, 80), label="student sideways"),
    ),
)  # fmt: skip
AT_FRAME = 20

# The mean absolute difference of neighbouring pixels inside a box of the picture drawn
# from a <video> (what the viewer sees): a blurred face has little of it left.
DETAIL = """([id, box]) => {
    const video = document.getElementById(id);
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const [x0, y0, x1, y1] = box;
    const data = context.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    const width = x1 - x0;
    let sum = 0, count = 0;
    for (let i = 0; i + 4 < data.length; i += 4) {
        if ((i / 4) % width === width - 1) continue;
        sum += Math.abs(data[i] - data[i + 4]) + Math.abs(data[i + 1] - data[i + 5]);
        count += 1;
    }
    return sum / count;
}"""


def _box(mask: Mask) -> list[int]:
    ys, xs = np.nonzero(mask)
    return [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]


def _seek(page: Page, video_id: str, seconds: float) -> None:
    page.evaluate(
        """([id, t]) => new Promise((done) => {
            const video = document.getElementById(id);
            const go = () => {
                video.addEventListener('seeked', () => done(), { once: true });
                video.currentTime = t;
            };
            if (video.readyState >= 1) go();
            else video.addEventListener('loadedmetadata', go, { once: true });
        })""",
        [video_id, seconds],
    )


def _click_in_picture(page: Page, x: float, y: float) -> None:
    """Click the picture at (x, y) of the video's own frame (0..1), letterboxing included."""
    box = page.locator("#player").bounding_box()
    assert box is not None
    ratio = W / H
    width, height = box["width"], box["width"] / ratio
    if height > box["height"]:
        height, width = box["height"], box["height"] * ratio
    left = box["x"] + (box["width"] - width) / 2
    top = box["y"] + (box["height"] - height) / 2
    page.mouse.click(left + x * width, top + y * height)


@pytest.fixture
def flagged_clip(
    local_stack: LocalStack, tmp_path: Path
) -> tuple[ClipRecord, list[dict[str, Mask]]]:
    video = ready_video(
        "teacher-ana",
        district=DISTRICT,
        school="north-elementary",
        school_coaches=True,
        consent_to_library=True,
        title=f"Group work ({secrets.token_hex(2)})",
    )
    video.update(actions=[VideoRecord.contains_students_without_consent.set(True)])
    source = tmp_path / "scene.mp4"
    truth = write_video(SCENE, source)
    clip = stored_clip(
        video, source, created_by="coach-ben", title="Turn and talk",
        width=W, height=H, duration_s=FRAMES / FPS,
    )  # fmt: skip
    return clip, truth


def test_a_coach_redacts_a_clip_and_a_reviewer_signs_it_off(
    new_page: Callable[..., Page],
    local_stack: LocalStack,
    tokens: TokenFactory,
    screenshot_dir: Path,
    flagged_clip: tuple[ClipRecord, list[dict[str, Mask]]],
) -> None:
    clip, truth = flagged_clip
    at_s = AT_FRAME / FPS
    teacher_box, student_box = _box(truth[AT_FRAME]["teacher"]), _box(truth[AT_FRAME]["student"])

    # --- the coach marks the teacher's face and starts ------------------------------
    coach = new_page()
    sign_in(coach, "coach-ben")
    visit(coach, f"/#/clips/{clip.clip_id}")
    panel = coach.locator("#redaction")
    expect(panel).to_contain_text("Blur students' faces")
    _seek(coach, "player", at_s)
    coach.click("#redaction-mark")
    ys, xs = np.nonzero(truth[AT_FRAME]["teacher"])
    _click_in_picture(coach, float(xs.mean()) / W, float(ys.mean()) / H)
    expect(coach.locator("#redaction-marks li")).to_have_count(1)
    expect(coach.locator("#redaction-marks li")).to_contain_text("Face at 0:01")
    coach.click("#redaction-start")
    # The job runs on the local stack; the page follows it to the end.
    expect(coach.locator("#redaction-summary")).to_contain_text("1 kept unblurred", timeout=300_000)
    expect(coach.locator("#redaction-missed")).to_have_count(0)
    check_page(coach, "clip page, redacted")

    # --- the preview is blurred where the students are, and only there --------------
    coach.click("#redaction-preview-open")
    expect(coach.locator("#redacted-player")).to_be_visible()
    _seek(coach, "redacted-player", at_s)
    _seek(coach, "player", at_s)
    original = {
        "teacher": coach.evaluate(DETAIL, ["player", teacher_box]),
        "student": coach.evaluate(DETAIL, ["player", student_box]),
    }
    redacted = {
        "teacher": coach.evaluate(DETAIL, ["redacted-player", teacher_box]),
        "student": coach.evaluate(DETAIL, ["redacted-player", student_box]),
    }
    assert redacted["student"] < 0.4 * original["student"], (original, redacted)
    assert redacted["teacher"] > 0.7 * original["teacher"], (original, redacted)
    screenshot(coach, screenshot_dir / "redaction-clip.png", full_page=True)

    # --- the reviewer checks the least sure moment and signs off ---------------------
    coach_api = Api(
        local_stack.api_url,
        tokens.token("coach-ben", Role.COACH, district=DISTRICT, school="north-elementary"),
    )
    nominated = coach_api.ok(
        "POST",
        f"/clips/{clip.clip_id}/nominate",
        201,
        json={"note": "Students explain their reasoning", "elements": ["collaborative"]},
    )
    reviewer = new_page()
    sign_in(reviewer, "reviewer-cy")
    visit(reviewer, f"/#/review/{nominated['id']}")
    reviewer.click("#claim")
    section = reviewer.locator("#review-redaction")
    expect(section).to_contain_text("faces found")
    expect(reviewer.locator("#redaction-moments button").first).to_be_visible()
    reviewer.locator("#redaction-moments button").first.click()
    expect(reviewer.locator("#redaction-sign-off")).to_be_visible()
    reviewer.click("#redaction-sign-off")
    expect(reviewer.locator("#review-redaction-status [role=alert]")).to_contain_text(
        "Confirm that students' privacy is respected"
    )
    reviewer.check("#privacy-respected")
    reviewer.click("#redaction-sign-off")
    expect(reviewer.locator("#redaction-signed")).to_contain_text("Signed off by reviewer-cy")
    check_page(reviewer, "review item, redaction signed off")
    screenshot(reviewer, screenshot_dir / "redaction-review.png", full_page=True)
    for box in reviewer.locator("#approve-form input[name=checklist]").all():
        box.check()
    reviewer.click("#approve")
    expect(reviewer.locator("#decided")).to_contain_text("Approved")

    # --- the library shows it, redacted ----------------------------------------------
    reader = new_page()
    sign_in(reader, "teacher-raj")
    visit(reader, "/#/library")
    expect(reader.locator("main")).to_contain_text("Turn and talk")
