"""HTTP routes for nominations and the review queue. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.review import access, queue, service, views
from chalicelib.review import checklist as checklists
from chalicelib.review.schemas import (
    ApproveRequest,
    ChecklistQuery,
    ChecklistView,
    CriterionView,
    NominateRequest,
    PutChecklistRequest,
    QueueQuery,
    RejectRequest,
    ReviewItemPage,
    ReviewItemView,
    ReviewStats,
    UnpublishRequest,
)

review_api = ApiBlueprint(__name__)

ITEM = "/review-queue/{review_id}"


@review_api.route(
    "/clips/{clip_id}/nominate",
    methods=["POST"],
    summary="Nominate a ready clip for the library (needs the teacher's library consent)",
    request_model=NominateRequest,
    response_model=ReviewItemView,
    status=201,
)
def nominate(clip_id: str) -> Response:
    settings = get_settings()
    request = parse_body(review_api.current_request, NominateRequest)
    item = service.nominate(current_principal(), clip_id, request, settings)
    return json_response(views.item_view(current_principal(), item, settings), 201)


@review_api.route(
    "/review-queue",
    summary="The review queue, oldest first (reviewers, admins)",
    response_model=ReviewItemPage,
    query_model=QueueQuery,
)
def list_queue() -> Response:
    settings = get_settings()
    query = parse_query(review_api.current_request, QueueQuery)
    principal = current_principal()
    items, cursor = queue.list_queue(principal, query)
    return json_response(
        ReviewItemPage(items=views.item_views(principal, items, settings), next_cursor=cursor)
    )


@review_api.route(
    "/review-queue/stats",
    summary="Counts by status, element and reviewer; oldest pending age; median decision time",
    response_model=ReviewStats,
)
def queue_stats() -> Response:
    return json_response(queue.stats(current_principal()))


def _checklist_view(found: checklists.Checklist) -> ChecklistView:
    return ChecklistView(
        version=found.version,
        items=[CriterionView(key=c.key, label=c.label) for c in found.criteria],
        updated_by=found.updated_by,
    )


@review_api.route(
    "/review-queue/checklist",
    summary="The district's quality-control criteria an approval confirms (?version= earlier)",
    response_model=ChecklistView,
    query_model=ChecklistQuery,
)
def checklist() -> Response:
    principal = current_principal()
    access.require_reviewer(principal)
    query = parse_query(review_api.current_request, ChecklistQuery)
    found = (
        checklists.current(principal.district)
        if query.version is None
        else checklists.version(principal.district, query.version)
    )
    return json_response(_checklist_view(found))


@review_api.route(
    "/review-queue/checklist",
    methods=["PUT"],
    summary="Write a new version of the district's QC checklist (admin); approvals keep theirs",
    request_model=PutChecklistRequest,
    response_model=ChecklistView,
)
def put_checklist() -> Response:
    request = parse_body(review_api.current_request, PutChecklistRequest)
    criteria = [checklists.Criterion(i.key, i.label) for i in request.items]
    return json_response(
        _checklist_view(checklists.replace(current_principal(), criteria, request.version))
    )


@review_api.route(ITEM, summary="One review item with its history", response_model=ReviewItemView)
def get_item(review_id: str) -> Response:
    item = service.get_item(current_principal(), review_id)
    return json_response(views.item_view(current_principal(), item, get_settings()))


@review_api.route(
    ITEM + "/claim",
    methods=["POST"],
    summary="Claim the item (409 already_claimed if another reviewer holds it)",
    response_model=ReviewItemView,
)
def claim(review_id: str) -> Response:
    settings = get_settings()
    item = service.claim(current_principal(), review_id, settings)
    return json_response(views.item_view(current_principal(), item, settings))


@review_api.route(
    ITEM + "/release",
    methods=["POST"],
    summary="Give the item back to the queue",
    response_model=ReviewItemView,
)
def release(review_id: str) -> Response:
    item = service.release(current_principal(), review_id)
    return json_response(views.item_view(current_principal(), item, get_settings()))


@review_api.route(
    ITEM + "/approve",
    methods=["POST"],
    summary="Approve with the QC checklist: publishes the clip to the library",
    request_model=ApproveRequest,
    response_model=ReviewItemView,
)
def approve(review_id: str) -> Response:
    settings = get_settings()
    request = parse_body(review_api.current_request, ApproveRequest)
    item = service.approve(current_principal(), review_id, request, settings)
    return json_response(views.item_view(current_principal(), item, settings))


@review_api.route(
    ITEM + "/reject",
    methods=["POST"],
    summary="Reject with a reason the nominator sees",
    request_model=RejectRequest,
    response_model=ReviewItemView,
)
def reject(review_id: str) -> Response:
    request = parse_body(review_api.current_request, RejectRequest)
    item = service.reject(current_principal(), review_id, request)
    return json_response(views.item_view(current_principal(), item, get_settings()))


@review_api.route(
    "/library/{clip_id}/unpublish",
    methods=["POST"],
    summary="Take a clip out of the library, with the reason (admin)",
    request_model=UnpublishRequest,
    response_model=ReviewItemView,
)
def unpublish(clip_id: str) -> Response:
    request = parse_body(review_api.current_request, UnpublishRequest)
    item = service.unpublish(current_principal(), clip_id, request.reason)
    return json_response(views.item_view(current_principal(), item, get_settings()))
