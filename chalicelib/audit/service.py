"""Recording and reading the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.audit.models import (
    AuditAction,
    AuditDay,
    AuditRecord,
    day_partition,
    days_partition,
    new_audit_id,
    video_audit_partition,
)
from chalicelib.auth.principal import Principal, Role
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor, is_table_key
from chalicelib.errors import Forbidden, InvalidInput

# Work done by the platform itself (retention) is recorded under this actor.
SYSTEM = "system"
# A page of GET /audit reads at most this many days; a sparse trail gets a
# short page and a cursor rather than one long request.
MAX_DAYS_PER_PAGE = 31


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.primary_role.value)


SYSTEM_ACTOR = Actor(SYSTEM, SYSTEM)


@dataclass(frozen=True)
class Event:
    action: AuditAction
    district: str
    video_id: str | None = None
    clip_id: str | None = None
    subject: str | None = None


def entry_for(actor: Actor, event: Event, at: datetime) -> AuditRecord:
    """The entry that records ``event`` by ``actor`` at ``at`` (kept for the retention period)."""
    audit_id = new_audit_id()
    sort_key = f"{at.isoformat()}#{audit_id}"
    entry = AuditRecord(
        day_partition(event.district, at),
        sort_key,
        audit_id=audit_id,
        district=event.district,
        action=event.action.value,
        actor_id=actor.user_id,
        actor_role=actor.role,
        at=at,
        video_id=event.video_id,
        clip_id=event.clip_id,
        subject=event.subject,
        expires_at=at + timedelta(days=get_settings().audit_retention_days),
    )
    return entry.index_keys()


def record(actor: Actor | Principal, event: Event) -> None:
    record_many(actor, [event])


def record_many(
    actor: Actor | Principal, events: Iterable[Event], *, at: datetime | None = None
) -> None:
    """Append entries (at ``at``, default now); a conditional put, so an entry is never
    overwritten."""
    who = actor if isinstance(actor, Actor) else Actor.of(actor)
    now = at or utcnow()
    entries = [entry_for(who, event, now) for event in events]
    # The day markers first: an entry is never written on a day the trail's
    # reader would skip.
    for district in sorted({entry.district for entry in entries}):
        AuditDay.update_item(
            days_partition(district),
            now.date().isoformat(),
            actions=[
                AuditDay.district.set(district),
                AuditDay.expires_at.set(max(e.expires_at for e in entries if e.expires_at)),
            ],
        )
    if len(entries) == 1:
        entries[0].save(condition=AuditRecord.pk.does_not_exist())
        return
    # Batch writes cannot carry conditions; the random ids make a collision moot.
    with AuditRecord.batch_write() as batch:
        for entry in entries:
            batch.save(entry)


def video_trail(
    video_id: str, *, cursor: str | None, limit: int
) -> tuple[list[AuditRecord], str | None]:
    """A video's entries, newest first (the caller decides who may read them)."""
    partition = video_audit_partition(video_id)
    results = AuditRecord.by_video.query(
        partition,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, must_match={"gsi1pk": partition}),
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key if len(items) == limit else None)


def district_page(
    principal: Principal, since: date, until: date | None, *, cursor: str | None, limit: int
) -> tuple[list[AuditRecord], str | None]:
    """The caller's district's entries between two days, oldest first, a page at a time.

    One Query finds the days that have entries (however far back ``since`` is),
    then one Query per such day, at most ``MAX_DAYS_PER_PAGE`` of them per page.
    The cursor carries the day and DynamoDB's key within it (none: the day's start).
    """
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can export the audit trail")
    last = until or utcnow().date()
    if since > last:
        raise InvalidInput("since is after until", field="since")
    first, start_key = since, None
    if cursor:
        first, start_key = _district_position(principal.district, cursor)
        if first < since or first > last:
            raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    days = AuditDay.query(
        days_partition(principal.district),
        AuditDay.sk.between(first.isoformat(), last.isoformat()),
        limit=MAX_DAYS_PER_PAGE + 1,
    )
    active = [date.fromisoformat(day.sk) for day in days]
    items: list[AuditRecord] = []
    for index, day in enumerate(active[:MAX_DAYS_PER_PAGE]):
        partition = day_partition(principal.district, datetime(day.year, day.month, day.day))
        results = AuditRecord.query(
            partition, limit=limit - len(items), last_evaluated_key=start_key
        )
        items += list(results)
        start_key = None
        if len(items) >= limit:
            if results.last_evaluated_key:
                return items, _district_cursor(principal.district, day, results.last_evaluated_key)
            following = active[index + 1 : index + 2]
            if following:
                return items, _district_cursor(principal.district, following[0], None)
            return items, None
    if len(active) > MAX_DAYS_PER_PAGE:
        return items, _district_cursor(principal.district, active[MAX_DAYS_PER_PAGE], None)
    return items, None


def _district_cursor(district: str, day: date, key: dict[str, Any] | None) -> str | None:
    return encode_cursor({"district": district, "day": day.isoformat(), "key": key})


def _district_position(district: str, cursor: str) -> tuple[date, dict[str, Any] | None]:
    position = decode_cursor(cursor, must_match={})
    if position is None or "day" not in position or "key" not in position:
        raise InvalidInput("The cursor is not valid", field="cursor")
    if position.get("district") != district:
        raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    try:
        day = date.fromisoformat(position["day"])
    except (TypeError, ValueError) as exc:
        raise InvalidInput("The cursor is not valid", field="cursor") from exc
    start_key = position["key"]
    if start_key is None:
        return day, None
    partition = day_partition(district, datetime(day.year, day.month, day.day))
    if (
        not isinstance(start_key, dict)
        or not is_table_key(start_key)
        or start_key.get("pk") != {"S": partition}
    ):
        raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    return day, start_key
