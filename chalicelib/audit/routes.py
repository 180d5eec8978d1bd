"""HTTP routes for the audit trail."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.audit import service
from chalicelib.audit.schemas import (
    AuditPage,
    DistrictAuditQuery,
    entry_view,
)

audit_api = ApiBlueprint(__name__)


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
    return json_response(AuditPage(items=[entry_view(i) for i in items], next_cursor=cursor))
