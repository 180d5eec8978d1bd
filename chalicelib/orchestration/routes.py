"""Routes whose work crosses capabilities: deleting a video with everything derived
from it. Thin: parse, call a workflow, answer. (Consent changes reach the clips
through their events: chalicelib/orchestration/consent.py.)"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint
from chalicelib.config import get_settings
from chalicelib.orchestration import deletion

workflows_api = ApiBlueprint(__name__)


@workflows_api.route(
    "/videos/{video_id}",
    methods=["DELETE"],
    summary="Delete the video, its feedback and every stored file (owner or admin)",
    status=204,
)
def delete_video(video_id: str) -> Response:
    deletion.delete_video(current_principal(), video_id, get_settings())
    return Response(body="", status_code=204)
