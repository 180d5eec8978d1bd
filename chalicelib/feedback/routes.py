"""Comments on a video: point and range feedback, replies, edits, resolve."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.feedback import service
from chalicelib.feedback.schemas import (
    CommentListQuery,
    CommentPage,
    CommentView,
    CreateCommentRequest,
    UpdateCommentRequest,
)

feedback_api = ApiBlueprint(__name__)

COMMENT = "/videos/{video_id}/comments/{comment_id}"


@feedback_api.route(
    "/videos/{video_id}/comments",
    methods=["POST"],
    summary="Comment at a moment or over a range, or reply to a comment",
    request_model=CreateCommentRequest,
    response_model=CommentView,
    status=201,
)
def create_comment(video_id: str) -> Response:
    request = parse_body(feedback_api.current_request, CreateCommentRequest)
    record = service.add_comment(current_principal(), video_id, request)
    return json_response(service.view(record), 201)


@feedback_api.route(
    "/videos/{video_id}/comments",
    summary="Comment threads in video-time order",
    response_model=CommentPage,
    query_model=CommentListQuery,
)
def list_comments(video_id: str) -> Response:
    query = parse_query(feedback_api.current_request, CommentListQuery)
    page = service.list_threads(
        current_principal(), video_id, cursor=query.cursor, limit=query.limit
    )
    return json_response(CommentPage(threads=page.threads, next_cursor=page.next_cursor))


@feedback_api.route(
    COMMENT,
    methods=["PATCH"],
    summary="Edit your comment (send the version you read; stale → 409 with the current one)",
    request_model=UpdateCommentRequest,
    response_model=CommentView,
)
def update_comment(video_id: str, comment_id: str) -> Response:
    request = parse_body(feedback_api.current_request, UpdateCommentRequest)
    record = service.update_comment(current_principal(), video_id, comment_id, request)
    return json_response(service.view(record))


@feedback_api.route(
    COMMENT,
    methods=["DELETE"],
    summary="Delete a comment and its replies (author or admin)",
    status=204,
)
def delete_comment(video_id: str, comment_id: str) -> Response:
    service.delete_comment(current_principal(), video_id, comment_id)
    return Response(body="", status_code=204)


@feedback_api.route(
    COMMENT + "/resolve",
    methods=["POST"],
    summary="Mark resolved (owner or coach)",
    response_model=CommentView,
)
def resolve_comment(video_id: str, comment_id: str) -> Response:
    record = service.set_resolved(current_principal(), video_id, comment_id, resolved=True)
    return json_response(service.view(record))


@feedback_api.route(
    COMMENT + "/reopen",
    methods=["POST"],
    summary="Reopen (owner or coach)",
    response_model=CommentView,
)
def reopen_comment(video_id: str, comment_id: str) -> Response:
    record = service.set_resolved(current_principal(), video_id, comment_id, resolved=False)
    return json_response(service.view(record))
