"""When the teacher gives library consent, the nominations waiting for it go to review.

A subscriber of ``video.consent_given`` (written in the same transaction as the
consent, by chalicelib/videos/service.py or chalicelib/consent/service.py):
each waiting request is nominated as the coach who asked, with their note and
elements, as if they had pressed Nominate then. It enters the queue as
``pending``: consent is what the nomination waited for, not an approval.

Idempotent: each request is one step of the relay, and its nomination has an id
derived from the request, so a relay that runs again after a crash finds the
nomination it made instead of making a second one. A nomination the rules now
refuse (the clip deleted, sharing withdrawn, students flagged and the clip not
redacted, the coach no longer coaching the teacher) settles the request with the
reason, which the coach sees on the clip.
"""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.consent import rules
from chalicelib.consent import service as consent
from chalicelib.consent.models import ConsentRequestRecord
from chalicelib.directory import membership
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.observability import logger
from chalicelib.review import service as review
from chalicelib.review.access import consent_problem
from chalicelib.review.models import ReviewRecord
from chalicelib.review.schemas import NominateRequest
from chalicelib.videos.events import CONSENT_GIVEN
from chalicelib.videos.models import VideoRecord


def hand_off(request: ConsentRequestRecord) -> None:
    """Nominate the request's clip as its coach; settle the request either way."""
    review_id = rules.review_id_for(request.request_id)
    try:
        # The coach as the directory knows them now: one who has since left the caseload,
        # the school or the district is refused like anyone else.
        coach = membership.as_they_are(request.district, request.requested_by)
        review.nominate(
            coach,
            request.clip_id,
            NominateRequest(note=request.note, elements=list(request.elements or [])),
            get_settings(),
            review_id=review_id,
        )
    # The rules' refusals settle the request; an outage raises, and the relay retries.
    except (Conflict, Forbidden, NotFound, InvalidInput) as refusal:
        if ReviewRecord.load(review_id) is not None:
            # Our own nomination, made by a relay that stopped before settling.
            consent.settle(request, review_id, None)
            return
        consent.settle(request, None, refusal.message)
        logger.info(
            "a nomination waiting for consent was refused",
            extra={"request_id": request.request_id, "reason": refusal.message},
        )
        return
    consent.settle(request, review_id, None)


class ConsentHandOff:
    name = "library-consent"

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        if event.type != CONSENT_GIVEN:
            return
        video = VideoRecord.load(str(event.data["video_id"]))
        # Withdrawn again before this ran: the requests keep waiting. Students flagged:
        # each nomination decides by its clip's redaction (refused, the request says why).
        if video is None or consent_problem(video, faces_blurred=True) is not None:
            return
        for request in consent.waiting_requests(video.video_id):
            step = f"nominate:{request.request_id}"
            if steps.done(step):
                continue
            hand_off(request)
            steps.mark(step)


SUBSCRIBER = ConsentHandOff()
