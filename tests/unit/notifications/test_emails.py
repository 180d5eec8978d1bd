"""What an email says and carries, and what SES's feedback suppresses: pure, no mail server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from chalicelib.config import Settings
from chalicelib.jobs.batch import PoisonMessage
from chalicelib.notifications import emails, feedback
from classreel.local.mail_server import refuses

SETTINGS = Settings(web_url="https://classreel.example.org/", api_base_path="/api")
TOKEN = "tok_abcdefghijklmnopqrstuvwxyz"


def test_a_notification_email_has_both_parts_the_moment_and_one_click_unsubscribe() -> None:
    entry = emails.Entry(
        "Ben <Coach> commented at 1:15 on “Fractions”", "#/videos/v_1?t=75.5&comment=c"
    )
    letter = emails.notification_letter(entry, SETTINGS, TOKEN)
    to = emails.Addressee("ana@school.example", "Ana Teacher", TOKEN)
    sent = emails.message(
        letter, to, about="n123", sent_at=datetime(2025, 1, 2, tzinfo=UTC), settings=SETTINGS
    )
    parsed = BytesParser(policy=policy.default).parsebytes(sent.as_bytes())
    assert parsed["To"] == "Ana Teacher <ana@school.example>"
    assert parsed["Message-ID"] == "<n123@classreel>"
    assert parsed["List-Unsubscribe"] == (
        f"<https://classreel.example.org/api/unsubscribe/one-click?token={TOKEN}>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    link = "https://classreel.example.org/#/videos/v_1?t=75.5&comment=c"
    assert link in text
    assert f"https://classreel.example.org/#/unsubscribe?token={TOKEN}" in text
    # The HTML part escapes what it is given.
    assert "Ben &lt;Coach&gt;" in html and "<Coach>" not in html
    assert 'href="https://classreel.example.org/#/videos/v_1?t=75.5&amp;comment=c"' in html


def test_a_digest_lists_every_entry_once() -> None:
    entries = [emails.Entry(f"Item {n}", f"#/clips/c_{n}") for n in range(3)]
    letter = emails.digest_letter(entries, SETTINGS, TOKEN)
    assert letter.subject == "ClassReel: 3 updates for you today"
    assert [letter.text.count(f"#/clips/c_{n}") for n in range(3)] == [1, 1, 1]
    assert letter.html.count("<li>") == 3


def test_the_local_mail_server_refuses_invalid_names_only() -> None:
    assert refuses("someone@nowhere.invalid") and refuses("x@INVALID")
    assert not refuses("teacher-ana@demo-district.test")


def bounce(kind: str, *addresses: str) -> str:
    return json.dumps(
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": kind,
                "bouncedRecipients": [
                    {"emailAddress": a, "diagnosticCode": "smtp; 550 5.1.1 unknown"}
                    for a in addresses
                ],
            },
            "mail": {"commonHeaders": {"subject": "never kept"}},
        }
    )


def test_ses_feedback_is_read_raw_or_in_its_sns_envelope() -> None:
    raw = feedback.parse(bounce("Permanent", "a@x.example"))
    assert raw.kind == "Bounce" and raw.bounce is not None
    assert raw.bounce.recipients[0].address == "a@x.example"
    wrapped = feedback.parse(
        json.dumps({"Type": "Notification", "Message": bounce("Transient", "b@x.example")})
    )
    assert wrapped.bounce is not None and wrapped.bounce.bounce_type == "Transient"
    complaint = feedback.parse(
        json.dumps(
            {
                "notificationType": "Complaint",
                "complaint": {"complainedRecipients": [{"emailAddress": "c@x.example"}]},
            }
        )
    )
    assert complaint.kind == "Complaint" and complaint.complaint is not None
    for body in ("not json", "[]", json.dumps({"Type": "Notification"})):
        with pytest.raises(PoisonMessage):
            feedback.parse(body)
    # A transient bounce (a full mailbox) suppresses nobody: no table is touched.
    assert feedback.record(wrapped) == 0
