"""An audit entry: by day per district, by video when it names one, kept for the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.audit.models import AuditAction, day_partition, video_audit_partition
from chalicelib.audit.service import Actor, Event, entry_for
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from tests.support.principals import person

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_an_entry_is_filed_by_day_and_video_and_expires_after_the_retention_period() -> None:
    actor = Actor.of(person("coach", Role.COACH))
    entry = entry_for(actor, Event(AuditAction.VIDEO_VIEWED, "district-a", "v1"), AT)
    assert entry.pk == day_partition("district-a", AT)
    assert entry.sk.startswith(AT.isoformat())
    assert entry.gsi1pk == video_audit_partition("v1")
    assert (entry.actor_id, entry.actor_role, entry.action) == ("coach", "coach", "video.viewed")
    assert entry.expires_at == AT + timedelta(days=get_settings().audit_retention_days)


def test_an_entry_without_a_video_is_only_in_the_districts_day() -> None:
    entry = entry_for(Actor("system", "system"), Event(AuditAction.DATA_EXPORTED, "d"), AT)
    assert entry.gsi1pk is None


def test_a_persons_highest_role_is_recorded() -> None:
    assert Actor.of(person("x", Role.TEACHER, Role.ADMIN)).role == "admin"
