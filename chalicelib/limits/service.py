"""Quotas and request rates, per user and per district, refused with 429 and Retry-After.

Every limit is a setting (chalicelib/config.py, ``limit_*``; 0 turns one off). A user is
counted within their district (a user id is only unique there), and the district as a
whole, so one district cannot take what the others need. Creation quotas are consumed just
before the record is written, after every other check: a refused or invalid request costs
nothing. A request refused by one counter may already have used another (the user's
before the district's): the window ends soon, and refusing later counters is never unsafe.

Requests nobody is signed in to (no token, a token that fails, public routes) are counted
by their source address instead (``consume_anonymous``), apart from every user's and
district's counts, so a flood of them cannot use up what signed-in people need. An address
refused once is refused from memory until its window ends: the rest of a flood costs no
write.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pynamodb.exceptions import UpdateError

from chalicelib.auth.principal import Principal
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.errors import TooManyRequests
from chalicelib.limits.models import UsageWindow, usage_partition

DAY_S = 24 * 3600
MINUTE_S = 60


class Quota(StrEnum):
    REQUESTS = "requests"
    VIDEOS = "videos"
    UPLOAD_BYTES = "upload_bytes"
    CLIPS = "clips"
    EXPORTS = "exports"
    WEBHOOKS = "webhooks"
    ANONYMOUS_REQUESTS = "anonymous_requests"


@dataclass(frozen=True)
class Limit:
    per_user: int  # 0: no limit
    per_district: int
    window_s: int
    # What the refusal says was used up, for people reading the 429.
    noun: str
    # Requests without a sign-in, per source address (consume_anonymous).
    per_address: int = 0


# How each counter's refusal begins, by its scope.
_WHOSE = {"user": "You have", "district": "Your district has", "address": "Your address has"}


def limits(settings: Settings) -> dict[Quota, Limit]:
    return {
        Quota.REQUESTS: Limit(
            settings.limit_requests_per_user_per_minute,
            settings.limit_requests_per_district_per_minute,
            MINUTE_S,
            "requests this minute",
        ),
        Quota.VIDEOS: Limit(
            settings.limit_videos_per_user_per_day,
            settings.limit_videos_per_district_per_day,
            DAY_S,
            "videos today",
        ),
        Quota.UPLOAD_BYTES: Limit(
            settings.limit_upload_bytes_per_user_per_day,
            settings.limit_upload_bytes_per_district_per_day,
            DAY_S,
            "bytes of upload today",
        ),
        Quota.CLIPS: Limit(
            settings.limit_clips_per_user_per_day,
            settings.limit_clips_per_district_per_day,
            DAY_S,
            "clips today",
        ),
        Quota.EXPORTS: Limit(
            settings.limit_exports_per_user_per_day, 0, DAY_S, "data exports today"
        ),
        Quota.WEBHOOKS: Limit(
            0, settings.limit_webhooks_per_district_per_day, DAY_S, "webhooks created today"
        ),
        Quota.ANONYMOUS_REQUESTS: Limit(
            0,
            0,
            MINUTE_S,
            "requests without sign-in this minute",
            per_address=settings.limit_anonymous_requests_per_address_per_minute,
        ),
    }


def _window(now: datetime, window_s: int) -> tuple[datetime, datetime]:
    start_s = math.floor(now.timestamp() / window_s) * window_s
    start = datetime.fromtimestamp(start_s, tz=now.tzinfo)
    return start, start + timedelta(seconds=window_s)


def _take(scope: str, who: str, quota: Quota, amount: int, limit: Limit, cap: int) -> None:
    now = utcnow()
    start, end = _window(now, limit.window_s)
    # A request larger than the whole window's allowance could never fit: refused outright.
    if amount > cap or not _added(usage_partition(scope, quota.value), start, end, amount, cap):
        raise _refusal(who, quota, limit, cap, (end - now).total_seconds())


def _refusal(who: str, quota: Quota, limit: Limit, cap: int, wait_s: float) -> TooManyRequests:
    retry_after = max(1, math.ceil(wait_s))
    return TooManyRequests(
        f"{_WHOSE[who]} reached the limit of {cap:,} {limit.noun}; "
        f"try again in {_readable(retry_after)}.",
        retry_after_s=retry_after,
        details={"quota": quota.value, "scope": who, "limit": cap},
    )


def _added(partition: str, start: datetime, end: datetime, amount: int, cap: int) -> bool:
    """Adds ``amount`` to the window's count unless that would pass ``cap``."""
    try:
        UsageWindow.update_item(
            partition,
            start.isoformat(),
            actions=[UsageWindow.used.add(amount), UsageWindow.expires_at.set(end)],
            condition=UsageWindow.used.does_not_exist() | (UsageWindow.used <= cap - amount),
        )
    except UpdateError as error:
        if is_conditional_check_failure(error):
            return False
        raise
    return True


def consume(principal: Principal, quota: Quota, settings: Settings, amount: int = 1) -> None:
    """Count ``amount`` against the caller's and their district's window, or refuse (429)."""
    limit = limits(settings)[quota]
    if limit.per_user:
        scope = f"{principal.district}#{principal.user_id}"
        _take(scope, "user", quota, amount, limit, limit.per_user)
    if limit.per_district:
        _take(principal.district, "district", quota, amount, limit, limit.per_district)


# (address, limit) -> when its refusal ends (time.monotonic()); this process's memory only.
_refused_addresses: dict[tuple[str, int], float] = {}
_refused_lock = threading.Lock()
# Past this many remembered addresses, those whose window ended are forgotten.
_REMEMBERED_AT_MOST = 10_000


def consume_anonymous(address: str, settings: Settings) -> None:
    """Count one request without a sign-in against its source address, or refuse (429)."""
    limit = limits(settings)[Quota.ANONYMOUS_REQUESTS]
    cap = limit.per_address
    if not cap:
        return
    now = time.monotonic()
    with _refused_lock:
        refused_until = _refused_addresses.get((address, cap), 0.0)
    if refused_until > now:
        raise _refusal("address", Quota.ANONYMOUS_REQUESTS, limit, cap, refused_until - now)
    try:
        _take(f"address#{address}", "address", Quota.ANONYMOUS_REQUESTS, 1, limit, cap)
    except TooManyRequests as refused:
        with _refused_lock:
            if len(_refused_addresses) >= _REMEMBERED_AT_MOST:
                for key, until in list(_refused_addresses.items()):
                    if until <= now:
                        del _refused_addresses[key]
            _refused_addresses[(address, cap)] = now + refused.retry_after_s
        raise


def _readable(seconds: int) -> str:
    if seconds < 2 * MINUTE_S:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{seconds // MINUTE_S} minutes"
    return f"{seconds // 3600} hours"
