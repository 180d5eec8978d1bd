"""Sending the emails notifications ask for: one per notification, or a daily digest.

Nothing is sent twice. A notification's email is claimed (``pending`` →
``sending``, a conditional write) before anything is sent, so a queue message
delivered twice finds it claimed; a sender that dies after claiming leaves it
``uncertain``, never sent again. A digest is claimed the same way, one per
person and day (``DIGEST#{day}``), listing what it holds before it is sent.

An address that bounced or complained is suppressed for good (``suppress``): the
local mail server refuses unknown mailboxes at once, SES reports bounces and
complaints later (chalicelib/notifications/feedback.py). Someone who turned email
off after a message was queued is not mailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.jobs.batch import PoisonMessage
from chalicelib.jobs.dispatch import enqueue
from chalicelib.mail.transport import MailRefused, MailUnavailable, transport
from chalicelib.notifications import emails, recipients, rules
from chalicelib.notifications.models import (
    DIGEST_SHARDS,
    INBOX_PREFIX,
    NOTIFICATION_PREFIX,
    DigestRecord,
    EmailMode,
    EmailStatus,
    NotificationRecord,
    PreferencesRecord,
    SuppressedAddress,
    UnsubscribeRecord,
    digest_prefix,
    digest_shard,
    new_unsubscribe_token,
)
from chalicelib.notifications.schemas import EmailJob
from chalicelib.observability import logger

DIGEST_PREFIX = "DIGEST#"
DIGEST_KEEP = timedelta(days=30)


def is_suppressed(address: str) -> bool:
    try:
        SuppressedAddress.get(*SuppressedAddress.key(address), consistent_read=True)
    except SuppressedAddress.DoesNotExist:
        return False
    return True


def suppress(address: str, reason: str, detail: str | None = None) -> None:
    """Never mail ``address`` again (the first reason recorded stays)."""
    record = SuppressedAddress(
        *SuppressedAddress.key(address),
        address=address.strip().lower(),
        reason=reason,
        detail=(detail or "")[:300] or None,
    )
    try:
        record.save(condition=SuppressedAddress.pk.does_not_exist())
    except PutError as exc:
        if not is_conditional_check_failure(exc):
            raise
    logger.warning("email address suppressed", extra={"reason": reason})


def unsubscribe_token(district: str, user_id: str) -> str:
    """The person's unsubscribe capability, made on their first email."""
    preferences = PreferencesRecord.load(district, user_id)
    if preferences.unsubscribe_token:
        return preferences.unsubscribe_token
    token = new_unsubscribe_token()
    UnsubscribeRecord(*UnsubscribeRecord.key(token), district=district, user_id=user_id).save()
    try:
        PreferencesRecord.update_item(
            *PreferencesRecord.key(district, user_id),
            actions=[
                PreferencesRecord.district.set(district),
                PreferencesRecord.user_id.set(user_id),
                PreferencesRecord.unsubscribe_token.set(token),
                PreferencesRecord.updated_at.set(utcnow()),
            ],
            condition=PreferencesRecord.unsubscribe_token.does_not_exist(),
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
        # Another email made one a moment ago: use that one.
        return str(PreferencesRecord.load(district, user_id).unsubscribe_token)
    return token


def unsubscribe(token: str) -> PreferencesRecord | None:
    """Turn off the token holder's email; None when the token is unknown."""
    try:
        holder = UnsubscribeRecord.get(*UnsubscribeRecord.key(token), consistent_read=True)
    except UnsubscribeRecord.DoesNotExist:
        return None
    PreferencesRecord.update_item(
        *PreferencesRecord.key(holder.district, holder.user_id),
        actions=[
            PreferencesRecord.email_mode.set(EmailMode.OFF),
            PreferencesRecord.updated_at.set(utcnow()),
        ],
    )
    logger.info("email turned off by an unsubscribe link")
    return PreferencesRecord.load(holder.district, holder.user_id)


# --- one notification's email ----------------------------------------------------


def _set_status(
    record: NotificationRecord, status: EmailStatus, expected: EmailStatus, **extra: Any
) -> bool:
    actions: list[Any] = [NotificationRecord.email_status.set(status)]
    if "sent_at" in extra:
        actions.append(NotificationRecord.email_sent_at.set(extra["sent_at"]))
    try:
        record.update(actions=actions, condition=NotificationRecord.email_status == expected.value)
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            return False
        raise
    return True


def _reachable(district: str, user_id: str) -> tuple[recipients.Contact | None, EmailStatus]:
    """Whom to mail, or why nobody: the address, and whether the person still wants email."""
    if PreferencesRecord.load(district, user_id).email_mode is EmailMode.OFF:
        return None, EmailStatus.NONE
    contact = recipients.contact_of(district, user_id)
    if contact is None or not contact.email:
        return None, EmailStatus.NO_ADDRESS
    if is_suppressed(contact.email):
        return None, EmailStatus.SUPPRESSED
    return contact, EmailStatus.SENDING


def _send(
    letter: emails.Letter,
    contact: recipients.Contact,
    about: str,
    district: str,
    settings: Settings,
) -> EmailStatus:
    """SENT, or BOUNCED (the address is suppressed); MailUnavailable propagates."""
    assert contact.email is not None  # noqa: S101  (checked by _reachable)
    to = emails.Addressee(contact.email, contact.name, unsubscribe_token(district, contact.user_id))
    email = emails.message(letter, to, about=about, sent_at=utcnow(), settings=settings)
    try:
        transport(settings).send(email)
    except MailRefused as exc:
        suppress(contact.email, "bounce", exc.detail)
        return EmailStatus.BOUNCED
    return EmailStatus.SENT


def send_notification(pk: str, sk: str, settings: Settings) -> str:
    try:
        record = NotificationRecord.get(pk, sk, consistent_read=True)
    except NotificationRecord.DoesNotExist:
        return "gone"
    if record.email_status is EmailStatus.SENDING:
        # Claimed by a sender that did not finish: it may have gone out. Not again.
        _set_status(record, EmailStatus.UNCERTAIN, EmailStatus.SENDING)
        return "uncertain"
    if record.email_status is not EmailStatus.PENDING:
        return "done"
    if not _set_status(record, EmailStatus.SENDING, EmailStatus.PENDING):
        return "duplicate"
    contact, status = _reachable(record.district, record.recipient_id)
    if contact is None:
        _set_status(record, status, EmailStatus.SENDING)
        return status.value
    entry = emails.Entry(record.headline, record.web_path)
    try:
        letter = emails.notification_letter(
            entry, settings, unsubscribe_token(record.district, record.recipient_id)
        )
        outcome = _send(letter, contact, record.notification_id, record.district, settings)
    except MailUnavailable:
        # Nothing went out: give it back, and let SQS bring the message again.
        _set_status(record, EmailStatus.PENDING, EmailStatus.SENDING)
        raise
    _set_status(record, outcome, EmailStatus.SENDING, sent_at=utcnow())
    return outcome.value


# --- the daily digest ----------------------------------------------------------------


def _awaiting(district: str, user_id: str, limit: int) -> list[NotificationRecord]:
    return list(
        NotificationRecord.awaiting_digest.query(
            digest_shard(district, user_id),
            NotificationRecord.gsi1sk.startswith(digest_prefix(district, user_id)),
            limit=limit,
        )
    )


def _leave_digest(item: NotificationRecord, status: EmailStatus, sent_at: datetime | None) -> None:
    actions: list[Any] = [
        NotificationRecord.email_status.set(status),
        NotificationRecord.gsi1pk.remove(),
        NotificationRecord.gsi1sk.remove(),
    ]
    if sent_at is not None:
        actions.append(NotificationRecord.email_sent_at.set(sent_at))
    try:
        item.update(
            actions=actions,
            condition=NotificationRecord.email_status == EmailStatus.DIGEST.value,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise


def _claim_digest(pk: str, sk: str, ids: list[str]) -> DigestRecord | None:
    now = utcnow()
    record = DigestRecord(
        pk, sk, notification_ids=ids, claimed_at=now, expires_at=now + DIGEST_KEEP
    )
    try:
        record.save(condition=DigestRecord.pk.does_not_exist())
    except PutError as exc:
        if is_conditional_check_failure(exc):
            return None
        raise
    return record


def send_digest(pk: str, sk: str, settings: Settings) -> str:
    """The day's digest of one person: what waits for it, once."""
    district, user_id = _person(pk)
    items = _awaiting(district, user_id, settings.digest_max_items)
    claimed = _claim_digest(pk, sk, [i.notification_id for i in items]) if items else None
    if claimed is None:
        return _settle_earlier_digest(pk, sk, items) if items else "nothing"
    contact, status = _reachable(district, user_id)
    if contact is None:
        for item in items:
            _leave_digest(item, status, None)
        return status.value
    entries = [emails.Entry(i.headline, i.web_path) for i in items]
    try:
        letter = emails.digest_letter(entries, settings, unsubscribe_token(district, user_id))
        outcome = _send(
            letter,
            contact,
            f"digest-{sk.removeprefix(DIGEST_PREFIX)}-{user_id}",
            district,
            settings,
        )
    except MailUnavailable:
        claimed.delete()
        raise
    sent_at = utcnow()
    for item in items:
        _leave_digest(item, outcome, sent_at)
    claimed.update(actions=[DigestRecord.sent_at.set(sent_at)])
    return outcome.value


def _settle_earlier_digest(pk: str, sk: str, waiting: list[NotificationRecord]) -> str:
    """Today's digest is claimed already: if its sender died mid-send, what it listed
    is settled as uncertain (never sent twice); anything newer waits for tomorrow."""
    try:
        earlier = DigestRecord.get(pk, sk, consistent_read=True)
    except DigestRecord.DoesNotExist:
        return "nothing"
    if earlier.sent_at is None:
        listed = set(earlier.notification_ids or [])
        for item in waiting:
            if item.notification_id in listed:
                _leave_digest(item, EmailStatus.UNCERTAIN, None)
        return "uncertain"
    return "tomorrow"


def _person(pk: str) -> tuple[str, str]:
    if not pk.startswith(INBOX_PREFIX) or pk.count("#") < 2:
        raise PoisonMessage(f"not an inbox: {pk}")
    _, district, user_id = pk.split("#", 2)
    return district, user_id


def queue_digests(settings: Settings, now: datetime | None = None) -> int:
    """Once a day: a digest job for everyone with notifications waiting and no digest
    today. Returns how many were queued."""
    day = rules.digest_day(now or utcnow())
    queued = 0
    for shard in range(DIGEST_SHARDS):
        keys = [
            item.gsi1sk
            for item in NotificationRecord.awaiting_digest.query(
                f"DIGEST#{shard}", attributes_to_get=["pk", "sk", "gsi1pk", "gsi1sk"]
            )
            if item.gsi1sk
        ]
        for group in rules.group_digests(keys):
            pk, sk = DigestRecord.key(group.district, group.user_id, day)
            if _exists(pk, sk):
                continue
            enqueue("email", EmailJob(pk=pk, sk=sk), settings)
            queued += 1
    return queued


def _exists(pk: str, sk: str) -> bool:
    try:
        DigestRecord.get(pk, sk, attributes_to_get=["pk"])
    except DigestRecord.DoesNotExist:
        return False
    return True


def send(job: EmailJob, settings: Settings) -> str:
    """One message of the email queue: a notification's email, or a person's digest."""
    if job.sk.startswith(NOTIFICATION_PREFIX):
        return send_notification(job.pk, job.sk, settings)
    if job.sk.startswith(DIGEST_PREFIX):
        return send_digest(job.pk, job.sk, settings)
    raise PoisonMessage(f"not an email job: {job.sk}")
