"""The demo district of the local twin: who you can sign in as with `make run`.

Only the local twin knows these people: `classreel local up` prints them, and the
local API server (``classreel.local.api_server``, never deployed) lets the web
client's sign-in page pick one and get a dev token for them. In AWS, people sign
in through Cognito and none of this exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principal import Role

DEMO_DISTRICT = "demo-district"


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    role: Role
    school: str | None
    name: str

    @property
    def email(self) -> str:
        """Where the local twin mails them: the local SMTP server keeps every message
        (classreel/local/mail_server.py); ``.test`` is a name no real mail reaches."""
        return f"{self.user_id}@{DEMO_DISTRICT}.test"

    def as_json(self) -> dict[str, str | None]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "role": self.role.value,
            "school": self.school,
            "name": self.name,
            "district": DEMO_DISTRICT,
        }


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("teacher-ana", Role.TEACHER, "north-elementary", "Ana Teacher"),
    DemoUser("coach-ben", Role.COACH, "north-elementary", "Ben Coach"),
    DemoUser("teacher-raj", Role.TEACHER, "south-middle", "Raj Teacher"),
    DemoUser("coach-sol", Role.COACH, "south-middle", "Sol Coach"),
    DemoUser("reviewer-cy", Role.REVIEWER, None, "Cy Reviewer"),
    DemoUser("admin-dee", Role.ADMIN, None, "Dee Admin"),
)

BY_ID = {user.user_id: user for user in DEMO_USERS}
