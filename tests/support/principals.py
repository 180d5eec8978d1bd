"""People as the services see them (no token, no table): for unit tests of the rules."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Identity, Principal, Role
from chalicelib.directory.errors import NotInDirectory
from chalicelib.videos.models import VideoRecord

DISTRICT = "district-a"


def person(
    user_id: str, *roles: Role, district: str = DISTRICT, school: str | None = "school-1"
) -> Principal:
    return Principal(
        user_id=user_id,
        roles=frozenset(roles or (Role.TEACHER,)),
        district=district,
        school=school,
        name=user_id,
    )


def video(owner: str = "teacher", **fields: Any) -> VideoRecord:
    """A video record in memory (never saved)."""
    defaults: dict[str, Any] = {
        "video_id": "v1",
        "district": DISTRICT,
        "school": "school-1",
        "owner_id": owner,
        "title": "Fractions",
        "status": "ready",
        "duration_s": 120.0,
    }
    return VideoRecord("VIDEO#v1", "META", **{**defaults, **fields})


class StaticDirectory:
    """A directory in memory, for the unit tier's HTTP tests (no table): who each
    (district, id) is. Installed with ``install_people_resolver`` in place of the table's."""

    def __init__(self, *people: Principal) -> None:
        self._people = {(p.district, p.user_id): p for p in people}

    def __call__(self, identity: Identity) -> Principal:
        found = self._people.get((identity.district or "", identity.subject))
        if found is None:
            raise NotInDirectory(f"{identity.subject} is not in this test's directory")
        return found
