"""Who hears about domain events: the relay delivers every stored event to each of these.

To add one (a consent backstop, say): an object with a ``name`` and
``deliver(event, steps)`` that is idempotent per step (chalicelib/events/relay.py),
listed here. It lives above the capabilities, so a subscriber may use any of them.
"""

from __future__ import annotations

from chalicelib.directory.accounts import SUBSCRIBER as SIGN_IN_ACCOUNTS
from chalicelib.events.relay import Subscriber
from chalicelib.notifications.fanout import SUBSCRIBER as NOTIFICATIONS
from chalicelib.orchestration.consent import SUBSCRIBER as CLIP_WITHDRAWAL
from chalicelib.orchestration.library_consent import SUBSCRIBER as LIBRARY_CONSENT
from chalicelib.webhooks.events import SUBSCRIBER as WEBHOOKS

SUBSCRIBERS: tuple[Subscriber, ...] = (
    WEBHOOKS,
    NOTIFICATIONS,
    LIBRARY_CONSENT,
    CLIP_WITHDRAWAL,
    SIGN_IN_ACCOUNTS,
)
