"""``FRAMEWORK#{district}`` / ``META`` holds the elements; ``USAGE#{element}`` counts tags.

Usage counters (atomic ADDs) let an admin's edit know whether an element is in
use without scanning comments.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, TableModel, utcnow


class ElementAttr(Document):
    id = UnicodeAttribute()
    label = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    colour = UnicodeAttribute(null=True)
    teacher_actions = ListAttribute[str](default=list)
    retired = BooleanAttribute(default=False)


class FrameworkRecord(TableModel):
    district = UnicodeAttribute()
    name = UnicodeAttribute()
    elements = ListAttribute(of=ElementAttr, default=list)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(district: str) -> tuple[str, str]:
        return f"FRAMEWORK#{district}", "META"


class ElementUsage(TableModel):
    uses = NumberAttribute(default=0)

    @staticmethod
    def key(district: str, element_id: str) -> tuple[str, str]:
        return f"FRAMEWORK#{district}", f"USAGE#{element_id}"
