"""Refusals of the directory that a client shows as a page of their own."""

from __future__ import annotations

from chalicelib.errors import Conflict, Forbidden


class NotInDirectory(Forbidden):
    """Signed in, but the district's directory has nobody by that identity."""

    code = "not_in_directory"


class PersonInactive(Forbidden):
    """A person the directory has switched off: their videos stay, their access stops."""

    code = "account_inactive"


class LastAdmin(Conflict):
    code = "last_admin"
