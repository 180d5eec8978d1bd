"""The quality-control criteria a reviewer confirms before approving a clip, per district.

A district's checklist is a series of versions: ``CHECKLIST#{district}`` / ``V#{n:06d}``,
each written once and never changed, so an approval names the version it confirmed
(``ReviewRecord.checklist_version``) and still reads as it was after the district edits
its checklist. Version 0 is the built-in one below, in force until an admin writes one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pynamodb.attributes import ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import Document, TableModel, is_conditional_check_failure, utcnow
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound

VERSION_PREFIX = "V#"


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


@dataclass(frozen=True)
class Checklist:
    version: int
    criteria: tuple[Criterion, ...]
    updated_by: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)


BUILT_IN = Checklist(0, CHECKLIST)


class CriterionAttr(Document):
    key = UnicodeAttribute()
    label = UnicodeAttribute()


class ChecklistRecord(TableModel):
    district = UnicodeAttribute()
    version_number = UnicodeAttribute()
    criteria = ListAttribute(of=CriterionAttr)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def partition(district: str) -> str:
        return f"CHECKLIST#{district}"

    @staticmethod
    def key(district: str, version: int) -> tuple[str, str]:
        return ChecklistRecord.partition(district), f"{VERSION_PREFIX}{version:06d}"

    def checklist(self) -> Checklist:
        return Checklist(
            int(self.version_number),
            tuple(Criterion(c.key, c.label) for c in self.criteria),
            self.created_by,
        )


def current(district: str) -> Checklist:
    """The district's newest version (the built-in one until an admin writes one)."""
    for record in ChecklistRecord.query(
        ChecklistRecord.partition(district),
        ChecklistRecord.sk.startswith(VERSION_PREFIX),
        scan_index_forward=False,
        limit=1,
        consistent_read=True,
    ):
        return record.checklist()
    return BUILT_IN


def version(district: str, number: int) -> Checklist:
    if number == 0:
        return BUILT_IN
    try:
        return ChecklistRecord.get(
            *ChecklistRecord.key(district, number), consistent_read=True
        ).checklist()
    except ChecklistRecord.DoesNotExist:
        raise NotFound(f"No checklist version {number}", field="version") from None


def replace(principal: Principal, criteria: Sequence[Criterion], read_version: int) -> Checklist:
    """A new version, made from the one the admin read: of two edits of one version, one
    wins and the other is told (409), so nobody's change is lost without knowing."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can change the QC checklist")
    latest = current(principal.district)
    if read_version != latest.version:
        raise Conflict(
            f"The checklist changed since you read it (now version {latest.version})",
            field="version",
        )
    number = latest.version + 1
    record = ChecklistRecord(
        *ChecklistRecord.key(principal.district, number),
        district=principal.district,
        version_number=str(number),
        criteria=[CriterionAttr(key=c.key, label=c.label) for c in criteria],
        created_by=principal.user_id,
    )
    try:
        record.save(condition=ChecklistRecord.pk.does_not_exist())
    except PutError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("Someone changed the checklist a moment ago", field="version") from exc
        raise
    return record.checklist()


def check_confirmed(checklist: Checklist, confirmed: Mapping[str, bool]) -> None:
    """Approval confirms every criterion of the version in force, and nothing else."""
    unknown = sorted(set(confirmed) - set(checklist.keys))
    if unknown:
        raise InvalidInput(f"Not a QC criterion: {', '.join(unknown)}", field="checklist")
    unmet = [key for key in checklist.keys if not confirmed.get(key)]
    if unmet:
        raise InvalidInput(
            "To approve, confirm every QC criterion; not confirmed: " + ", ".join(unmet),
            field="checklist",
        )
