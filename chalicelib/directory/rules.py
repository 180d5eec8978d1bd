"""The directory's rules as pure functions: names and emails, who manages what, group
nesting. No table, no clock."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from chalicelib.auth.principal import Principal, Role

# Person, school and group ids go into keys ("PERSON#{district}#{id}") and URLs.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
# No way into the directory (an admin, a roster, a first sign-in) makes a longer id; a
# longer one asked about names no one, and would overflow a key.
MAX_ID_LENGTH = 128
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
# Deep enough for any real organisation (a PLC inside a grade team inside a school's
# staff); a deeper chain is almost certainly a mistake.
MAX_NESTING = 8
ROLE_NAMES = frozenset(role.value for role in Role)


def search_key(*parts: str | None) -> str:
    """What the picker compares: lower case, accents removed ("Zoë Núñez" → "zoe nunez")."""
    text = " ".join(part.strip() for part in parts if part and part.strip())
    folded = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain.casefold()).strip()


def normalize_email(raw: str) -> str | None:
    """The email as every comparison sees it, or None when it cannot be an email."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        return None
    return email


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))


def may_manage_directory(principal: Principal) -> bool:
    return principal.has_role(Role.ADMIN)


def may_create_group(principal: Principal, caseload: bool) -> bool:
    """Staff make their own PLCs and teams; a caseload grants a coach sight of teachers'
    videos, so only admins make one."""
    if caseload:
        return principal.has_role(Role.ADMIN)
    return principal.has_role(Role.TEACHER, Role.COACH, Role.ADMIN)


def may_manage_group(principal: Principal, owners: Iterable[str], caseload: bool) -> bool:
    """Admins manage every group; owners manage their PLCs and teams (not caseloads)."""
    if principal.has_role(Role.ADMIN):
        return True
    return not caseload and principal.user_id in set(owners)


def admins_after(active_admin: bool, will_be_active_admin: bool) -> int:
    """How a change moves the district's count of active admins: -1, 0 or +1."""
    return int(will_be_active_admin) - int(active_admin)


def nesting_problem(
    parent: str, child: str, parents_of: Callable[[str], Iterable[str]]
) -> str | None:
    """Why ``child`` may not go inside ``parent`` (a loop, too deep), or None.

    ``parents_of(g)`` names the groups ``g`` is directly inside. Putting ``child`` in
    ``parent`` makes a loop exactly when ``child`` is ``parent`` or one of its ancestors.
    """
    if child == parent:
        return "A group cannot contain itself"
    seen: set[str] = set()
    frontier = [parent]
    depth = 0
    while frontier:
        depth += 1
        if depth > MAX_NESTING:
            return f"Groups can be nested at most {MAX_NESTING} deep"
        following: list[str] = []
        for group in frontier:
            for above in parents_of(group):
                if above == child:
                    return "That would put a group inside itself (circular nesting)"
                if above not in seen:
                    seen.add(above)
                    following.append(above)
        frontier = following
    return None


def closure(start: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    """Everything reachable from ``start`` by ``step`` (groups above, or members below),
    ``start`` included, at most ``MAX_NESTING`` steps away."""
    found = set(start)
    frontier = list(found)
    for _ in range(MAX_NESTING):
        following = [g for current in frontier for g in step(current) if g not in found]
        if not following:
            break
        found.update(following)
        frontier = following
    return found
