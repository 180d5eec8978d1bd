"""Request and response shapes of the videos API (also the OpenAPI schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.api.links import CarriesPlayback, PlaybackLink, UploadLink
from chalicelib.media.formats import ACCEPTED_CONTAINERS

# What the upload pickers offer (file-name hints) and the types browsers and
# phones declare. Neither is a gate: browsers declare '' or
# application/octet-stream for camcorder files, and a file is what its bytes
# say when it lands (chalicelib/media/formats.py decides, by content).
ALLOWED_EXTENSIONS = tuple(ext for c in ACCEPTED_CONTAINERS for ext in c.extensions)
ALLOWED_CONTENT_TYPES = tuple(ct for c in ACCEPTED_CONTAINERS for ct in c.content_types)
CONTENT_TYPE_BY_EXTENSION = {
    ext: c.content_types[0] for c in ACCEPTED_CONTAINERS for ext in c.extensions
}
UNKNOWN_CONTENT_TYPE = "application/octet-stream"


def stored_content_type(declared: str) -> str:
    """The type the upload is stored under (the presigned POST pins it, landing checks it):
    a known video type as declared, anything else (empty, octet-stream, a guess like
    model/vnd.mts) as application/octet-stream: a raw upload is never stored as text/html."""
    value = declared.split(";", maxsplit=1)[0].strip().lower()
    return value if value in ALLOWED_CONTENT_TYPES else UNKNOWN_CONTENT_TYPE


class CreateVideoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(
        default="",
        max_length=255,
        validate_default=True,
        description="What the browser or phone declared (may be empty); never a reason to refuse",
    )
    size_bytes: int = Field(gt=0, description="Exact size of the file to upload, in bytes")
    reflection: str | None = Field(default=None, max_length=10_000)

    @field_validator("content_type")
    @classmethod
    def _stored_type(cls, value: str) -> str:
        return stored_content_type(value)


class PostUpload(BaseModel):
    mode: Literal["post"] = "post"
    url: UploadLink
    fields: dict[str, str]
    expires_at: datetime


class MultipartUpload(BaseModel):
    mode: Literal["multipart"] = "multipart"
    key: str
    upload_id: str
    part_size: int
    part_count: int
    expires_at: datetime


class RenditionView(BaseModel):
    label: str
    width: int
    height: int
    url: PlaybackLink


class SharedWith(BaseModel):
    id: str
    kind: Literal["person", "group"]
    name: str = Field(description="As the directory names them (the id if it no longer does)")


class SharingView(BaseModel):
    users: list[str] = Field(description="User ids the video is shared with by name")
    groups: list[str] = Field(default_factory=list, description="Groups it is shared with")
    school_coaches: bool = Field(
        description="Shared with the coaches of the video's school (and of the teacher's caseload)"
    )
    shared_with: list[SharedWith] = Field(
        default_factory=list, description="The people and groups, with their names"
    )


class VideoView(CarriesPlayback):
    id: str
    title: str
    reflection: str | None
    owner_id: str
    owner_name: str | None = Field(default=None, description="The teacher's name, as signed in")
    district: str
    school: str | None
    status: Literal["uploading", "processing", "ready", "failed"]
    playable: bool
    progress: float = Field(description="0..1 while processing")
    failure_reason: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    fps: float | None
    has_audio: bool | None
    renditions: list[RenditionView] = Field(
        description="Progressive MP4 (download; what the player plays while hls is false: "
        "a web-ready upload's copy while its stream is not yet started, or a video "
        "processed before HLS)"
    )
    hls: bool = Field(
        description="Streams adaptively: get its playlist and access from POST "
        "/videos/{id}/playback (once its start is encoded, while the rest still encodes)"
    )
    poster_url: PlaybackLink | None
    storyboard_url: PlaybackLink | None
    storyboard_vtt_url: PlaybackLink | None = Field(
        description="WebVTT cues reference 'storyboard.jpg#xywh=…'; fetch the sprite from "
        "storyboard_url"
    )
    sharing: SharingView | None = Field(description="Only shown to the owner and admins")
    consent_to_library: bool
    contains_students_without_consent: bool = Field(
        description="Students without media consent appear: the library is closed to it"
    )
    legal_hold: bool = Field(description="Under legal hold: nothing of it can be deleted")
    renditions_deleted_at: datetime | None = Field(
        description="When the district's retention policy removed its playable files"
    )
    created_at: datetime
    updated_at: datetime


class CreateVideoResponse(BaseModel):
    video: VideoView
    upload: PostUpload | MultipartUpload


class VideoListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["mine", "shared", "school", "caseload", "district"] = Field(
        default="mine",
        description="mine: your uploads; shared: shared with you by name or with a group you "
        "are in; school: shared with the coaches of your schools (coaches); caseload: shared "
        "with coaches by the teachers of your caseloads (coaches); district: every video "
        "(admins)",
    )
    status: Literal["uploading", "processing", "ready", "failed"] | None = None
    cursor: str | None = None
    limit: int = Field(default=20, ge=1, le=100)


class SharingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=100
    )
    groups: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=50, description="Group ids of the directory"
    )
    school_coaches: bool = False


class UpdateVideoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=200)
    reflection: str | None = Field(default=None, max_length=10_000)
    sharing: SharingUpdate | None = Field(default=None, description="Replaces the sharing")
    consent_to_library: bool | None = None


class VideoListResponse(BaseModel):
    items: list[VideoView]
    next_cursor: str | None


# --- multipart: the request/response shapes of Uppy's companion protocol ------


class UploadKeyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(default=None, description="The object key the upload was issued for")


class CreateMultipartRequest(BaseModel):
    filename: str | None = None
    type: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class CreateMultipartResponse(BaseModel):
    key: str
    uploadId: str  # noqa: N815  (Uppy's field name)


class SignPartResponse(BaseModel):
    url: UploadLink
    expires: int


class PartView(BaseModel):
    PartNumber: int
    Size: int
    ETag: str


class CompletePart(BaseModel):
    PartNumber: int = Field(ge=1, le=10_000)
    ETag: str = Field(min_length=1, max_length=200)


class CompleteMultipartRequest(BaseModel):
    parts: list[CompletePart] = Field(min_length=1, max_length=10_000)


class CompleteMultipartResponse(BaseModel):
    location: UploadLink
