"""Where to reach a person: the one place notifications ask for an email address.

The district's directory holds it (an admin, a rostering import or, locally, the demo
district's seed set it), never a token: what someone's token carried last is not who they
are. Someone the directory has switched off is mailed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.directory import service as directory


@dataclass(frozen=True)
class Contact:
    user_id: str
    email: str | None
    name: str | None


def contact_of(district: str, user_id: str) -> Contact | None:
    person = directory.load_person(district, user_id)
    if person is None or not person.active:
        return None
    return Contact(user_id=user_id, email=person.email, name=person.display_name)
