"""HTTP routes for videos and their uploads. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.audit.schemas import AuditPage, VideoAuditQuery, entry_view
from chalicelib.config import get_settings
from chalicelib.errors import InvalidInput
from chalicelib.videos import multipart, service
from chalicelib.videos.schemas import (
    CompleteMultipartRequest,
    CompleteMultipartResponse,
    CreateMultipartRequest,
    CreateMultipartResponse,
    CreateVideoRequest,
    CreateVideoResponse,
    PartView,
    SignPartResponse,
    UpdateVideoRequest,
    UploadKeyQuery,
    VideoListQuery,
    VideoListResponse,
    VideoView,
)

videos_api = ApiBlueprint(__name__)


@videos_api.route(
    "/videos",
    methods=["POST"],
    summary="Create a video and get where to upload its file",
    request_model=CreateVideoRequest,
    response_model=CreateVideoResponse,
    status=201,
)
def create_video() -> Response:
    settings = get_settings()
    principal = current_principal()
    request = parse_body(videos_api.current_request, CreateVideoRequest)
    created = service.create_video(principal, request, settings)
    response = CreateVideoResponse(
        video=service.video_view(created.video, settings, principal), upload=created.upload
    )
    return json_response(response, 201)


@videos_api.route(
    "/videos",
    summary="Videos you can see, newest first (scope: mine, shared, school, district)",
    response_model=VideoListResponse,
    query_model=VideoListQuery,
)
def list_videos() -> Response:
    settings = get_settings()
    principal = current_principal()
    query = parse_query(videos_api.current_request, VideoListQuery)
    page = service.list_videos(principal, query)
    return json_response(
        VideoListResponse(
            items=[service.video_view(v, settings, principal) for v in page.items],
            next_cursor=page.next_cursor,
        )
    )


@videos_api.route("/videos/{video_id}", summary="One video", response_model=VideoView)
def get_video(video_id: str) -> Response:
    principal = current_principal()
    video = service.get_video(principal, video_id)
    return json_response(service.video_view(video, get_settings(), principal))


@videos_api.route(
    "/videos/{video_id}/audit",
    summary="Who viewed, shared, decided on the video, newest first (its teacher, admins)",
    response_model=AuditPage,
    query_model=VideoAuditQuery,
)
def video_audit(video_id: str) -> Response:
    query = parse_query(videos_api.current_request, VideoAuditQuery)
    items, cursor = service.audit_trail(
        current_principal(), video_id, cursor=query.cursor, limit=query.limit
    )
    return json_response(AuditPage(items=[entry_view(i) for i in items], next_cursor=cursor))


# --- multipart upload, Uppy companion protocol (@uppy/aws-s3 with `endpoint`) -----


def _key_param() -> str | None:
    return parse_query(videos_api.current_request, UploadKeyQuery).key


@videos_api.route(
    "/s3/multipart",
    methods=["POST"],
    summary="Start (or resume) the multipart upload of a video: metadata.video_id names it",
    request_model=CreateMultipartRequest,
    response_model=CreateMultipartResponse,
)
def create_multipart() -> Response:
    request = parse_body(videos_api.current_request, CreateMultipartRequest)
    video_id = request.metadata.get("video_id") or request.metadata.get("videoId")
    if not video_id:
        raise InvalidInput("metadata.video_id is required", field="metadata.video_id")
    opened = multipart.open_for_video(current_principal(), video_id)
    return json_response(CreateMultipartResponse(key=opened.key, uploadId=opened.upload_id))


@videos_api.route(
    "/s3/multipart/{upload_id}",
    summary="Parts uploaded so far (to resume)",
    response_model=PartView,
    response_is_list=True,
    query_model=UploadKeyQuery,
)
def list_multipart_parts(upload_id: str) -> Response:
    opened = multipart.resolve(current_principal(), _key_param(), upload_id)
    parts = multipart.list_parts(opened, get_settings())
    return Response(
        body=[
            PartView(PartNumber=p.part_number, Size=p.size, ETag=p.etag).model_dump() for p in parts
        ]
    )


@videos_api.route(
    "/s3/multipart/{upload_id}/{part_number}",
    summary="A presigned URL to PUT one part",
    response_model=SignPartResponse,
    query_model=UploadKeyQuery,
)
def sign_multipart_part(upload_id: str, part_number: str) -> Response:
    if not part_number.isdigit():
        raise InvalidInput("partNumber must be a whole number", field="partNumber")
    settings = get_settings()
    opened = multipart.resolve(current_principal(), _key_param(), upload_id)
    url = multipart.sign_part(opened, int(part_number), settings)
    return json_response(SignPartResponse(url=url, expires=settings.presign_expiry_s))


@videos_api.route(
    "/s3/multipart/{upload_id}/complete",
    methods=["POST"],
    summary="Assemble the uploaded parts (sizes are checked against the declaration)",
    request_model=CompleteMultipartRequest,
    response_model=CompleteMultipartResponse,
    query_model=UploadKeyQuery,
)
def complete_multipart(upload_id: str) -> Response:
    settings = get_settings()
    opened = multipart.resolve(current_principal(), _key_param(), upload_id)
    request = parse_body(videos_api.current_request, CompleteMultipartRequest)
    multipart.complete(opened, request.parts, settings)
    return json_response(
        CompleteMultipartResponse(location=f"s3://{settings.uploads_bucket}/{opened.key}")
    )


@videos_api.route(
    "/s3/multipart/{upload_id}",
    methods=["DELETE"],
    summary="Cancel the upload",
    query_model=UploadKeyQuery,
)
def abort_multipart(upload_id: str) -> Response:
    opened = multipart.resolve(current_principal(), _key_param(), upload_id)
    multipart.abort(opened, get_settings())
    return Response(body={}, status_code=200)


@videos_api.route(
    "/videos/{video_id}",
    methods=["PATCH"],
    summary="Edit title, reflection, sharing or library consent (owner)",
    request_model=UpdateVideoRequest,
    response_model=VideoView,
)
def update_video(video_id: str) -> Response:
    principal = current_principal()
    request = parse_body(videos_api.current_request, UpdateVideoRequest)
    video = service.update_video(principal, video_id, request)
    return json_response(service.video_view(video, get_settings(), principal))
