"""Notifications as a subscriber of domain events: one inbox item per event and recipient.

The relay (chalicelib/events/relay.py) hands every stored event to ``SUBSCRIBER``.
It looks up what the rules need (``facts_for``), asks the rules who hears about
it, and for each recipient stores the notification under an id derived from
the event and the recipient with a conditional put: a relay that runs the
event again (after a crash, or from the stream after the request relayed it)
finds it and stores nothing new. An email the recipient wants now is queued
with the notification's keys; the email worker claims it before sending, so a
message queued twice is still sent once (chalicelib/notifications/mailing.py).
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import PutError

from chalicelib.clips.models import ClipRecord
from chalicelib.config import get_settings
from chalicelib.db.base import is_conditional_check_failure
from chalicelib.evaluations.models import EvaluationRecord
from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord, parse_comment_id
from chalicelib.jobs.dispatch import enqueue
from chalicelib.notifications import rules
from chalicelib.notifications.models import (
    EmailStatus,
    NotificationRecord,
    PreferencesRecord,
    notification_id_for,
)
from chalicelib.notifications.rules import Facts, Notice, Participant, VideoFacts
from chalicelib.notifications.schemas import EmailJob
from chalicelib.review.models import ReviewRecord
from chalicelib.videos.models import VideoRecord


def video_facts(video_id: object) -> VideoFacts | None:
    video = VideoRecord.load(video_id) if isinstance(video_id, str) and video_id else None
    if video is None:
        return None
    return VideoFacts(
        video_id=video.video_id,
        title=video.title,
        owner_id=video.owner_id,
        shared_with=frozenset(video.shared_user_ids),
        school_coaches=bool(video.share_with_school_coaches),
    )


def _thread(video_id: str, parent_id: str) -> tuple[Participant, ...]:
    key = parse_comment_id(parent_id)
    if key is None:
        return ()
    return tuple(
        Participant(item.author_id, item.author_role)
        for item in CommentRecord.query(
            CommentRecord.partition(video_id),
            CommentRecord.sk.startswith(key.thread_prefix),
            consistent_read=True,
        )
        if item.sk.startswith(COMMENT_PREFIX)
    )


def facts_for(event: DomainEvent) -> Facts:
    """What the rules need to know about ``event`` beyond its payload."""
    data = event.data
    kind = event.type.split(".", 1)[0]
    if event.type == "comment.replied":
        video = video_facts(data.get("video_id"))
        parent = (data.get("comment") or {}).get("parent_id")
        thread = _thread(video.video_id, parent) if video and isinstance(parent, str) else ()
        return Facts(video=video, thread=thread)
    if kind in ("video", "comment"):
        return Facts(video=video_facts(data.get("video_id")))
    if event.type == "clip.ready":
        clip = ClipRecord.load(str(data.get("clip_id", "")))
        return Facts(
            clip_created_by=clip.created_by if clip else None, title=clip.title if clip else None
        )
    if kind == "review":
        item = ReviewRecord.load(str(data.get("review_id", "")))
        if item is None:
            return Facts()
        return Facts(
            video=video_facts(item.video_id), nominated_by=item.nominated_by, title=item.title
        )
    if kind == "evaluation":
        return Facts(
            video=video_facts(data.get("video_id")),
            evaluator_id=_evaluator(data.get("video_id"), data.get("evaluation_id")),
        )
    if kind == "cycle":
        people = data.get("people")
        return Facts(cycle_people=tuple(p for p in people or [] if isinstance(p, str)))
    return Facts()


def _evaluator(video_id: object, evaluation_id: object) -> str | None:
    if not isinstance(video_id, str) or not isinstance(evaluation_id, str):
        return None
    try:
        return EvaluationRecord.get(*EvaluationRecord.key(video_id, evaluation_id)).evaluator_id
    except EvaluationRecord.DoesNotExist:
        return None


def notification_record(
    event: DomainEvent, notice: Notice, email: EmailStatus
) -> NotificationRecord:
    notification_id = notification_id_for(event.event_id, notice.recipient_id, event.occurred_at)
    keep = timedelta(days=get_settings().notification_keep_days)
    return NotificationRecord(
        *NotificationRecord.key(event.district, notice.recipient_id, notification_id),
        notification_id=notification_id,
        district=event.district,
        recipient_id=notice.recipient_id,
        kind=notice.kind,
        event_id=event.event_id,
        event_type=event.type,
        headline=notice.headline,
        detail=notice.detail,
        web_path=notice.web_path,
        video_id=notice.video_id,
        at_s=notice.at_s,
        actor_id=rules.actor_of(event),
        created_at=event.occurred_at,
        email_status=email,
        expires_at=event.occurred_at + keep,
    ).index_keys()


class NotificationFanOut:
    name = "notifications"

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        if event.type not in rules.RULES:
            return
        notices = rules.notices_for(event, facts_for(event), rules.actor_of(event))
        settings = get_settings()
        for notice in notices:
            step = f"notify:{notice.recipient_id}"
            if steps.done(step):
                continue
            preferences = PreferencesRecord.load(event.district, notice.recipient_id)
            delivery = rules.delivery_for(
                notice.kind, preferences.disabled_kinds or (), preferences.email_mode
            )
            if delivery.store:
                record = notification_record(event, notice, delivery.email)
                try:
                    record.save(condition=NotificationRecord.pk.does_not_exist())
                except PutError as exc:
                    # A relay before us stored it and died before marking the step:
                    # queue its email again (the sender sends a claimed one once).
                    if not is_conditional_check_failure(exc):
                        raise
                if delivery.email is EmailStatus.PENDING:
                    enqueue("email", EmailJob(pk=record.pk, sk=record.sk), settings)
            steps.mark(step)


SUBSCRIBER = NotificationFanOut()
