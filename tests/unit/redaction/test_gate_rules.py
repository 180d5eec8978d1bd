"""Who is shown which media of a clip, and what a redaction lets through the review gate."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.clips.media import shown_media
from chalicelib.clips.models import ClipRecord
from chalicelib.clips.redacted import RedactionRecord, RedactionStatus
from chalicelib.clips.rules import shows_original
from chalicelib.consent import rules as consent_rules
from chalicelib.errors import Conflict
from chalicelib.library.rules import recording_allows
from chalicelib.review.access import consent_problem
from chalicelib.review.rules import check_redaction_signed_off
from chalicelib.videos.models import RenditionAttr, VideoRecord
from tests.support.principals import person

TEACHER = person("teacher", Role.TEACHER)
REVIEWER = person("reviewer", Role.REVIEWER)


@pytest.mark.parametrize(
    ("may_watch", "flagged", "redacted", "original"),
    [
        (True, True, True, True),  # the teacher and her coaches: always as cut
        (True, True, False, True),
        (False, False, False, True),  # nothing to hide, nothing redacted
        (False, True, False, False),  # flagged: redacted or nothing
        (False, True, True, False),
        (False, False, True, False),  # a redaction was asked for: the library's version
    ],
)
def test_who_is_shown_the_clip_as_cut(
    may_watch: bool, flagged: bool, redacted: bool, original: bool
) -> None:
    assert (
        shows_original(may_watch_recording=may_watch, students_flagged=flagged, redacted=redacted)
        is original
    )


def _video(*, flagged: bool, consent: bool = True) -> VideoRecord:
    return VideoRecord(
        "VIDEO#v",
        "META",
        video_id="v",
        district="district-a",
        owner_id="teacher",
        consent_to_library=consent,
        contains_students_without_consent=flagged,
    )


def _clip() -> ClipRecord:
    return ClipRecord(
        "CLIP#c",
        "META",
        clip_id="c",
        video_id="v",
        district="district-a",
        owner_id="teacher",
        renditions=[RenditionAttr(label="720p", width=1280, height=720, key="clips/c/s/720p.mp4")],
        poster_key="clips/c/s/poster.jpg",
        storyboard_vtt_key="clips/c/s/storyboard.vtt",
    )


def _redaction(
    status: RedactionStatus = RedactionStatus.READY,
    *,
    ready: str | None = "run_b",
    signed: str | None = None,
) -> RedactionRecord:
    prefix = f"clips/c/redacted/{ready}/"
    return RedactionRecord(
        "CLIP#c",
        "REDACTION",
        clip_id="c",
        status=status,
        run_id="run_b",
        ready_run_id=ready,
        signed_off_run_id=signed,
        renditions=[RenditionAttr(label="720p", width=1280, height=720, key=prefix + "720p.mp4")]
        if ready
        else [],
        hls_master_key=prefix + "hls/master.m3u8" if ready else None,
        poster_key=prefix + "poster.jpg" if ready else None,
    )


def test_a_reviewer_of_a_flagged_clip_gets_the_redacted_run_and_its_scope_only() -> None:
    media = shown_media(REVIEWER, _clip(), _video(flagged=True), {"c": _redaction()})
    assert media.redacted
    assert [r.key for r in media.renditions] == ["clips/c/redacted/run_b/720p.mp4"]
    assert media.poster_key == "clips/c/redacted/run_b/poster.jpg"
    assert media.storyboard_vtt_key is None  # made from the original picture
    assert media.scope == "clips/c/redacted/run_b/"


def test_no_picture_until_a_redaction_is_ready() -> None:
    for redactions in ({}, {"c": _redaction(RedactionStatus.PROCESSING, ready=None)}):
        media = shown_media(REVIEWER, _clip(), _video(flagged=True), redactions)
        assert media.redacted and media.renditions == () and media.poster_key is None
        assert media.scope is None


def test_the_teacher_sees_her_clip_as_cut_and_a_deleted_recording_shows_nothing_as_cut() -> None:
    own = shown_media(TEACHER, _clip(), _video(flagged=True), {"c": _redaction()})
    assert not own.redacted and own.scope == "clips/c/"
    gone = shown_media(TEACHER, _clip(), None, {})
    assert gone.redacted and gone.renditions == ()


def test_approval_waits_for_a_sign_off_of_the_version_that_is_ready() -> None:
    check_redaction_signed_off(None)  # nothing was redacted: the consent rules decide
    check_redaction_signed_off(_redaction(signed="run_b"))
    with pytest.raises(Conflict, match="still being blurred"):
        check_redaction_signed_off(_redaction(RedactionStatus.PROCESSING, signed="run_b"))
    with pytest.raises(Conflict, match="privacy is respected"):
        check_redaction_signed_off(_redaction())
    # Signed off for an earlier run: a correction since needs a new sign-off.
    with pytest.raises(Conflict, match="privacy is respected"):
        check_redaction_signed_off(_redaction(signed="run_a"))


@pytest.mark.parametrize(
    ("consent", "flagged", "blurred", "allowed"),
    [
        (True, False, False, True),
        (True, True, False, False),
        (True, True, True, True),
        (False, False, True, False),  # the teacher's consent: a redaction is no substitute
        (False, True, True, False),
    ],
)
def test_what_a_recording_allows_in_the_library(
    consent: bool, flagged: bool, blurred: bool, allowed: bool
) -> None:
    video = _video(flagged=flagged, consent=consent)
    assert recording_allows(video, faces_blurred=blurred) is allowed
    # The same rule, in words, at the review gate.
    assert (consent_problem(video, faces_blurred=blurred) is None) is allowed
    assert recording_allows(None, faces_blurred=True) is False


def test_a_ready_redaction_lets_a_coach_ask_the_teacher_for_a_flagged_recording() -> None:
    flagged = _video(flagged=True, consent=False)
    assert consent_rules.consent_state(flagged) == "students_without_consent"
    assert consent_rules.consent_state(flagged, faces_blurred=True) == "not_given"
    assert "blurred" in consent_rules.consent_message("students_without_consent", None)
