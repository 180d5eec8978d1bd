"""A person's inbox and preferences: read, count, mark read, choose what and how."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.auth.principal import Principal
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.errors import Conflict, NotFound
from chalicelib.notifications import recipients
from chalicelib.notifications.models import (
    KIND_LABELS,
    NOTIFICATION_PREFIX,
    EmailMode,
    Kind,
    NotificationRecord,
    PreferencesRecord,
    SuppressedAddress,
    inbox_partition,
    is_notification_id,
    unread_partition,
)
from chalicelib.notifications.schemas import (
    InboxQuery,
    KindPreference,
    NotificationView,
    PreferencesView,
    PutPreferencesRequest,
    UnreadCount,
)

# The header shows "99+" past this; counting further would read more for nothing.
UNREAD_COUNT_CAP = 99
MARK_ALL_BATCH = 100


def view(record: NotificationRecord) -> NotificationView:
    return NotificationView(
        id=record.notification_id,
        kind=record.kind.value,
        headline=record.headline,
        detail=record.detail,
        web_path=record.web_path,
        video_id=record.video_id,
        at_s=float(record.at_s) if record.at_s is not None else None,
        created_at=record.created_at,
        read_at=record.read_at,
        email_status=record.email_status.value,
    )


def unread_count(principal: Principal) -> UnreadCount:
    counted = NotificationRecord.by_unread.count(
        unread_partition(principal.district, principal.user_id), limit=UNREAD_COUNT_CAP + 1
    )
    return UnreadCount(unread=min(counted, UNREAD_COUNT_CAP), more=counted > UNREAD_COUNT_CAP)


def header_count(principal: Principal) -> UnreadCount:
    """What the web client's header asks on every page: the count, and (while we are at it)
    the address the caller's token carries, so their emails can reach them."""
    recipients.remember(principal)
    return unread_count(principal)


@dataclass(frozen=True)
class InboxPage:
    items: list[NotificationRecord]
    next_cursor: str | None


def inbox(principal: Principal, query: InboxQuery) -> InboxPage:
    """Newest first; only the unread ones when asked."""
    if query.unread == "true":
        partition = unread_partition(principal.district, principal.user_id)
        start = decode_cursor(query.cursor, must_match={"gsi3pk": partition})
        results = NotificationRecord.by_unread.query(
            partition, scan_index_forward=False, limit=query.limit, last_evaluated_key=start
        )
    else:
        partition = inbox_partition(principal.district, principal.user_id)
        start = decode_cursor(query.cursor, must_match={"pk": partition})
        results = NotificationRecord.query(
            partition,
            NotificationRecord.sk.startswith(NOTIFICATION_PREFIX),
            scan_index_forward=False,
            limit=query.limit,
            last_evaluated_key=start,
        )
    items = list(results)
    return InboxPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def _load(principal: Principal, notification_id: str) -> NotificationRecord:
    if not is_notification_id(notification_id):
        raise NotFound("Notification not found")
    try:
        return NotificationRecord.get(
            *NotificationRecord.key(principal.district, principal.user_id, notification_id),
            consistent_read=True,
        )
    except NotificationRecord.DoesNotExist:
        raise NotFound("Notification not found") from None


def mark_read(principal: Principal, notification_id: str) -> NotificationRecord:
    """Read once: a second call leaves the first time it was read."""
    record = _load(principal, notification_id)
    if record.read_at is not None:
        return record
    _mark(record)
    return _load(principal, notification_id)


def _mark(record: NotificationRecord) -> None:
    try:
        record.update(
            actions=[
                NotificationRecord.read_at.set(utcnow()),
                NotificationRecord.gsi3pk.remove(),
                NotificationRecord.gsi3sk.remove(),
            ],
            condition=NotificationRecord.pk.exists() & NotificationRecord.read_at.does_not_exist(),
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise


def mark_all_read(principal: Principal) -> UnreadCount:
    """Up to a hundred at a time (the client asks again while ``more``)."""
    for item in NotificationRecord.by_unread.query(
        unread_partition(principal.district, principal.user_id), limit=MARK_ALL_BATCH
    ):
        _mark(item)
    return unread_count(principal)


def _is_suppressed(address: str | None) -> bool:
    if not address:
        return False
    try:
        SuppressedAddress.get(*SuppressedAddress.key(address), consistent_read=True)
    except SuppressedAddress.DoesNotExist:
        return False
    return True


def preferences_view(principal: Principal, record: PreferencesRecord) -> PreferencesView:
    contact = recipients.contact_of(principal.district, principal.user_id)
    address = contact.email if contact else principal.email
    return PreferencesView(
        kinds=[
            KindPreference(kind=kind.value, label=KIND_LABELS[kind], enabled=record.wants(kind))
            for kind in Kind
        ],
        email=record.email_mode.value,
        email_address=address,
        email_suppressed=_is_suppressed(address),
        version=int(record.version or 0),
    )


def preferences(principal: Principal) -> PreferencesView:
    recipients.remember(principal)
    return preferences_view(
        principal, PreferencesRecord.load(principal.district, principal.user_id)
    )


def set_preferences(principal: Principal, request: PutPreferencesRequest) -> PreferencesView:
    """Kinds not named keep their setting."""
    record = PreferencesRecord.load(principal.district, principal.user_id)
    disabled = set(record.disabled_kinds or ())
    for kind, enabled in request.kinds.items():
        (disabled.discard if enabled else disabled.add)(kind)
    record.disabled_kinds = disabled or None
    record.email_mode = EmailMode(request.email)
    record.updated_at = utcnow()
    try:
        record.save()
    except PutError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("Your preferences changed meanwhile; reload them") from exc
        raise
    return preferences_view(principal, record)
