"""HTTP routes that open a video's or clip's media to the caller. Thin: parse, grant, shape."""

from __future__ import annotations

from chalice.app import Request, Response

from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.playback import service
from chalicelib.playback.paths import VIEWER_ORIGIN_HEADER
from chalicelib.playback.schemas import PlaybackView

playback_api = ApiBlueprint(__name__)


def _origin(request: Request) -> str:
    """Where media is served from: the distribution in AWS, this server locally.

    A forged viewer-origin header (a caller going around CloudFront) can only
    make the caller's own cookies name another host, which CloudFront refuses.
    """
    settings = get_settings()
    if settings.playback_origin:
        return settings.playback_origin
    headers = request.headers
    if headers.get(VIEWER_ORIGIN_HEADER):
        return str(headers[VIEWER_ORIGIN_HEADER])
    scheme = headers.get("x-forwarded-proto", "http")
    return f"{scheme}://{headers.get('host', '127.0.0.1')}"


def _response(grant: service.PlaybackGrant, origin: str) -> Response:
    secure = "; Secure" if origin.startswith("https://") else ""
    max_age = max(0, int(get_settings().playback_access_s))
    cookies = [
        f"{name}={value}; Path={grant.path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        for name, value in grant.cookies.items()
    ]
    return json_response(grant.view, headers={"Set-Cookie": cookies, "Cache-Control": "no-store"})


@playback_api.route(
    "/videos/{video_id}/playback",
    methods=["POST"],
    summary="Open the video's media to you for a while (signed cookies); renew before it ends",
    response_model=PlaybackView,
)
def video_playback(video_id: str) -> Response:
    request = playback_api.current_request
    origin = _origin(request)
    grant = service.for_video(current_principal(), video_id, origin, get_settings())
    return _response(grant, origin)


@playback_api.route(
    "/clips/{clip_id}/playback",
    methods=["POST"],
    summary="Open the clip's media to you for a while (signed cookies); renew before it ends",
    response_model=PlaybackView,
)
def clip_playback(clip_id: str) -> Response:
    request = playback_api.current_request
    origin = _origin(request)
    grant = service.for_clip(current_principal(), clip_id, origin, get_settings())
    return _response(grant, origin)


@playback_api.route(
    "/clips/{clip_id}/redaction/playback",
    methods=["POST"],
    summary="Open the clip's redacted version (students' faces blurred) to you for a while",
    response_model=PlaybackView,
)
def redaction_playback(clip_id: str) -> Response:
    request = playback_api.current_request
    origin = _origin(request)
    grant = service.for_redaction(current_principal(), clip_id, origin, get_settings())
    return _response(grant, origin)
