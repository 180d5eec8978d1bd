"""Reading and changing a district's framework; counting where elements are used."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import PutError

from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.framework.defaults import DEFAULT_ELEMENTS, DEFAULT_NAME
from chalicelib.framework.models import ElementAttr, ElementUsage, FrameworkRecord
from chalicelib.framework.schemas import Element, FrameworkView, PutFrameworkRequest


def _default(district: str) -> FrameworkRecord:
    pk, sk = FrameworkRecord.key(district)
    return FrameworkRecord(
        pk,
        sk,
        district=district,
        name=DEFAULT_NAME,
        elements=[ElementAttr(**element) for element in DEFAULT_ELEMENTS],
    )


def load(district: str) -> FrameworkRecord:
    """The stored framework, or the default one (not stored until an admin edits it)."""
    try:
        return FrameworkRecord.get(*FrameworkRecord.key(district), consistent_read=True)
    except FrameworkRecord.DoesNotExist:
        return _default(district)


def view(record: FrameworkRecord) -> FrameworkView:
    return FrameworkView(
        district=record.district,
        name=record.name,
        elements=[
            Element(
                id=e.id,
                label=e.label,
                description=e.description,
                colour=e.colour,
                teacher_actions=list(e.teacher_actions or []),
                retired=bool(e.retired),
            )
            for e in record.elements
        ],
        updated_at=record.updated_at if record.version else None,
        version=int(record.version or 0),
    )


def active_element_ids(district: str) -> set[str]:
    return {e.id for e in load(district).elements if not e.retired}


def check_tags(district: str, tags: Iterable[str], field: str = "tags") -> list[str]:
    """Tags must be active elements of the district's framework; returns them de-duplicated."""
    return active_tags(tags, active_element_ids(district), field)


def active_tags(tags: Iterable[str], active: set[str], field: str = "tags") -> list[str]:
    """``tags`` de-duplicated, in order, when every one is an active element."""
    wanted = list(dict.fromkeys(tags))
    unknown = [tag for tag in wanted if tag not in active]
    if unknown:
        raise InvalidInput(
            f"Not an active element of your district's framework: {', '.join(unknown)}",
            field=field,
        )
    return wanted


def check_replacement(
    current: Iterable[str], requested: Iterable[Element], uses: dict[str, int]
) -> None:
    """A new element list may retire any element but delete only unused ones, and keeps
    at least one active. ``uses``: how often each element is used now."""
    requested = list(requested)
    kept = {element.id for element in requested}
    in_use = {e: uses.get(e, 0) for e in current if e not in kept and uses.get(e, 0) > 0}
    if in_use:
        names = ", ".join(f"{k} ({v} uses)" for k, v in sorted(in_use.items()))
        raise Conflict(
            f"Elements in use cannot be deleted, only retired: {names}", field="elements"
        )
    if all(element.retired for element in requested):
        raise InvalidInput("At least one element must stay active", field="elements")


def usage(district: str, element_ids: Iterable[str]) -> dict[str, int]:
    keys = [ElementUsage.key(district, element_id) for element_id in element_ids]
    counts = {
        item.sk.removeprefix("USAGE#"): int(item.uses) for item in ElementUsage.batch_get(keys)
    }
    return {element_id: counts.get(element_id, 0) for element_id in element_ids}


def count_usage(district: str, added: Iterable[str] = (), removed: Iterable[str] = ()) -> None:
    for element_id, delta in [*((a, 1) for a in added), *((r, -1) for r in removed)]:
        ElementUsage.update_item(
            *ElementUsage.key(district, element_id), actions=[ElementUsage.uses.add(delta)]
        )


def replace(principal: Principal, request: PutFrameworkRequest) -> FrameworkRecord:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can change the framework")
    current = load(principal.district)
    if request.version is not None and request.version != int(current.version or 0):
        raise Conflict(
            "The framework changed since you read it",
            field="version",
            details={"current": view(current).model_dump(mode="json")},
        )
    kept = {element.id for element in request.elements}
    dropped = [e.id for e in current.elements if e.id not in kept]
    check_replacement(
        [e.id for e in current.elements], request.elements, usage(principal.district, dropped)
    )
    record = current
    record.name = request.name
    record.elements = [ElementAttr(**element.model_dump()) for element in request.elements]
    record.updated_by = principal.user_id
    record.updated_at = utcnow()
    try:
        record.save()
    except PutError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("The framework changed since you read it", field="version") from exc
        raise
    return record
