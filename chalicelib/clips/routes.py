"""HTTP routes for clips. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.clips import service
from chalicelib.clips.schemas import ClipList, ClipView, CreateClipRequest, RetrimRequest
from chalicelib.config import get_settings
from chalicelib.feedback.schemas import CommentListQuery, CommentPage

clips_api = ApiBlueprint(__name__)


@clips_api.route(
    "/videos/{video_id}/clips",
    methods=["POST"],
    summary="Cut a clip (owner or a coach the video is shared with); from a range comment too",
    request_model=CreateClipRequest,
    response_model=ClipView,
    status=201,
)
def create_clip(video_id: str) -> Response:
    settings = get_settings()
    request = parse_body(clips_api.current_request, CreateClipRequest)
    principal = current_principal()
    clip = service.create_clip(principal, video_id, request, settings)
    return json_response(service.view_for(principal, clip, settings), 201)


@clips_api.route(
    "/videos/{video_id}/clips",
    summary="Clips cut from a video, newest first",
    response_model=ClipList,
)
def list_clips(video_id: str) -> Response:
    views = service.list_clips(current_principal(), video_id, get_settings())
    return json_response(ClipList(items=views))


@clips_api.route(
    "/clips/{clip_id}/retrim",
    methods=["POST"],
    summary="Cut the clip again (another span, title or tags) as a new clip that may be "
    "nominated; not while it is in review or in the library",
    request_model=RetrimRequest,
    response_model=ClipView,
    status=201,
)
def retrim_clip(clip_id: str) -> Response:
    settings = get_settings()
    request = parse_body(clips_api.current_request, RetrimRequest)
    principal = current_principal()
    clip = service.retrim(principal, clip_id, request, settings)
    return json_response(service.view_for(principal, clip, settings), 201)


@clips_api.route("/clips/{clip_id}", summary="One clip", response_model=ClipView)
def get_clip(clip_id: str) -> Response:
    return json_response(service.get_clip(current_principal(), clip_id, get_settings()))


@clips_api.route(
    "/clips/{clip_id}/comments",
    summary="Feedback carried over from the video, times relative to the clip",
    response_model=CommentPage,
    query_model=CommentListQuery,
)
def list_clip_comments(clip_id: str) -> Response:
    query = parse_query(clips_api.current_request, CommentListQuery)
    page = service.clip_threads(
        current_principal(), clip_id, cursor=query.cursor, limit=query.limit
    )
    return json_response(CommentPage(threads=page.threads, next_cursor=page.next_cursor))
