"""Routes whose work crosses capabilities: editing a video's consent and safeguards
(its clips leave the library and the review queue at once) and deleting a video
with everything derived from it. Thin: parse, call a workflow, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.orchestration import consent, deletion
from chalicelib.privacy.schemas import SafeguardsRequest
from chalicelib.videos import service as videos
from chalicelib.videos.schemas import UpdateVideoRequest, VideoView

workflows_api = ApiBlueprint(__name__)


@workflows_api.route(
    "/videos/{video_id}",
    methods=["PATCH"],
    summary="Edit title, reflection, sharing or library consent (owner)",
    request_model=UpdateVideoRequest,
    response_model=VideoView,
)
def update_video(video_id: str) -> Response:
    principal = current_principal()
    request = parse_body(workflows_api.current_request, UpdateVideoRequest)
    video = consent.update_video(principal, video_id, request)
    return json_response(videos.video_view(video, get_settings(), principal))


@workflows_api.route(
    "/videos/{video_id}/safeguards",
    methods=["PUT"],
    summary="Flag students without media consent (owner, coach, admin); legal hold (admin)",
    request_model=SafeguardsRequest,
    response_model=VideoView,
)
def update_safeguards(video_id: str) -> Response:
    principal = current_principal()
    request = parse_body(workflows_api.current_request, SafeguardsRequest)
    video = consent.update_safeguards(principal, video_id, request)
    return json_response(videos.video_view(video, get_settings(), principal))


@workflows_api.route(
    "/videos/{video_id}",
    methods=["DELETE"],
    summary="Delete the video, its feedback and every stored file (owner or admin)",
    status=204,
)
def delete_video(video_id: str) -> Response:
    deletion.delete_video(current_principal(), video_id, get_settings())
    return Response(body="", status_code=204)
