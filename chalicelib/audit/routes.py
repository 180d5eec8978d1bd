"""HTTP routes for the audit trail."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.audit import service
from chalicelib.audit.models import AuditRecord
from chalicelib.audit.schemas import (
    AuditEntryView,
    AuditPage,
    DistrictAuditQuery,
    VideoAuditQuery,
)

audit_api = ApiBlueprint(__name__)


def _view(entry: AuditRecord) -> AuditEntryView:
    return AuditEntryView(
        id=entry.audit_id,
        at=entry.at,
        action=entry.action,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        video_id=entry.video_id,
        clip_id=entry.clip_id,
        subject=entry.subject,
    )


@audit_api.route(
    "/videos/{video_id}/audit",
    summary="Who viewed, shared, decided on the video, newest first (its teacher, admins)",
    response_model=AuditPage,
    query_model=VideoAuditQuery,
)
def video_audit(video_id: str) -> Response:
    query = parse_query(audit_api.current_request, VideoAuditQuery)
    items, cursor = service.video_trail(
        current_principal(), video_id, cursor=query.cursor, limit=query.limit
    )
    return json_response(AuditPage(items=[_view(i) for i in items], next_cursor=cursor))


@audit_api.route(
    "/audit",
    summary="The district's audit trail between two days, oldest first (admin; CSV via the CLI)",
    response_model=AuditPage,
    query_model=DistrictAuditQuery,
)
def district_audit() -> Response:
    query = parse_query(audit_api.current_request, DistrictAuditQuery)
    items, cursor = service.district_page(
        current_principal(), query.since, query.until, cursor=query.cursor, limit=query.limit
    )
    return json_response(AuditPage(items=[_view(i) for i in items], next_cursor=cursor))
