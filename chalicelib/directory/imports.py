"""Rostering: a OneRoster bundle compared with the directory (a dry run), then applied.

The plan is computed from the bundle and the directory as they are now (roster.py, pure);
nothing is written while any row has a problem, so a refused import changes nothing.
Applying writes the plan in transactions of up to 100 items, each change with its audit
entries; applying the same bundle again finds nothing to do. An apply cut off halfway (a
lost connection) is finished by applying again: the plan is recomputed from what was
written. With the dry run's digest, applying refuses a diff that changed in between.
"""

from __future__ import annotations

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.directory import roster, service, writes
from chalicelib.directory.accounts import SignInAccounts
from chalicelib.directory.models import EmailClaim, PersonRecord, PersonSource, people_index
from chalicelib.directory.schemas import (
    ImportCounts,
    ImportPerson,
    ImportProblem,
    ImportReport,
    ImportRequest,
    SchoolView,
)
from chalicelib.errors import Conflict, InvalidInput


def run(principal: Principal, request: ImportRequest, accounts: SignInAccounts) -> ImportReport:
    service.require_admin(principal)
    district = principal.district
    bundle = roster.parse(request.files)
    records = {p.person_id: p for p in _everyone(district)}
    schools = {school_id: str(s.name) for school_id, s in service.schools_of(district).items()}
    plan = roster.plan(
        bundle,
        [_existing(p) for p in records.values()],
        schools,
        taken_emails=_claimed(district, {p.email for p in bundle.people.values()}),
        active_admins=service.active_admins(district),
    )
    report = _report(bundle, plan, applied=False)
    if not request.apply:
        return report
    if plan.errors:
        first = plan.errors[0]
        more = f" (and {len(plan.errors) - 1} more problems)" if len(plan.errors) > 1 else ""
        where = f"{first.file} line {first.line}" if first.line else first.file
        raise InvalidInput(
            f"{where}: {first.message}{more}; nothing was imported",
            field=f"{first.file}:{first.line}:{first.field or ''}",
            details={"errors": [e.model_dump() for e in report.errors]},
        )
    if request.digest and request.digest != report.digest:
        raise Conflict(
            "The directory changed since your dry run: review the new dry run, then apply",
            field="digest",
        )
    _apply(principal, plan, records)
    # Sign-in accounts follow (Cognito users in AWS): after the directory, which decides.
    accounts.sync(
        created=[records[w.person_id] for w in plan.creates],
        updated=[records[e.person_id] for e, _, _ in plan.updates],
        deactivated=[records[e.person_id] for e in plan.deactivations],
    )
    return report.model_copy(update={"applied": True})


def _everyone(district: str) -> list[PersonRecord]:
    return list(PersonRecord.by_given_name.query(people_index(district)))


def _existing(person: PersonRecord) -> roster.Existing:
    return roster.Existing(
        person_id=person.person_id,
        given_name=person.given_name,
        family_name=person.family_name,
        email=person.email,
        roles=frozenset(person.role_names),
        schools=frozenset(person.school_ids),
        home_school=person.home_school,
        active=bool(person.active),
        from_roster=person.source is PersonSource.ROSTER,
        roster_id=person.roster_id,
    )


def _claimed(district: str, emails: set[str]) -> dict[str, str]:
    """Email → who has it: a person id here, or a mark that can match no id (elsewhere)."""
    keys = [EmailClaim.key(email) for email in sorted(emails)]
    claimed: dict[str, str] = {}
    for claim in EmailClaim.batch_get(keys):
        email = claim.pk.removeprefix("EMAIL#")
        claimed[email] = (
            str(claim.person_id) if claim.district == district else f"#{claim.district}"
        )
    return claimed


def _apply(principal: Principal, plan: roster.Plan, records: dict[str, PersonRecord]) -> None:
    district = principal.district
    for school in [*plan.new_schools, *plan.renamed_schools]:
        service.put_school(district, school.school_id, school.name, roster_id=school.school_id)
    audit.record_many(
        principal,
        [
            audit.Event(AuditAction.SCHOOL_SAVED, district, subject=s.school_id)
            for s in [*plan.new_schools, *plan.renamed_schools]
        ],
    )
    changes: list[writes.PersonChange] = []
    for wanted in plan.creates:
        after = _fill(
            PersonRecord(
                *PersonRecord.key(district, wanted.person_id),
                person_id=wanted.person_id,
                district=district,
            ),
            wanted,
        )
        changes.append(
            writes.PersonChange(
                None, after, tuple(service.person_events(district, None, after, []))
            )
        )
        records[after.person_id] = after
    for current, wanted, changed in plan.updates:
        before = records[current.person_id]
        after = _fill(service.copy_person(before), wanted)
        events = service.person_events(district, before, after, changed)
        changes.append(writes.PersonChange(before, after, tuple(events)))
        records[after.person_id] = after
    for current in plan.deactivations:
        before = records[current.person_id]
        after = service.copy_person(before)
        after.active = False
        events = service.person_events(district, before, after, ["active"])
        changes.append(writes.PersonChange(before, after, tuple(events)))
        records[after.person_id] = after
    for batch in writes.batches(changes):
        writes.apply(district, batch, principal)
    audit.record(
        principal,
        audit.Event(
            AuditAction.ROSTER_IMPORTED,
            district,
            subject=(
                f"created={len(plan.creates)},updated={len(plan.updates)},"
                f"deactivated={len(plan.deactivations)}"
            ),
        ),
    )


def _fill(person: PersonRecord, wanted: roster.Wanted) -> PersonRecord:
    person.given_name = wanted.given_name
    person.family_name = wanted.family_name
    person.email = wanted.email
    person.roles = set(wanted.roles)
    person.schools = set(wanted.schools) or None
    person.home_school = wanted.home_school
    person.active = wanted.active
    person.source = PersonSource.ROSTER
    person.roster_id = wanted.roster_id
    return person


def _line(
    wanted: roster.Wanted | None, existing: roster.Existing | None, changes: list[str]
) -> ImportPerson:
    if wanted is not None:
        name = " ".join(p for p in (wanted.given_name, wanted.family_name) if p)
        return ImportPerson(
            line=wanted.line,
            id=wanted.person_id,
            name=name,
            email=wanted.email,
            roles=sorted(wanted.roles),
            schools=sorted(wanted.schools),
            active=wanted.active,
            changes=changes,
        )
    if existing is None:
        raise ValueError("a line describes a wanted or an existing person")
    name = " ".join(p for p in (existing.given_name, existing.family_name) if p)
    return ImportPerson(
        line=None,
        id=existing.person_id,
        name=name or existing.person_id,
        email=existing.email,
        roles=sorted(existing.roles),
        schools=sorted(existing.schools),
        active=False,
        changes=["active"],
    )


def _report(bundle: roster.Roster, plan: roster.Plan, *, applied: bool) -> ImportReport:
    return ImportReport(
        version=bundle.version,
        applied=applied,
        can_apply=not plan.errors,
        digest=plan.digest(),
        counts=ImportCounts(
            creates=len(plan.creates),
            updates=len(plan.updates),
            deactivations=len(plan.deactivations),
            unchanged=plan.unchanged,
            new_schools=len(plan.new_schools),
            renamed_schools=len(plan.renamed_schools),
        ),
        skipped=dict(sorted(bundle.skipped.items())),
        creates=[_line(w, None, []) for w in plan.creates],
        updates=[_line(w, e, changed) for e, w, changed in plan.updates],
        deactivations=[_line(None, e, []) for e in plan.deactivations],
        schools=[
            SchoolView(id=s.school_id, name=s.name, roster_id=s.school_id)
            for s in [*plan.new_schools, *plan.renamed_schools]
        ],
        errors=[
            ImportProblem(file=e.file, line=e.line, field=e.field, message=e.message)
            for e in plan.errors
        ],
    )
