"""Signing in locally without a password: the dev issuer's token for a person, who the
directory then knows with that role and school.

A dev token names a person and their district only (chalicelib/auth/dev_issuer.py); what
they may do is read from the directory on every request, locally as in AWS. So signing
for "coach-1, a coach at school-2" registers exactly that in the local directory first
(adding the role and school to whatever the person already has; never reactivating a
person an admin switched off). The tests' TokenFactory, the `classreel dev-token` command
and the stack's welcome token come through here; the web client's demo sign-in signs for
people the stack seeded (classreel/local/demo_users.py).
"""

from __future__ import annotations

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.directory import service as directory


def sign_in(
    issuer: DevIssuer,
    *,
    user_id: str,
    role: Role,
    district: str,
    school: str | None = None,
    name: str | None = None,
    email: str | None = None,
    ttl_s: int | None = None,
    now: float | None = None,
) -> str:
    """Register ``user_id`` in the directory as ``role`` (at ``school``, with ``email`` when
    given: where notifications mail them), then sign for them."""
    directory.ensure_person(district, user_id, role, school, name, email=email)
    return issuer.mint(user_id=user_id, district=district, name=name, ttl_s=ttl_s, now=now)
