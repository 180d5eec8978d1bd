"""Request and response shapes of asking the teacher for library consent."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.review.schemas import NominateRequest

ConsentState = Literal["given", "not_given", "students_without_consent", "recording_deleted"]
RequestStatus = Literal["open", "agreed", "nominated", "not_nominated", "declined"]


class AskConsentRequest(NominateRequest):
    """The nomination that waits for the teacher's consent: the same fields as a nomination."""


class AnswerConsentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agree: bool = Field(
        description="True: the recording may be shared in the district library (every clip "
        "of it may be nominated; each still goes through review). False: not now."
    )


class ConsentRequestView(BaseModel):
    id: str
    video_id: str
    clip_id: str
    clip_title: str
    requested_by: str
    requested_by_name: str | None
    note: str = Field(description="The nomination that goes to review once the teacher agrees")
    elements: list[str]
    status: RequestStatus = Field(
        description="open (waiting for the teacher), agreed (on its way to review), nominated "
        "(in the review queue), not_nominated (see outcome), declined"
    )
    created_at: datetime
    answered_at: datetime | None
    review_id: str | None = Field(description="The nomination, once it is in the review queue")
    outcome: str | None = Field(description="Why an agreed request was not nominated")


class ConsentRequestList(BaseModel):
    items: list[ConsentRequestView]


class LibraryConsentView(BaseModel):
    """May a clip of this recording go to the library, in words a coach understands."""

    state: ConsentState
    message: str = Field(description="The state in plain words")
    teacher_name: str | None
    can_ask: bool = Field(description="Asking the teacher would let the nomination through")
    request: ConsentRequestView | None = Field(
        description="The latest request about this clip, if any"
    )
