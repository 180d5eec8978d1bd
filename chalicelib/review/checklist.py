"""The quality-control criteria a reviewer confirms before approving a clip."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str


CHECKLIST = (
    Criterion("supports_all_learners", "The practice shown supports all learners"),
    Criterion("student_privacy_respected", "Students' privacy is respected"),
    Criterion("audio_intelligible", "The audio is intelligible"),
    Criterion("focused_on_one_teacher_action", "The clip is focused on one teacher action"),
)
CHECKLIST_KEYS = tuple(c.key for c in CHECKLIST)
