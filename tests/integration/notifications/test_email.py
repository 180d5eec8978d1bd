"""Email through the local twin's real SMTP server: sent once, bounced addresses never again,
the daily digest, unsubscribing, SES's feedback, and the local-only mail viewer."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.jobs.queues import work_queue
from chalicelib.notifications import mailing
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.seed import ready_video
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

WAIT_S = 60


def eventually(probe: Callable[[], Any], what: str) -> Any:
    """Poll until ``probe`` answers something true (the runner works in the background)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"still waiting for {what}")


def mail_to(stack: LocalStack, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(stack.mail_dir.glob("*.eml")):
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if address in str(parsed["To"]):
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
    return found


class People:
    """A district with a coach and teachers whose tokens carry their addresses."""

    def __init__(self, stack: LocalStack, tokens: TokenFactory) -> None:
        self.stack = stack
        self.tokens = tokens
        self.district = f"district-mail-{secrets.token_hex(3)}"

    def api(self, user: str, role: Role = Role.TEACHER, email: str | None = None) -> Api:
        token = self.tokens.token(
            user, role, district=self.district, email=email, name=user.title()
        )
        api = Api(self.stack.api_url, token)
        api.ok("GET", "/me/notifications/unread")  # what the web client's header does
        return api

    def video_of(self, teacher: str) -> str:
        return ready_video(
            teacher, district=self.district, school_coaches=True, title="Fractions, period 3"
        ).video_id


@pytest.fixture
def people(local_stack: LocalStack, tokens: TokenFactory) -> People:
    return People(local_stack, tokens)


def comment(coach: Api, video: str, at_s: float = 7.5) -> dict[str, Any]:
    body = {"at_s": at_s, "body": "Maria waited and then answered"}
    created: dict[str, Any] = coach.ok("POST", f"/videos/{video}/comments", 201, json=body)
    return created


def notification(api: Api) -> dict[str, Any]:
    items = api.ok("GET", "/me/notifications")["items"]
    return items[0] if items else {}


def test_a_comment_is_mailed_once_with_the_moment_and_no_words_of_it(
    people: People, local_stack: LocalStack
) -> None:
    address = f"ana-{people.district}@school.test"
    teacher = people.api("teacher-ana", email=address)
    coach = people.api("coach-ben", Role.COACH)
    video = people.video_of("teacher-ana")
    created = comment(coach, video)
    [mail] = eventually(lambda: mail_to(local_stack, address), "the comment's email")
    assert "commented at 0:07" in str(mail["Subject"])
    text_part = mail.get_body(preferencelist=("plain",))
    html_part = mail.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    assert f"{local_stack.api_url}/#/videos/{video}?t=7.5&comment={created['id']}" in text
    assert "Maria" not in text and "Maria" not in html
    assert "/unsubscribe/one-click?token=" in str(mail["List-Unsubscribe"])
    assert eventually(lambda: notification(teacher).get("email_status") == "sent", "sent")

    # Its queue message delivered again sends nothing more.
    sent = notification(teacher)
    outcome = mailing.send_notification(
        f"INBOX#{people.district}#teacher-ana", f"N#{sent['id']}", get_settings()
    )
    assert outcome == "done"
    assert len(mail_to(local_stack, address)) == 1


def test_an_address_that_bounces_is_never_mailed_again(
    people: People, local_stack: LocalStack
) -> None:
    address = f"raj-{people.district}@nowhere.invalid"
    teacher = people.api("teacher-raj", email=address)
    coach = people.api("coach-ben", Role.COACH)
    video = people.video_of("teacher-raj")
    comment(coach, video)
    assert eventually(lambda: notification(teacher).get("email_status") == "bounced", "bounce")
    prefs = teacher.ok("GET", "/me/notification-preferences")
    assert prefs["email_address"] == address and prefs["email_suppressed"] is True
    comment(coach, video, at_s=9)
    assert eventually(
        lambda: notification(teacher).get("email_status") == "suppressed", "suppression"
    )
    assert mail_to(local_stack, address) == []


def test_a_daily_digest_gathers_the_day_once(people: People, local_stack: LocalStack) -> None:
    address = f"sol-{people.district}@school.test"
    teacher = people.api("teacher-sol", email=address)
    teacher.ok("PUT", "/me/notification-preferences", json={"email": "daily"})
    coach = people.api("coach-ben", Role.COACH)
    video = people.video_of("teacher-sol")
    comment(coach, video, at_s=3)
    comment(coach, video, at_s=6)
    # The schedule runs every few seconds on the test stack; in AWS once a morning.
    [digest] = eventually(lambda: mail_to(local_stack, address), "the digest")
    assert str(digest["Subject"]) == "ClassReel: 2 updates for you today"
    assert eventually(
        lambda: (
            {n["email_status"] for n in teacher.ok("GET", "/me/notifications")["items"]} == {"sent"}
        ),
        "both marked sent",
    )
    # A digest a day: asking again today queues nothing for this person.
    comment(coach, video, at_s=9)
    assert notification(teacher)["email_status"] == "digest"
    mailing.queue_digests(get_settings())
    mailing.send_digest(
        f"INBOX#{people.district}#teacher-sol",
        f"DIGEST#{time.strftime('%Y-%m-%d', time.gmtime())}",
        get_settings(),
    )
    assert len(mail_to(local_stack, address)) == 1


def test_the_unsubscribe_link_turns_email_off(people: People, local_stack: LocalStack) -> None:
    address = f"lee-{people.district}@school.test"
    teacher = people.api("teacher-lee", email=address)
    coach = people.api("coach-ben", Role.COACH)
    video = people.video_of("teacher-lee")
    comment(coach, video)
    [mail] = eventually(lambda: mail_to(local_stack, address), "the email")
    one_click = str(mail["List-Unsubscribe"]).strip("<>")
    assert one_click.startswith(local_stack.api_url)
    refused = requests.post(
        one_click.split("token=")[0] + "token=" + "x" * 30,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert (refused.status_code, refused.json()["field"]) == (404, "token")
    done = requests.post(
        one_click,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert done.status_code == 200, done.text
    assert teacher.ok("GET", "/me/notification-preferences")["email"] == "off"
    comment(coach, video, at_s=11)
    assert notification(teacher)["email_status"] == "none"
    assert len(mail_to(local_stack, address)) == 1


def test_ses_bounces_and_complaints_suppress_the_address(people: People) -> None:
    bounced, complained = (f"{n}-{people.district}@school.test" for n in ("b", "c"))
    settings = get_settings()
    sqs = aws.sqs_client(settings)
    url = work_queue("feedback", settings).url(settings)
    for event in (
        {
            "eventType": "Bounce",
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": bounced}]},
        },
        {
            "eventType": "Complaint",
            "complaint": {"complainedRecipients": [{"emailAddress": complained}]},
        },
    ):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    eventually(
        lambda: mailing.is_suppressed(bounced) and mailing.is_suppressed(complained), "feedback"
    )


def test_the_mail_viewer_is_for_this_machine_only(local_stack: LocalStack) -> None:
    listing = requests.get(f"{local_stack.api_url}/local/mail", timeout=10)
    assert listing.status_code == 200
    items = listing.json()["items"]
    if items:
        first = items[0]["id"]
        page = requests.get(f"{local_stack.api_url}/local/mail/{first}/html", timeout=10)
        assert page.headers["Content-Type"].startswith("text/html")
        assert "script-src" not in page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    rebound = requests.get(
        f"{local_stack.api_url}/local/mail", headers={"Host": "evil.example"}, timeout=10
    )
    assert rebound.status_code == 403
    for bad in ("../stack", "x" * 20, f"{Path('a')}"):
        assert requests.get(f"{local_stack.api_url}/local/mail/{bad}", timeout=10).status_code in (
            403,
            404,
        )
