from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TAGS = 10


class CreateCommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    at_s: float | None = Field(
        default=None,
        ge=0,
        description="Seconds into the video; required except for replies (they inherit it)",
    )
    end_s: float | None = Field(default=None, description="For a range comment: where it ends")
    body: str = Field(min_length=1, max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    parent_id: str | None = Field(default=None, description="Reply to this comment")

    @model_validator(mode="after")
    def _range_order(self) -> CreateCommentRequest:
        if self.at_s is None:
            if self.parent_id is None:
                raise ValueError("at_s is required (seconds into the video)")
            return self
        if self.end_s is not None and self.end_s <= self.at_s:
            raise ValueError("end_s must be after at_s")
        return self


class UpdateCommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str | None = Field(default=None, min_length=1, max_length=5000)
    tags: list[str] | None = Field(default=None, max_length=MAX_TAGS)
    version: int = Field(ge=1, description="The version you read; a stale one gets 409")


class EditView(BaseModel):
    body: str
    tags: list[str]
    edited_at: datetime
    edited_by: str


class CommentView(BaseModel):
    id: str
    video_id: str
    parent_id: str | None
    author_id: str
    author_name: str | None
    author_role: str
    at_s: float
    end_s: float | None
    body: str
    tags: list[str]
    resolved: bool
    resolved_by: str | None
    resolved_at: datetime | None
    edits: list[EditView] = Field(description="Earlier versions of the body, oldest first")
    created_at: datetime
    updated_at: datetime
    version: int


class ThreadView(CommentView):
    replies: list[CommentView]


class CommentListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class CommentPage(BaseModel):
    threads: list[ThreadView] = Field(
        description="In video-time order; a thread is never split across pages"
    )
    next_cursor: str | None
