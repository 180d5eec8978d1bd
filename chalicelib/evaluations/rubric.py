"""A district's evaluation rubric: the levels a framework element is scored on, and their labels.

Like the QC checklist (chalicelib/review/checklist.py) a rubric is a series of versions,
``RUBRIC#{district}`` / ``V#{n:06d}``, each written once: an evaluation records the version
it was scored on (``EvaluationRecord.rubric_version``), so a district moving from 1-4 to
1-5 never changes what a released evaluation said. Version 0 is the built-in 1-4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError

from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import Document, TableModel, is_conditional_check_failure, utcnow
from chalicelib.errors import Conflict, Forbidden, NotFound

VERSION_PREFIX = "V#"


@dataclass(frozen=True)
class Level:
    score: int
    label: str


@dataclass(frozen=True)
class Rubric:
    version: int
    levels: tuple[Level, ...]
    updated_by: str | None = None

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(level.score for level in self.levels)


BUILT_IN = Rubric(
    0,
    (
        Level(1, "Unsatisfactory"),
        Level(2, "Basic"),
        Level(3, "Proficient"),
        Level(4, "Distinguished"),
    ),
)


class LevelAttr(Document):
    score = NumberAttribute()
    label = UnicodeAttribute()


class RubricRecord(TableModel):
    district = UnicodeAttribute()
    version_number = NumberAttribute()
    levels = ListAttribute(of=LevelAttr)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def partition(district: str) -> str:
        return f"RUBRIC#{district}"

    @staticmethod
    def key(district: str, version: int) -> tuple[str, str]:
        return RubricRecord.partition(district), f"{VERSION_PREFIX}{version:06d}"

    def rubric(self) -> Rubric:
        return Rubric(
            int(self.version_number),
            tuple(Level(int(level.score), level.label) for level in self.levels),
            self.created_by,
        )


def current(district: str) -> Rubric:
    for record in RubricRecord.query(
        RubricRecord.partition(district),
        RubricRecord.sk.startswith(VERSION_PREFIX),
        scan_index_forward=False,
        limit=1,
        consistent_read=True,
    ):
        return record.rubric()
    return BUILT_IN


def version(district: str, number: int) -> Rubric:
    if number == 0:
        return BUILT_IN
    try:
        return RubricRecord.get(*RubricRecord.key(district, number), consistent_read=True).rubric()
    except RubricRecord.DoesNotExist:
        raise NotFound(f"No rubric version {number}", field="version") from None


def replace(principal: Principal, levels: Sequence[Level], read_version: int) -> Rubric:
    """A new version from the one the admin read (a stale one is a 409)."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can change the evaluation rubric")
    latest = current(principal.district)
    if read_version != latest.version:
        raise Conflict(
            f"The rubric changed since you read it (now version {latest.version})",
            field="version",
        )
    number = latest.version + 1
    record = RubricRecord(
        *RubricRecord.key(principal.district, number),
        district=principal.district,
        version_number=number,
        levels=[LevelAttr(score=level.score, label=level.label) for level in levels],
        created_by=principal.user_id,
    )
    try:
        record.save(condition=RubricRecord.pk.does_not_exist())
    except PutError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("Someone changed the rubric a moment ago", field="version") from exc
        raise
    return record.rubric()
