"""``CYCLE#{id}`` / ``META``: one coaching cycle; ``CYCLE#{id}`` / ``EVIDENCE#{added}#{n}``:
what was gathered for it, oldest first.

Indexes (sorted ``{status}#{opened_at}#{id}``, so open cycles are one prefix query):
gsi1 ``CYCLES#{district}#{teacher}`` and gsi2 ``CYCLES#{district}#{coach}``: the cycles
each of them is in. Evidence carries gsi3 ``CYCLEVIDEO#{video}``: deleting a video
deletes the evidence that points at it.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import EnumAttribute, Gsi1, Gsi2, Gsi3, TableModel, utcnow

EVIDENCE_PREFIX = "EVIDENCE#"


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def new_cycle_id() -> str:
    return "cy_" + secrets.token_hex(8)


def person_partition(district: str, user_id: str) -> str:
    return f"CYCLES#{district}#{user_id}"


def video_evidence_partition(video_id: str) -> str:
    return f"CYCLEVIDEO#{video_id}"


class CycleRecord(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_teacher = Gsi1()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_coach = Gsi2()

    cycle_id = UnicodeAttribute()
    district = UnicodeAttribute()
    teacher_id = UnicodeAttribute()
    coach_id = UnicodeAttribute()
    element = UnicodeAttribute()
    goal = UnicodeAttribute()
    status = EnumAttribute(CycleStatus, default=CycleStatus.OPEN)
    opened_by = UnicodeAttribute()
    opened_at = UTCDateTimeAttribute(default_for_new=utcnow)
    reflection = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    evidence_count = NumberAttribute(default=0)
    version = VersionAttribute()

    @staticmethod
    def key(cycle_id: str) -> tuple[str, str]:
        return f"CYCLE#{cycle_id}", "META"

    def sort_key(self, status: CycleStatus) -> str:
        return f"{status.value}#{self.opened_at.isoformat()}#{self.cycle_id}"

    def index_keys(self) -> CycleRecord:
        self.gsi1pk = person_partition(self.district, self.teacher_id)
        self.gsi2pk = person_partition(self.district, self.coach_id)
        self.gsi1sk = self.gsi2sk = self.sort_key(self.status)
        return self


class EvidenceRecord(TableModel):
    gsi3pk = UnicodeAttribute()
    gsi3sk = UnicodeAttribute()
    by_video = Gsi3()

    cycle_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    comment_id = UnicodeAttribute(null=True)
    at_s = NumberAttribute(null=True)
    note = UnicodeAttribute()
    added_by = UnicodeAttribute()
    added_at = UTCDateTimeAttribute(default_for_new=utcnow)
