"""The demo district of the local twin: who you can sign in as with `make run`.

Only the local twin knows these people: the stack writes them into its directory when it
starts (``seed``, never overwriting what an admin changed since), `classreel local up`
prints them, the local OpenID Connect provider signs them in by email, and the local API
server (``classreel.local.api_server``, never deployed) lets the web client's sign-in
page pick one and get a dev token for them. In AWS, people sign in through Cognito and
none of this exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principal import Role
from chalicelib.directory import service as directory
from chalicelib.directory.accounts import SignInAccounts

DEMO_DISTRICT = "demo-district"
DEMO_SCHOOLS = {"north-elementary": "North Elementary", "south-middle": "South Middle"}
# A professional learning community across both schools, led by Ana.
DEMO_PLC = ("g-demo-math-plc", "Math PLC")


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    role: Role
    school: str | None
    name: str

    @property
    def email(self) -> str:
        """How they sign in at the local OpenID Connect provider, and where the local twin
        mails them: the local SMTP server keeps every message (classreel/local/mail_server.py);
        ``.test`` is a name no real mail reaches."""
        return f"{self.user_id}@{DEMO_DISTRICT}.test"

    def as_json(self) -> dict[str, str | None]:
        return {
            "user_id": self.user_id,
            "role": self.role.value,
            "school": self.school,
            "name": self.name,
            "email": self.email,
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


def seed(accounts: SignInAccounts) -> None:
    """The demo district in the directory: schools, people, the PLC; what exists stays.
    Their sign-in accounts (the local provider's) follow what the directory holds."""
    for school_id, name in DEMO_SCHOOLS.items():
        directory.seed_school(DEMO_DISTRICT, school_id, name)
    for user in DEMO_USERS:
        given, _, family = user.name.partition(" ")
        directory.seed_person(
            DEMO_DISTRICT,
            user.user_id,
            given_name=given,
            family_name=family,
            email=user.email,
            role=user.role,
            school=user.school,
        )
    people = [directory.load_person(DEMO_DISTRICT, user.user_id) for user in DEMO_USERS]
    accounts.sync(created=[p for p in people if p is not None], updated=[], deactivated=[])
    group_id, name = DEMO_PLC
    directory.seed_group(
        DEMO_DISTRICT, group_id, name, owner="teacher-ana", members=["teacher-raj", "coach-sol"]
    )
