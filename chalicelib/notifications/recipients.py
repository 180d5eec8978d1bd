"""Where to reach a person: the one place notifications ask for an email address.

Today the address is the one the person's own token last carried (Cognito's
``email`` claim; the dev issuer signs one for the demo users), kept when they
use the inbox. When the district's directory holds people, ``contact_of`` reads
it there instead and ``remember`` goes away; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principal import Principal
from chalicelib.db.base import utcnow
from chalicelib.notifications.models import ContactRecord


@dataclass(frozen=True)
class Contact:
    user_id: str
    email: str | None
    name: str | None


def contact_of(district: str, user_id: str) -> Contact | None:
    try:
        record = ContactRecord.get(*ContactRecord.key(district, user_id), consistent_read=True)
    except ContactRecord.DoesNotExist:
        return None
    return Contact(user_id=user_id, email=record.email, name=record.name)


def remember(principal: Principal) -> None:
    """Keep the address and name the caller's token carries, when they changed."""
    current = contact_of(principal.district, principal.user_id)
    if current is not None and (current.email, current.name) == (principal.email, principal.name):
        return
    ContactRecord(
        *ContactRecord.key(principal.district, principal.user_id),
        district=principal.district,
        user_id=principal.user_id,
        email=principal.email,
        name=principal.name,
        updated_at=utcnow(),
    ).save()
