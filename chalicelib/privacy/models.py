"""Privacy's records.

- ``RETENTION#POLICIES`` / ``{district}``: a district's retention policy;
- ``EXPORTS#{district}#{user}`` / ``EXPORT#{id}``: a teacher's data export and its
  state, with a TTL (the zip goes with it, by the bucket's lifecycle rule).
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.base import EnumAttribute, TableModel

POLICIES = "RETENTION#POLICIES"


class RetentionPolicy(TableModel):
    district = UnicodeAttribute()
    source_days = NumberAttribute(null=True)
    renditions_days = NumberAttribute(null=True)
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(district: str) -> tuple[str, str]:
        return POLICIES, district

    @classmethod
    def load(cls, district: str) -> RetentionPolicy | None:
        try:
            return cls.get(*cls.key(district), consistent_read=True)
        except cls.DoesNotExist:
            return None


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ExportRecord(TableModel):
    export_id = UnicodeAttribute()
    district = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = EnumAttribute(ExportStatus, default=ExportStatus.PENDING)
    key = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    videos = NumberAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()

    @staticmethod
    def key_of(district: str, user_id: str, export_id: str) -> tuple[str, str]:
        return ExportRecord.partition(district, user_id), f"EXPORT#{export_id}"

    @staticmethod
    def partition(district: str, user_id: str) -> str:
        return f"EXPORTS#{district}#{user_id}"
