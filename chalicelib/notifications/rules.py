"""Who hears about an event, and what they are told: pure functions (no table, no clock).

Each rule reads the event's payload and the facts the subscriber looked up (the
video's owner and title, a thread's participants, a nomination's nominator…)
and returns the notices to store. Whoever caused the event is never told about
it. Headlines name titles and people, never what a comment says: the text of
feedback may mention a student, and a notice travels by email.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.events.models import DomainEvent
from chalicelib.notifications.models import EmailMode, EmailStatus, Kind

# Shown in headlines instead of a title that is missing or very long.
MAX_TITLE = 80


@dataclass(frozen=True)
class VideoFacts:
    video_id: str
    title: str
    owner_id: str
    shared_with: frozenset[str] = frozenset()
    school_coaches: bool = False


@dataclass(frozen=True)
class Participant:
    user_id: str
    role: str


@dataclass(frozen=True)
class Facts:
    """What the subscriber read for one event; whatever does not apply stays empty."""

    video: VideoFacts | None = None
    # The authors of a thread's comments, earliest first (a reply's conversation).
    thread: tuple[Participant, ...] = ()
    nominated_by: str | None = None
    clip_created_by: str | None = None
    title: str | None = None
    evaluator_id: str | None = None
    cycle_people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    recipient_id: str
    kind: Kind
    headline: str
    web_path: str
    detail: str | None = None
    video_id: str | None = None
    at_s: float | None = None
    actor_id: str | None = None


def title_of(title: str | None) -> str:
    text = (title or "").strip() or "Untitled"
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def web_path(base: str, **params: Any) -> str:
    """A hash route of the web client, with its query (``#/videos/v_1?t=3.5``)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"#/{base}" + (f"?{query}" if query else "")


def video_path(video_id: str, **params: Any) -> str:
    return web_path(f"videos/{quote(video_id, safe='')}", **params)


def may_see(user_id: str, role: str, video: VideoFacts) -> bool:
    """Whether someone the event names can still open the video.

    Without the district's directory this reads the video's own grants: its
    teacher, those it is shared with by name, a coach when it is shared with
    the school's coaches (the notice's author was one), an admin.
    """
    if user_id == video.owner_id or user_id in video.shared_with:
        return True
    return role == "admin" or (role == "coach" and video.school_coaches)


def _actor_name(data: dict[str, Any], key: str = "by_name") -> str:
    name = data.get(key)
    return name if isinstance(name, str) and name.strip() else "Someone"


def _shared(event: DomainEvent, facts: Facts) -> list[Notice]:
    if facts.video is None:
        return []
    video = facts.video
    who = _actor_name(event.data)
    return [
        Notice(
            recipient,
            Kind.SHARED,
            f"{who} shared “{title_of(video.title)}” with you",
            video_path(video.video_id),
            video_id=video.video_id,
        )
        for recipient in event.data.get("shared_with", [])
        if isinstance(recipient, str) and recipient in video.shared_with
    ]


def _comment(event: DomainEvent, facts: Facts) -> list[Notice]:
    """A new comment (not a reply) on a video: its teacher hears about it."""
    comment = event.data.get("comment") or {}
    if facts.video is None or comment.get("parent_id"):
        return []
    at_s = float(comment.get("at_s") or 0)
    who = comment.get("author_name") or comment.get("author_id") or "Someone"
    return [
        Notice(
            facts.video.owner_id,
            Kind.COMMENT,
            f"{who} commented at {clock(at_s)} on “{title_of(facts.video.title)}”",
            video_path(facts.video.video_id, t=at_s, comment=comment.get("id")),
            video_id=facts.video.video_id,
            at_s=at_s,
        )
    ]


def _reply(event: DomainEvent, facts: Facts) -> list[Notice]:
    """A reply: the video's teacher and everyone else in the thread who can still see it."""
    comment = event.data.get("comment") or {}
    if facts.video is None or not comment.get("parent_id"):
        return []
    video = facts.video
    at_s = float(comment.get("at_s") or 0)
    who = comment.get("author_name") or comment.get("author_id") or "Someone"
    path = video_path(video.video_id, t=at_s, comment=comment.get("parent_id"))
    people = [Participant(video.owner_id, "teacher"), *facts.thread]
    return [
        Notice(
            person.user_id,
            Kind.REPLY,
            f"{who} replied at {clock(at_s)} on “{title_of(video.title)}”",
            path,
            video_id=video.video_id,
            at_s=at_s,
        )
        for person in people
        if may_see(person.user_id, person.role, video)
    ]


def _clip_ready(event: DomainEvent, facts: Facts) -> list[Notice]:
    clip_id = str(event.data.get("clip_id", ""))
    if not facts.clip_created_by or not clip_id:
        return []
    return [
        Notice(
            facts.clip_created_by,
            Kind.CLIP_READY,
            f"Your clip “{title_of(facts.title)}” is ready",
            web_path(f"clips/{quote(clip_id, safe='')}"),
            video_id=str(event.data.get("video_id") or "") or None,
        )
    ]


def _review_notice(
    kind: Kind, headline: str, to_owner: bool
) -> Callable[[DomainEvent, Facts], list[Notice]]:
    """Nominations, claims and decisions: the nominator hears, and the video's teacher
    when ``to_owner`` (a clip of their lesson is on its way to the library)."""

    def rule(event: DomainEvent, facts: Facts) -> list[Notice]:
        clip_id = str(event.data.get("clip_id", ""))
        if not clip_id:
            return []
        recipients = [facts.nominated_by] if facts.nominated_by else []
        if to_owner and facts.video is not None:
            recipients.append(facts.video.owner_id)
        reason = event.data.get("reason")
        return [
            Notice(
                recipient,
                kind,
                headline.format(title=title_of(facts.title)),
                web_path(f"clips/{quote(clip_id, safe='')}"),
                detail=reason if isinstance(reason, str) and kind is Kind.REJECTED else None,
                video_id=str(event.data.get("video_id") or "") or None,
            )
            for recipient in recipients
        ]

    return rule


def _evaluation_released(event: DomainEvent, facts: Facts) -> list[Notice]:
    if facts.video is None:
        return []
    who = _actor_name(event.data, "evaluator_name")
    return [
        Notice(
            facts.video.owner_id,
            Kind.EVALUATION_RELEASED,
            f"{who} released an evaluation of “{title_of(facts.video.title)}”",
            video_path(facts.video.video_id, evaluation=event.data.get("evaluation_id")),
            video_id=facts.video.video_id,
        )
    ]


def _evaluation_acknowledged(event: DomainEvent, facts: Facts) -> list[Notice]:
    if facts.video is None or not facts.evaluator_id:
        return []
    who = _actor_name(event.data)
    responded = " and responded" if event.data.get("responded") else ""
    return [
        Notice(
            facts.evaluator_id,
            Kind.EVALUATION_ACKNOWLEDGED,
            f"{who} acknowledged{responded} your evaluation of “{title_of(facts.video.title)}”",
            video_path(facts.video.video_id, evaluation=event.data.get("evaluation_id")),
            video_id=facts.video.video_id,
        )
    ]


CYCLE_HEADLINES = {
    "cycle.opened": "{who} opened a coaching cycle with you: “{goal}”",
    "cycle.evidence_added": "{who} added evidence to your coaching cycle “{goal}”",
    "cycle.closed": "{who} closed the coaching cycle “{goal}”",
}


def _cycle(event: DomainEvent, facts: Facts) -> list[Notice]:
    cycle_id = str(event.data.get("cycle_id", ""))
    if not cycle_id:
        return []
    headline = CYCLE_HEADLINES[event.type].format(
        who=_actor_name(event.data), goal=title_of(str(event.data.get("goal") or ""))
    )
    return [
        Notice(person, Kind.CYCLE, headline, web_path(f"cycles/{quote(cycle_id, safe='')}"))
        for person in facts.cycle_people
    ]


RULES: dict[str, Callable[[DomainEvent, Facts], list[Notice]]] = {
    "video.shared": _shared,
    "comment.created": _comment,
    "comment.replied": _reply,
    "clip.ready": _clip_ready,
    "review.nominated": _review_notice(
        Kind.NOMINATED, "A clip of your lesson, “{title}”, was nominated to the library", True
    ),
    "review.claimed": _review_notice(
        Kind.CLAIMED, "A reviewer started reviewing your nomination “{title}”", False
    ),
    "review.approved": _review_notice(
        Kind.APPROVED, "“{title}” was approved for the library", True
    ),
    "review.rejected": _review_notice(
        Kind.REJECTED, "“{title}” was not approved for the library", True
    ),
    "evaluation.released": _evaluation_released,
    "evaluation.acknowledged": _evaluation_acknowledged,
    **dict.fromkeys(CYCLE_HEADLINES, _cycle),
}


def notices_for(event: DomainEvent, facts: Facts, actor_id: str | None) -> list[Notice]:
    """The notices an event makes: one per recipient (the first rule's kind wins), never
    the actor's own."""
    rule = RULES.get(event.type)
    if rule is None:
        return []
    seen: set[str] = set()
    notices = []
    for notice in rule(event, facts):
        if notice.recipient_id == actor_id or notice.recipient_id in seen:
            continue
        seen.add(notice.recipient_id)
        notices.append(notice)
    return notices


def actor_of(event: DomainEvent) -> str | None:
    """Who caused an event, by the names its payloads use."""
    comment = event.data.get("comment")
    if isinstance(comment, dict) and isinstance(comment.get("author_id"), str):
        return str(comment["author_id"])
    for key in ("by", "nominated_by", "claimed_by", "decided_by", "evaluator_id"):
        value = event.data.get(key)
        if isinstance(value, str):
            return value
    return None


@dataclass(frozen=True)
class Delivery:
    """What to do about email for one notice, by the recipient's preferences."""

    store: bool
    email: EmailStatus = EmailStatus.NONE


def delivery_for(kind: Kind, disabled: Iterable[str], mode: EmailMode) -> Delivery:
    if kind.value in set(disabled):
        return Delivery(store=False)
    if mode is EmailMode.IMMEDIATELY:
        return Delivery(store=True, email=EmailStatus.PENDING)
    if mode is EmailMode.DAILY:
        return Delivery(store=True, email=EmailStatus.DIGEST)
    return Delivery(store=True)


def digest_day(now: datetime) -> str:
    """The UTC day a digest belongs to: one digest per person and day at most."""
    return now.date().isoformat()


@dataclass
class DigestGroup:
    district: str
    user_id: str
    notification_ids: list[str] = field(default_factory=list)


def group_digests(keys: Iterable[str]) -> list[DigestGroup]:
    """``{district}#{user}#{notification}`` index keys → one group per person, in order."""
    groups: dict[tuple[str, str], DigestGroup] = {}
    for key in keys:
        district, user_id, notification_id = key.rsplit("#", 2)
        group = groups.setdefault((district, user_id), DigestGroup(district, user_id))
        group.notification_ids.append(notification_id)
    return list(groups.values())
