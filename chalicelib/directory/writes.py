"""Writing people: the person, their email's claim, the district's admin count and the
audit entries change together in one transaction, so two people never share an email, the
last admin is never removed and no change goes unrecorded, however changes race. The same
transaction stores the event that carries the people it touched to their sign-in accounts
(chalicelib/directory/accounts.py), so no change is lost to them either. Used by
the admin API, rostering imports and the local dev issuer's registrations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.audit import service as audit
from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.directory.accounts import people_changed
from chalicelib.directory.errors import LastAdmin
from chalicelib.directory.models import DirectoryCounts, EmailClaim, PersonRecord, SchoolRecord
from chalicelib.directory.rules import admins_after
from chalicelib.errors import Conflict
from chalicelib.events import outbox

# DynamoDB's transactions hold at most 100 items.
MAX_ITEMS_PER_TRANSACTION = 100
# The admin counter, the audit day's marker and the people-changed event, once per
# transaction.
_FIXED_ITEMS = 3
LAST_ADMIN = "A district needs at least one active admin: make someone else an admin first"


@dataclass(frozen=True)
class PersonChange:
    """From ``before`` (None: a new person) to ``after`` (a complete record), and the audit
    entries that say so."""

    before: PersonRecord | None
    after: PersonRecord
    events: tuple[audit.Event, ...] = field(default=())

    @property
    def admin_delta(self) -> int:
        return admins_after(_is_active_admin(self.before), _is_active_admin(self.after))

    @property
    def email_changes(self) -> bool:
        return (self.before.email if self.before else None) != self.after.email

    @property
    def item_count(self) -> int:
        before_email = self.before.email if self.before else None
        claims = int(self.email_changes and bool(before_email)) + int(
            self.email_changes and bool(self.after.email)
        )
        return 1 + claims + len(self.events)


def _is_active_admin(person: PersonRecord | None) -> bool:
    return person is not None and bool(person.active) and Role.ADMIN.value in person.role_names


def batches(changes: Sequence[PersonChange]) -> list[list[PersonChange]]:
    """Changes grouped so each group fits one transaction."""
    groups: list[list[PersonChange]] = [[]]
    used = _FIXED_ITEMS
    for change in changes:
        if used + change.item_count > MAX_ITEMS_PER_TRANSACTION and groups[-1]:
            groups.append([])
            used = _FIXED_ITEMS
        groups[-1].append(change)
        used += change.item_count
    return [group for group in groups if group]


def apply(
    district: str,
    changes: Sequence[PersonChange],
    actor: audit.Actor | Principal,
    *,
    new_schools: Sequence[SchoolRecord] = (),
) -> None:
    """One transaction: every change (and any new school) or none. Raises ``Conflict``
    naming what collided."""
    if not changes and not new_schools:
        return
    explain = _Reasons()
    now = utcnow()
    admin_delta = sum(change.admin_delta for change in changes)
    try:
        with transaction() as tx:
            for school in new_schools:
                tx.save(school, condition=SchoolRecord.pk.does_not_exist())
                explain.put(_changed_meanwhile)
            for change in changes:
                _add_person(tx, district, change, now, explain)
            if changes:
                touched = [change.after.person_id for change in changes]
                outbox.add(tx, people_changed(district, touched))
                explain.put(_changed_meanwhile)
            if admin_delta:
                counts = DirectoryCounts.unread(*DirectoryCounts.key(district))
                tx.update(
                    counts,
                    actions=[
                        DirectoryCounts.active_admins.add(admin_delta),
                        DirectoryCounts.district.set(district),
                    ],
                    # Whatever else races, one active admin always remains.
                    condition=(
                        DirectoryCounts.active_admins >= 1 - admin_delta
                        if admin_delta < 0
                        else None
                    ),
                    add_version_condition=False,
                )
                explain.update(lambda: LastAdmin(LAST_ADMIN, field="roles"))
            events = [event for change in changes for event in change.events]
            if audit.add_to_transaction(tx, actor, events, at=now):
                # The day's marker (an update) and one entry (a put) per event.
                explain.update(_changed_meanwhile)
                explain.put(_changed_meanwhile, times=len(events))
    except TransactWriteError as exc:
        if not is_transaction_conflict(exc):
            raise
        raise _first_reason(exc, explain) from exc


def _add_person(
    tx: TransactWrite,
    district: str,
    change: PersonChange,
    now: datetime,
    explain: _Reasons,
) -> None:
    person = change.after
    person.updated_at = now
    person.index_keys()
    if change.before is None:
        tx.save(person, condition=PersonRecord.pk.does_not_exist())
    else:
        person.version = change.before.version
        tx.save(person)
    explain.put(_stale(person))
    if change.email_changes and change.before is not None and change.before.email:
        tx.delete(
            EmailClaim(*EmailClaim.key(change.before.email)),
            condition=EmailClaim.person_id == person.person_id,
        )
        explain.delete(_stale(person))
    if change.email_changes and person.email:
        tx.save(
            EmailClaim(
                *EmailClaim.key(person.email), district=district, person_id=person.person_id
            ),
            condition=EmailClaim.pk.does_not_exist()
            | ((EmailClaim.person_id == person.person_id) & (EmailClaim.district == district)),
        )
        explain.put(_email_taken(person.email))


class _Reasons:
    """What each item's failed condition means, in the order DynamoDB reports them.

    PynamoDB sends a transaction's deletes, then its puts, then its updates, whatever order
    they were added in; a cancellation's reasons come in that order too.
    """

    def __init__(self) -> None:
        self._deletes: list[Callable[[], Exception]] = []
        self._puts: list[Callable[[], Exception]] = []
        self._updates: list[Callable[[], Exception]] = []

    def delete(self, reason: Callable[[], Exception]) -> None:
        self._deletes.append(reason)

    def put(self, reason: Callable[[], Exception], times: int = 1) -> None:
        self._puts += [reason] * times

    def update(self, reason: Callable[[], Exception]) -> None:
        self._updates.append(reason)

    def in_sent_order(self) -> list[Callable[[], Exception]]:
        return [*self._deletes, *self._puts, *self._updates]


def _first_reason(exc: TransactWriteError, explain: _Reasons) -> Exception:
    reasons = list(exc.cancellation_reasons or [])
    ordered = explain.in_sent_order()
    for index, reason in enumerate(reasons):
        if reason is not None and reason.code == "ConditionalCheckFailed" and index < len(ordered):
            return ordered[index]()
    return _changed_meanwhile()


def _changed_meanwhile() -> Exception:
    return Conflict("The directory changed while you edited it; read it again and retry")


def _stale(person: PersonRecord) -> Callable[[], Exception]:
    return lambda: Conflict(
        f"{person.display_name} changed while you edited them; read again and retry",
        field="version",
    )


def _email_taken(email: str) -> Callable[[], Exception]:
    return lambda: Conflict(f"{email} already belongs to someone else in ClassReel", field="email")
