"""Face redaction on the local stack: the job, the review gate and the library, as used.

One clip, once: a generated classroom scene (a teacher and two students at known places,
tests/support/face_scenes.py) stored as a ready clip of a recording a coach flags for
students without media consent. The coach clicks the teacher's face in one frame; the
redaction worker (the container image's entry point, run by the local runner) detects,
tracks and blurs, and encodes the clip's ladder. What is served is measured: the redacted
rendition a reviewer watches has the students blurred and the teacher not. Then the gate,
end to end: nomination waits for the redaction, approval for a reviewer's sign-off of the
version that is ready; the library serves only the redacted media (the original refused to
the cookies it gives); flagging again keeps the signed-off clip, the teacher's own
withdrawal of consent takes it out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.config import get_settings
from chalicelib.redaction import service, worker
from chalicelib.redaction.schemas import StartRedactionRequest
from chalicelib.storage import objects
from tests.support.api import Api
from tests.support.face_scenes import (
    Face,
    Mask,
    Scene,
    blurred_pixels,
    blurred_share,
    read_video,
    write_video,
)
from tests.support.hls import fetch
from tests.support.principals import person
from tests.support.seed import stored_clip
from tests.support.workflow import CHECKLIST, Workflow, new_workflow

pytestmark = pytest.mark.integration

W, H, FPS, FRAMES = 480, 272, 15, 45
SCENE = Scene(
    W, H, FPS, FRAMES,
    (
        Face("astronaut", (80, 84), (110, 130), (150, 125), first_frame=5, last_frame=40,
             label="teacher"),
        Face("astronaut", (56, 52), (330, 170), (380, 160), angle_deg=12, first_frame=5,
             last_frame=40, label="student front"),
        Face("cameraman", (60, 56), (400, 80), (360, 90), first_frame=5, last_frame=40,
             label="student sideways"),
    ),
)  # fmt: skip
CLICK_FRAME = 20
ELEMENTS = ["collaborative"]


@dataclass
class Redacted:
    w: Workflow
    reader: Api  # a teacher of another school, reading the library
    clip: ClipRecord
    source: Path
    truth: list[dict[str, Mask]]
    refused_before: dict[str, Any]  # nominating before the redaction
    published_before: str  # a clip approved before the flag, without a redaction
    redaction: dict[str, Any]  # as the job left it


def wait_for_redaction(api: Api, clip_id: str, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        redaction: dict[str, Any] = api.ok("GET", f"/clips/{clip_id}/redaction")
        if redaction["status"] != "processing":
            return redaction
        assert time.monotonic() < deadline, f"redaction still processing: {redaction}"
        time.sleep(0.5)


def _redacted_prefixes_once(clip_id: str, expected: list[str], timeout_s: float = 60) -> list[str]:
    """The clip's redacted prefixes, as soon as they are ``expected`` (or at the deadline)."""
    settings = get_settings()
    deadline = time.monotonic() + timeout_s
    while True:
        found = objects.list_prefixes(settings.media_bucket, f"clips/{clip_id}/redacted/", settings)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _scene_clip(w: Workflow, folder: Path) -> tuple[ClipRecord, Path, list[dict[str, Mask]]]:
    """A ready clip whose stored rendition is the generated scene."""
    source = folder / "scene.mp4"
    truth = write_video(SCENE, source)
    clip = stored_clip(
        w.video, source, created_by="coach-r", title="Think-pair-share",
        width=W, height=H, duration_s=FRAMES / FPS,
    )  # fmt: skip
    return clip, source, truth


@pytest.fixture(scope="module")
def redacted(api_as: Callable[..., Api], tmp_path_factory: pytest.TempPathFactory) -> Redacted:
    w = new_workflow(api_as)
    reader = api_as("teacher-elsewhere", district=w.district, school="school-2")
    before = w.clip()
    w.approve(w.nominate(before, ELEMENTS))
    clip, source, truth = _scene_clip(w, tmp_path_factory.mktemp("redaction"))
    w.coach.ok(
        "PUT",
        f"/videos/{w.video.video_id}/safeguards",
        json={"contains_students_without_consent": True},
    )
    refused = w.coach.call(
        "POST", f"/clips/{clip.clip_id}/nominate", json={"note": "n", "elements": ELEMENTS}
    )
    started = w.coach.ok(
        "POST", f"/clips/{clip.clip_id}/redaction", 202, json={"keep": [_click(truth)]}
    )
    assert started["status"] == "processing"
    return Redacted(
        w=w,
        reader=reader,
        clip=clip,
        source=source,
        truth=truth,
        refused_before={"status": refused.status_code, **refused.json()},
        published_before=before.clip_id,
        redaction=wait_for_redaction(w.coach, clip.clip_id),
    )


def _assert_served_blurred(api: Api, clip_id: str, redacted: Redacted, folder: Path) -> None:
    """What the coach previews (and a reviewer will watch): the redacted version's top
    rendition, fetched with the cookies its playback gives, measured frame by frame."""
    view = api.ok("POST", f"/clips/{clip_id}/redaction/playback")
    served = fetch(api, view["renditions"][0]["url"])
    assert served.status_code == 200
    (folder / "served.mp4").write_bytes(served.content)
    frames = read_video(folder / "served.mp4", W, H)
    originals = read_video(redacted.source, W, H)
    assert len(frames) == FRAMES
    worst: dict[str, float] = {}
    for out, reference, masks in zip(frames, originals, redacted.truth, strict=True):
        informative, blurred = blurred_pixels(out, reference)
        for label, mask in masks.items():
            share = blurred_share(informative, blurred, mask)
            worst[label] = (min if label != "teacher" else max)(worst.get(label, share), share)
    assert worst["student front"] >= 0.95, worst
    assert worst["student sideways"] >= 0.95, worst
    assert worst["teacher"] <= 0.05, worst


def _click(truth: list[dict[str, Mask]]) -> dict[str, float]:
    """The coach clicks the teacher's face once, where it is in frame 20."""
    ys, xs = np.nonzero(truth[CLICK_FRAME]["teacher"])
    return {"at_s": CLICK_FRAME / FPS, "x": float(xs.mean()) / W, "y": float(ys.mean()) / H}


def test_the_job_blurs_every_student_and_keeps_the_clicked_teacher(
    redacted: Redacted, tmp_path: Path
) -> None:
    redaction = redacted.redaction
    assert redaction["status"] == "ready", redaction
    assert redaction["faces_found"] >= 3 and redaction["faces_kept"] == 1
    assert [k["found"] for k in redaction["keep"]] == [True]
    unsure = redaction["unsure_at_s"]
    assert unsure and all(0 <= t <= FRAMES / FPS for t in unsure)
    w = redacted.w
    _assert_served_blurred(w.coach, redacted.clip.clip_id, redacted, tmp_path)
    # Who kept which face unblurred, where and when: in the teacher's trail.
    trail = w.teacher.ok("GET", f"/videos/{w.video.video_id}/audit", params={"limit": 100})
    kept = [e for e in trail["items"] if e["action"] == "redaction.face_kept"]
    assert [(e["actor_id"], e["clip_id"]) for e in kept] == [("coach-r", redacted.clip.clip_id)]
    assert kept[0]["subject"].startswith(f"at {CLICK_FRAME / FPS:.2f}s")


def test_a_flagged_clip_reaches_the_library_only_redacted_and_signed_off(
    redacted: Redacted,
) -> None:
    w, clip_id = redacted.w, redacted.clip.clip_id
    # Before the redaction: refused in words that say what to do.
    assert redacted.refused_before["status"] == 409
    assert redacted.refused_before["error"] == "consent_required"
    assert "blur their faces" in redacted.refused_before["message"]
    # The clip approved before the flag left the library when students were flagged.
    assert redacted.reader.ok("GET", "/library")["items"] == []

    review_id = w.nominate(redacted.clip, ELEMENTS)
    w.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    item = w.reviewer.ok("GET", f"/review-queue/{review_id}")
    assert item["clip"]["redacted"] is True
    run = redacted.redaction["ready_run_id"]
    assert all(f"/redacted/{run}/" in r["url"] for r in item["clip"]["renditions"])

    approve = {"checklist": CHECKLIST}
    unsigned = w.reviewer.call("POST", f"/review-queue/{review_id}/approve", json=approve)
    assert unsigned.status_code == 409, unsigned.text
    assert "students' privacy is respected" in unsigned.json()["message"]
    sign_off = f"/clips/{clip_id}/redaction/sign-off"
    unconfirmed = {"run_id": run, "privacy_respected": False}
    not_confirmed = w.reviewer.call("POST", sign_off, json=unconfirmed)
    assert not_confirmed.status_code == 400
    assert not_confirmed.json()["field"] == "privacy_respected"
    stale = w.reviewer.call("POST", sign_off, json={"run_id": "run_old", "privacy_respected": True})
    assert stale.status_code == 409 and stale.json()["field"] == "run_id"
    by_coach = w.coach.call("POST", sign_off, json={"run_id": run, "privacy_respected": True})
    assert by_coach.status_code == 403
    signed = w.reviewer.ok("POST", sign_off, json={"run_id": run, "privacy_respected": True})
    assert signed["signed_off"] is True and signed["signed_off_by"] == "reviewer-1"
    w.reviewer.ok("POST", f"/review-queue/{review_id}/approve", json=approve)

    # The library has the redacted version only; its cookies open nothing else.
    (entry,) = redacted.reader.ok("GET", "/library")["items"]
    assert entry["clip_id"] == clip_id and entry["redacted"] is True
    assert entry["storyboard_vtt_url"] is None
    assert all(f"clips/{clip_id}/redacted/{run}/" in r["url"] for r in entry["renditions"])
    watched = redacted.reader.ok("POST", f"/clips/{clip_id}/playback")
    assert fetch(redacted.reader, watched["renditions"][0]["url"]).status_code == 200
    original = f"/media/{redacted.clip.renditions[0].key}"
    assert original != watched["renditions"][0]["url"]
    assert fetch(redacted.reader, original).status_code == 403

    # The signed-off version cannot change under the library.
    changed = w.coach.call("PUT", f"/clips/{clip_id}/redaction/regions", json={"regions": []})
    assert changed.status_code == 409 and "library" in changed.json()["message"]

    # Students flagged again: the signed-off clip shows none of them, so it stays.
    safeguards = f"/videos/{w.video.video_id}/safeguards"
    w.coach.ok("PUT", safeguards, json={"contains_students_without_consent": False})
    w.coach.ok("PUT", safeguards, json={"contains_students_without_consent": True})
    assert [i["clip_id"] for i in redacted.reader.ok("GET", "/library")["items"]] == [clip_id]
    # The teacher is seen in a redacted clip too: her own withdrawal takes it out.
    w.teacher.ok("PATCH", f"/videos/{w.video.video_id}", json={"consent_to_library": False})
    assert redacted.reader.ok("GET", "/library")["items"] == []
    trail = w.teacher.ok("GET", f"/videos/{w.video.video_id}/audit", params={"limit": 100})
    actions = {(e["action"], e["actor_id"]) for e in trail["items"] if e["clip_id"] == clip_id}
    assert {
        ("redaction.requested", "coach-r"),
        ("redaction.signed_off", "reviewer-1"),
        ("library.published", "reviewer-1"),
        ("library.unpublished", "teacher-r"),
    } <= actions


def test_a_long_clip_is_detected_in_spans_side_by_side_and_blurred_the_same(
    redacted: Redacted, tmp_path: Path
) -> None:
    """Spans of one second (the setting the run is asked with): three detection jobs, the
    last to finish sends the run on, which tracks across the spans' joins."""
    w = redacted.w
    clip, source, truth = _scene_clip(w, tmp_path)
    coach = person("coach-r", Role.COACH, district=w.district, school="school-1")
    settings = get_settings().model_copy(update={"redaction_segment_s": 1.0})
    service.start(coach, clip.clip_id, StartRedactionRequest.model_validate(
        {"keep": [_click(truth)]}), settings)  # fmt: skip
    done = wait_for_redaction(w.coach, clip.clip_id)
    assert done["status"] == "ready", done
    assert [k["found"] for k in done["keep"]] == [True]
    record = RedactionRecord.load(clip.clip_id)
    assert record is not None
    assert record.segments == 3 and record.detected == {0, 1, 2}
    # The spans' detections are the run's scratch: swept by the run right after it
    # published (its status turns ready first, so the sweep may still be under way).
    leftovers = _redacted_prefixes_once(
        clip.clip_id, [f"clips/{clip.clip_id}/redacted/{record.ready_run_id}/"]
    )
    assert leftovers == [f"clips/{clip.clip_id}/redacted/{record.ready_run_id}/"]
    # A span delivered twice, its second copy finishing after the run published (as on a
    # loaded machine): what that copy wrote goes too.
    stale = RedactionRecord.load(clip.clip_id)
    assert stale is not None
    stale.detected = {0, 1}
    assert worker.detect_segment(stale, 2, last_attempt=False, settings=settings) == "superseded"
    assert (
        objects.list_prefixes(
            get_settings().media_bucket, f"clips/{clip.clip_id}/redacted/", get_settings()
        )
        == leftovers
    )
    spans = Redacted(w, redacted.reader, clip, source, truth, {}, "", done)
    _assert_served_blurred(w.coach, clip.clip_id, spans, tmp_path)
