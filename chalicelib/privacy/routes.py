"""HTTP routes for safeguards, exports and retention. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.privacy import export, retention, safeguards
from chalicelib.privacy.models import ExportRecord, RetentionPolicy
from chalicelib.privacy.schemas import (
    ExportView,
    PreviewQuery,
    RetentionPolicyBody,
    RetentionPolicyView,
    RetentionPreview,
    SafeguardsRequest,
    StepView,
)
from chalicelib.videos import service as videos
from chalicelib.videos.schemas import VideoView

privacy_api = ApiBlueprint(__name__)


def _export_view(record: ExportRecord) -> ExportView:
    return ExportView(
        id=record.export_id,
        status=record.status,
        created_at=record.created_at,
        finished_at=record.finished_at,
        videos=int(record.videos) if record.videos is not None else None,
        size_bytes=int(record.size_bytes) if record.size_bytes is not None else None,
        download_url=export.download_url(record, get_settings()),
        expires_at=record.expires_at,
    )


@privacy_api.route(
    "/me/exports",
    methods=["POST"],
    summary="Export your videos and their feedback as a zip (built in the background)",
    response_model=ExportView,
    status=202,
)
def start_export() -> Response:
    record = export.start(current_principal(), get_settings())
    return json_response(_export_view(record), 202)


@privacy_api.route(
    "/me/exports/{export_id}",
    summary="An export's status, and its download link once ready",
    response_model=ExportView,
)
def get_export(export_id: str) -> Response:
    return json_response(_export_view(export.get(current_principal(), export_id)))


def _policy_view(district: str, policy: RetentionPolicy | None) -> RetentionPolicyView:
    if policy is None:
        return RetentionPolicyView(district=district, updated_by=None, updated_at=None)
    return RetentionPolicyView(
        district=policy.district,
        source_days=int(policy.source_days) if policy.source_days else None,
        renditions_days=int(policy.renditions_days) if policy.renditions_days else None,
        updated_by=policy.updated_by,
        updated_at=policy.updated_at,
    )


@privacy_api.route(
    "/retention",
    summary="Your district's retention policy (admin)",
    response_model=RetentionPolicyView,
)
def get_retention() -> Response:
    principal = current_principal()
    return json_response(_policy_view(principal.district, retention.get_policy(principal)))


@privacy_api.route(
    "/retention",
    methods=["PUT"],
    summary="Set the retention policy (admin); applied daily, legal holds always win",
    request_model=RetentionPolicyBody,
    response_model=RetentionPolicyView,
)
def put_retention() -> Response:
    principal = current_principal()
    body = parse_body(privacy_api.current_request, RetentionPolicyBody)
    policy = retention.put_policy(principal, body.source_days, body.renditions_days)
    return json_response(_policy_view(principal.district, policy))


@privacy_api.route(
    "/retention/preview",
    summary="Dry run: what the policy would delete as of a date (admin)",
    response_model=RetentionPreview,
    query_model=PreviewQuery,
)
def preview_retention() -> Response:
    query = parse_query(privacy_api.current_request, PreviewQuery)
    plan = retention.preview(current_principal(), query.as_of)
    return json_response(
        RetentionPreview(
            district=plan.district,
            as_of=plan.as_of,
            steps=[
                StepView(video_id=s.video_id, action=s.action, due_at=s.due_at) for s in plan.steps
            ],
            held=plan.held,
            kept_for_library=plan.kept_for_library,
        )
    )


@privacy_api.route(
    "/videos/{video_id}/safeguards",
    methods=["PUT"],
    summary="Flag students without media consent (owner, coach, admin); legal hold (admin)",
    request_model=SafeguardsRequest,
    response_model=VideoView,
)
def update_safeguards(video_id: str) -> Response:
    principal = current_principal()
    request = parse_body(privacy_api.current_request, SafeguardsRequest)
    video = safeguards.update_safeguards(principal, video_id, request)
    return json_response(videos.video_view(video, get_settings(), principal))
