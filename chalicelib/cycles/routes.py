"""HTTP routes of coaching cycles. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.cycles import service
from chalicelib.cycles.schemas import (
    AddEvidenceRequest,
    CloseCycleRequest,
    CycleDetail,
    CycleList,
    CyclesQuery,
    CycleView,
    OpenCycleRequest,
)

cycles_api = ApiBlueprint(__name__)

CYCLE = "/cycles/{cycle_id}"


@cycles_api.route(
    "/cycles",
    methods=["POST"],
    summary="Open a coaching cycle: a goal tied to a framework element (a coach or teacher)",
    request_model=OpenCycleRequest,
    response_model=CycleView,
    status=201,
)
def open_cycle() -> Response:
    request = parse_body(cycles_api.current_request, OpenCycleRequest)
    return json_response(service.view(service.open_cycle(current_principal(), request)), 201)


@cycles_api.route(
    "/cycles",
    summary="The cycles you are the teacher or coach of (?status=open|closed|all)",
    response_model=CycleList,
    query_model=CyclesQuery,
)
def list_cycles() -> Response:
    query = parse_query(cycles_api.current_request, CyclesQuery)
    cycles = service.list_cycles(current_principal(), query.status)
    return json_response(CycleList(items=[service.view(c) for c in cycles]))


@cycles_api.route(CYCLE, summary="One cycle with its evidence, by week", response_model=CycleDetail)
def get_cycle(cycle_id: str) -> Response:
    return json_response(service.get_cycle(current_principal(), cycle_id))


@cycles_api.route(
    CYCLE + "/evidence",
    methods=["POST"],
    summary="Add one of the teacher's videos (or a comment's moment of it) as evidence",
    request_model=AddEvidenceRequest,
    response_model=CycleView,
    status=201,
)
def add_evidence(cycle_id: str) -> Response:
    request = parse_body(cycles_api.current_request, AddEvidenceRequest)
    cycle = service.add_evidence(current_principal(), cycle_id, request)
    return json_response(service.view(cycle), 201)


@cycles_api.route(
    CYCLE + "/close",
    methods=["POST"],
    summary="Close the cycle with a reflection",
    request_model=CloseCycleRequest,
    response_model=CycleView,
)
def close_cycle(cycle_id: str) -> Response:
    request = parse_body(cycles_api.current_request, CloseCycleRequest)
    return json_response(service.view(service.close_cycle(current_principal(), cycle_id, request)))
