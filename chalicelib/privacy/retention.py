"""District retention policy: originals and playable files deleted after set periods.

- ``source_days``: the original upload is deleted that many days after the video
  became ready (the renditions stay playable);
- ``renditions_days``: renditions, poster and storyboard go too, unless a clip of
  the video is in the library;
- a legal hold blocks both, always.

A scheduled job applies every district's policy (EventBridge in AWS, the local
runner's timer locally). ``plan`` is also the dry run: what would go, and when,
as of any date.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.models import ClipRecord, video_clips_partition
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.errors import Forbidden
from chalicelib.observability import logger
from chalicelib.privacy.models import POLICIES, RetentionPolicy
from chalicelib.privacy.rules import DELETE_SOURCE, Step, video_plan
from chalicelib.storage import objects
from chalicelib.storage.keys import raw_video_prefix, video_media_prefix
from chalicelib.videos.models import VideoRecord, VideoStatus, district_partition


@dataclass(frozen=True)
class Plan:
    district: str
    as_of: datetime
    steps: list[Step]
    held: list[str]  # videos a legal hold keeps whole
    kept_for_library: list[str]  # renditions kept: a clip is in the library


def _require_admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin manages retention")


def get_policy(principal: Principal) -> RetentionPolicy | None:
    _require_admin(principal)
    return RetentionPolicy.load(principal.district)


def put_policy(
    principal: Principal, source_days: int | None, renditions_days: int | None
) -> RetentionPolicy:
    _require_admin(principal)
    policy = RetentionPolicy(
        POLICIES,
        principal.district,
        district=principal.district,
        source_days=source_days,
        renditions_days=renditions_days,
        updated_by=principal.user_id,
        updated_at=utcnow(),
    )
    policy.save()
    return policy


def _has_library_clip(video_id: str) -> bool:
    return any(c.published for c in ClipRecord.by_video.query(video_clips_partition(video_id)))


def plan(policy: RetentionPolicy, as_of: datetime) -> Plan:
    """What the policy removes as of ``as_of``. Queries one district's videos, never Scans."""
    periods = [d for d in (policy.source_days, policy.renditions_days) if d]
    result = Plan(policy.district, as_of, [], [], [])
    if not periods:
        return result
    # A video ready before the cutoff was necessarily created before it too.
    cutoff = (as_of - timedelta(days=float(min(periods)))).isoformat()
    for video in VideoRecord.by_district.query(
        district_partition(policy.district),
        VideoRecord.gsi2sk < cutoff,
        filter_condition=VideoRecord.status == VideoStatus.READY.value,
    ):
        one = video_plan(
            video,
            policy.source_days,
            policy.renditions_days,
            as_of,
            in_library=functools.partial(_has_library_clip, video.video_id),
        )
        if one.kept_for_library:
            result.kept_for_library.append(video.video_id)
        if one.held:
            result.held.append(video.video_id)
        result.steps.extend(one.steps)
    return result


def preview(principal: Principal, as_of: datetime | None) -> Plan:
    _require_admin(principal)
    policy = RetentionPolicy.load(principal.district)
    moment = as_of or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if policy is None:
        return Plan(principal.district, moment, [], [], [])
    return plan(policy, moment)


def apply(plan_to_apply: Plan, settings: Settings) -> int:
    """Carry the steps out; each re-checks the hold first. Returns how many were applied."""
    applied = 0
    for step in plan_to_apply.steps:
        video = VideoRecord.load(step.video_id)
        if video is None or video.legal_hold:
            continue
        now = utcnow()
        actions: list[Any]
        if step.action == DELETE_SOURCE:
            objects.delete_prefix(
                settings.uploads_bucket, raw_video_prefix(video.district, video.video_id), settings
            )
            actions = [VideoRecord.source_deleted_at.set(now)]
        else:
            objects.delete_prefix(
                settings.media_bucket, video_media_prefix(video.video_id), settings
            )
            actions = [
                VideoRecord.renditions_deleted_at.set(now),
                VideoRecord.renditions.set([]),
                VideoRecord.playable.set(False),
                VideoRecord.poster_key.remove(),
                VideoRecord.storyboard_key.remove(),
                VideoRecord.storyboard_vtt_key.remove(),
            ]
        video.update(actions=[*actions, VideoRecord.updated_at.set(now)])
        audit.record(
            audit.SYSTEM_ACTOR,
            audit.Event(
                AuditAction.RETENTION_APPLIED, video.district, video.video_id, subject=step.action
            ),
        )
        applied += 1
    return applied


def apply_all(settings: Settings) -> int:
    """The scheduled job: every district's policy, as of now."""
    applied = 0
    for policy in RetentionPolicy.query(POLICIES):
        steps = plan(policy, utcnow())
        applied += apply(steps, settings)
        if steps.steps or steps.held:
            logger.info(
                "retention applied",
                extra={"district": policy.district, "steps": len(steps.steps), "held": steps.held},
            )
    return applied
