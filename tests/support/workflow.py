"""A fresh district with the people of a review workflow and a consented video."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord
from chalicelib.videos.models import VideoRecord
from tests.support.api import Api
from tests.support.seed import ready_clip, ready_video

CHECKLIST = {
    "supports_all_learners": True,
    "student_privacy_respected": True,
    "audio_intelligible": True,
    "focused_on_one_teacher_action": True,
}


@dataclass
class Workflow:
    district: str
    teacher: Api
    coach: Api
    reviewer: Api
    reviewer2: Api
    admin: Api
    video: VideoRecord

    def clip(self, **kwargs: Any) -> ClipRecord:
        return ready_clip(self.video, created_by="coach-r", **kwargs)

    def nominate(self, clip: ClipRecord, elements: list[str], note: str = "Strong") -> str:
        return self.nominate_id(clip.clip_id, elements, note)

    def nominate_id(self, clip_id: str, elements: list[str], note: str = "Strong") -> str:
        body = {"note": note, "elements": elements}
        item = self.coach.ok("POST", f"/clips/{clip_id}/nominate", 201, json=body)
        return str(item["id"])

    def approve(self, review_id: str, reviewer: Api | None = None) -> dict[str, object]:
        reviewer = reviewer or self.reviewer
        reviewer.ok("POST", f"/review-queue/{review_id}/claim")
        approved: dict[str, object] = reviewer.ok(
            "POST",
            f"/review-queue/{review_id}/approve",
            json={"checklist": CHECKLIST, "note": "Clear example"},
        )
        return approved


def new_workflow(api_as: Callable[..., Api]) -> Workflow:
    district = f"district-rv-{secrets.token_hex(3)}"
    return Workflow(
        district=district,
        teacher=api_as("teacher-r", district=district, school="school-1"),
        coach=api_as("coach-r", Role.COACH, district=district, school="school-1"),
        reviewer=api_as("reviewer-1", Role.REVIEWER, district=district, school=None),
        reviewer2=api_as("reviewer-2", Role.REVIEWER, district=district, school=None),
        admin=api_as("admin-r", Role.ADMIN, district=district, school=None),
        video=ready_video(
            "teacher-r",
            district=district,
            school="school-1",
            school_coaches=True,
            consent_to_library=True,
        ),
    )
