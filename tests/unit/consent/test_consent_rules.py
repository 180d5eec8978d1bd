"""Library consent in words, when asking helps, and the hand-off's stable nomination id."""

from __future__ import annotations

import re

import pytest

from chalicelib.consent import rules
from chalicelib.consent.models import ConsentRequestStatus
from chalicelib.consent.schemas import ConsentState
from chalicelib.videos.models import VideoRecord

INTERNAL = re.compile(r"[a-z]+_[a-z_]+")


def _video(consent: bool, flagged: bool) -> VideoRecord:
    return VideoRecord(
        "VIDEO#v", "META", consent_to_library=consent, contains_students_without_consent=flagged
    )


@pytest.mark.parametrize(
    ("video", "state"),
    [
        (None, "recording_deleted"),
        (_video(consent=False, flagged=False), "not_given"),
        (_video(consent=True, flagged=False), "given"),
        (_video(consent=True, flagged=True), "students_without_consent"),
        (_video(consent=False, flagged=True), "students_without_consent"),
    ],
)
def test_the_state_of_a_recording(video: VideoRecord | None, state: ConsentState) -> None:
    assert rules.consent_state(video) == state


@pytest.mark.parametrize(
    "state", ["given", "not_given", "students_without_consent", "recording_deleted"]
)
def test_every_state_reads_as_words_with_no_field_names(state: ConsentState) -> None:
    message = rules.consent_message(state, "Ana Teacher")
    assert not INTERNAL.search(message), message
    assert message.endswith(".")


def test_asking_helps_only_when_the_teachers_agreement_is_missing_and_not_asked() -> None:
    assert rules.can_ask("not_given", None)
    assert rules.can_ask("not_given", ConsentRequestStatus.DECLINED)
    assert not rules.can_ask("not_given", ConsentRequestStatus.OPEN)
    assert not rules.can_ask("not_given", ConsentRequestStatus.AGREED)
    assert not rules.can_ask("given", None)
    assert not rules.can_ask("students_without_consent", None)


def test_a_request_always_becomes_the_same_nomination() -> None:
    assert rules.review_id_for("cr_1") == rules.review_id_for("cr_1")
    assert rules.review_id_for("cr_1") != rules.review_id_for("cr_2")
    assert rules.review_id_for("cr_1").startswith("rev_")
