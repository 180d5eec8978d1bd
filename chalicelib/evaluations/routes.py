"""Evaluations of a video: draft, change, release, acknowledge."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.evaluations import rubric as rubrics
from chalicelib.evaluations import rules, service
from chalicelib.evaluations.schemas import (
    AcknowledgeRequest,
    CreateEvaluationRequest,
    EvaluationList,
    EvaluationView,
    LevelView,
    PutRubricRequest,
    RubricQuery,
    RubricView,
    UpdateEvaluationRequest,
)

evaluations_api = ApiBlueprint(__name__)

EVALUATION = "/videos/{video_id}/evaluations/{evaluation_id}"


@evaluations_api.route(
    "/videos/{video_id}/evaluations",
    methods=["POST"],
    summary="Draft an evaluation against the rubric (admin the video is shared with)",
    request_model=CreateEvaluationRequest,
    response_model=EvaluationView,
    status=201,
)
def create_evaluation(video_id: str) -> Response:
    request = parse_body(evaluations_api.current_request, CreateEvaluationRequest)
    record = service.create(current_principal(), video_id, request)
    return json_response(service.view(record), 201)


@evaluations_api.route(
    "/videos/{video_id}/evaluations",
    summary="Evaluations you may see (the teacher: released ones)",
    response_model=EvaluationList,
)
def list_evaluations(video_id: str) -> Response:
    records = service.list_for(current_principal(), video_id)
    return json_response(EvaluationList(items=[service.view(r) for r in records]))


@evaluations_api.route(
    EVALUATION,
    methods=["PATCH"],
    summary="Change a draft (its evaluator)",
    request_model=UpdateEvaluationRequest,
    response_model=EvaluationView,
)
def update_evaluation(video_id: str, evaluation_id: str) -> Response:
    request = parse_body(evaluations_api.current_request, UpdateEvaluationRequest)
    record = service.update(current_principal(), video_id, evaluation_id, request)
    return json_response(service.view(record))


@evaluations_api.route(
    EVALUATION + "/release",
    methods=["POST"],
    summary="Release to the teacher (its evaluator)",
    response_model=EvaluationView,
)
def release_evaluation(video_id: str, evaluation_id: str) -> Response:
    record = service.release(current_principal(), video_id, evaluation_id)
    return json_response(service.view(record))


@evaluations_api.route(
    EVALUATION + "/acknowledge",
    methods=["POST"],
    summary="Acknowledge, optionally with a response (the teacher)",
    request_model=AcknowledgeRequest,
    response_model=EvaluationView,
)
def acknowledge_evaluation(video_id: str, evaluation_id: str) -> Response:
    request = parse_body(evaluations_api.current_request, AcknowledgeRequest)
    record = service.acknowledge(current_principal(), video_id, evaluation_id, request)
    return json_response(service.view(record))


def _rubric_view(found: rubrics.Rubric) -> RubricView:
    return RubricView(
        version=found.version,
        levels=[LevelView(score=level.score, label=level.label) for level in found.levels],
        updated_by=found.updated_by,
    )


@evaluations_api.route(
    "/evaluations/rubric",
    summary="The district's evaluation rubric: levels and their labels (?version= earlier)",
    response_model=RubricView,
    query_model=RubricQuery,
)
def get_rubric() -> Response:
    principal = current_principal()
    query = parse_query(evaluations_api.current_request, RubricQuery)
    found = (
        rubrics.current(principal.district)
        if query.version is None
        else rubrics.version(principal.district, query.version)
    )
    return json_response(_rubric_view(found))


@evaluations_api.route(
    "/evaluations/rubric",
    methods=["PUT"],
    summary="Write a new version of the rubric (admin); evaluations keep the one they used",
    request_model=PutRubricRequest,
    response_model=RubricView,
)
def put_rubric() -> Response:
    request = parse_body(evaluations_api.current_request, PutRubricRequest)
    levels = [rubrics.Level(level.score, level.label) for level in request.levels]
    rules.check_levels(levels)
    return json_response(
        _rubric_view(rubrics.replace(current_principal(), levels, request.version))
    )
