"""``VIDEO#{video}`` / ``EVAL#{id}``: an evaluation, kept beside its video's comments."""

from __future__ import annotations

import secrets
from enum import StrEnum

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import EnumAttribute, TableModel, utcnow

EVALUATION_PREFIX = "EVAL#"


def new_evaluation_id() -> str:
    return "ev_" + secrets.token_hex(8)


class EvaluationStatus(StrEnum):
    DRAFT = "draft"
    RELEASED = "released"
    ACKNOWLEDGED = "acknowledged"


class EvaluationRecord(TableModel):
    evaluation_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    evaluator_id = UnicodeAttribute()
    evaluator_name = UnicodeAttribute(null=True)
    # element id → a level of the district's rubric; stored as JSON: never queried inside.
    scores = JSONAttribute(default=dict)
    # The rubric version it was scored on (chalicelib/evaluations/rubric.py; absent: 0).
    rubric_version = NumberAttribute(null=True)
    summary = UnicodeAttribute()
    evidence = ListAttribute[str](default=list)
    status = EnumAttribute(EvaluationStatus, default=EvaluationStatus.DRAFT)
    released_at = UTCDateTimeAttribute(null=True)
    teacher_response = UnicodeAttribute(null=True)
    acknowledged_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(video_id: str, evaluation_id: str) -> tuple[str, str]:
        return EvaluationRecord.partition(video_id), f"{EVALUATION_PREFIX}{evaluation_id}"

    @staticmethod
    def partition(video_id: str) -> str:
        return f"VIDEO#{video_id}"
