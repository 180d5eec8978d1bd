"""Issue 20's story in a real browser: the coaching loop closes.

A coach comments → the teacher's inbox shows it and the email lands in the local SMTP
server → the teacher follows the email's link to the exact moment and replies → an
admin evaluates with evidence and releases → the teacher acknowledges; the district
edits its QC checklist and the next approval confirms that version; a coaching cycle
runs from goal to close. Every new page is photographed on the way."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.e2e.web.conftest import screenshot, sign_in
from tests.support.api import Api, upload_sample
from tests.support.users import TokenFactory

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DISTRICT = "demo-district"
COMMENT_AT_S = 3.0


def demo_api(
    stack: LocalStack, tokens: TokenFactory, user: str, role: Role, school: str | None
) -> Api:
    return Api(stack.api_url, tokens.token(user, role, district=DISTRICT, school=school))


def signed_in(page: Page, user: str) -> Page:
    """Signed in, and on the home page the sign-in sends them to (so a later ``goto`` is not
    overtaken by that redirect)."""
    sign_in(page, user)
    expect(page.locator("main h1")).to_be_visible()
    return page


def seek(page: Page, seconds: float) -> None:
    page.evaluate(
        """(t) => new Promise((done) => {
            const video = document.getElementById('player');
            video.addEventListener('seeked', () => done(), { once: true });
            video.currentTime = t;
        })""",
        seconds,
    )


def current_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def test_the_coaching_loop_in_the_browser(
    new_page: Callable[..., Page],
    local_stack: LocalStack,
    tokens: TokenFactory,
    lesson_video: Path,
    screenshot_dir: Path,
) -> None:
    title = f"Ratios, period 2 ({secrets.token_hex(2)})"
    teacher_api = demo_api(local_stack, tokens, "teacher-ana", Role.TEACHER, "north-elementary")
    coach_api = demo_api(local_stack, tokens, "coach-ben", Role.COACH, "north-elementary")
    video_id = upload_sample(teacher_api, lesson_video, "ratios.mp4", "video/mp4", title=title)
    teacher_api.wait_for(video_id)
    teacher_api.ok(
        "PATCH",
        f"/videos/{video_id}",
        json={
            "sharing": {"users": ["coach-ben", "admin-dee"], "school_coaches": False},
            "consent_to_library": True,
        },
    )

    # The teacher signs in first: the header's inbox call keeps the address her token carries.
    teacher = signed_in(new_page(), "teacher-ana")
    expect(teacher.locator("#inbox-link")).to_be_visible()

    # --- the coach comments at a moment ----------------------------------------------
    coach = signed_in(new_page(), "coach-ben")
    coach.goto(f"/#/videos/{video_id}")
    expect(coach.locator("#player")).to_be_visible()
    seek(coach, COMMENT_AT_S)
    coach.focus("#comment-body")
    coach.fill("#comment-body", "Here you waited, and three more hands went up.")
    coach.click("#comment-form button[type=submit]")
    expect(coach.locator(".thread")).to_have_count(1)

    # --- the teacher's inbox and the email --------------------------------------------
    teacher.goto("/#/inbox")
    notice = teacher.locator(".notification.unread", has_text=title).first
    expect(notice).to_contain_text("Ben Coach commented at 0:03")
    expect(teacher.locator("#unread-count")).not_to_be_hidden()
    screenshot(teacher, screenshot_dir / "inbox.png")
    teacher.click("#preferences-link")
    expect(teacher.locator("#email-address")).to_contain_text("teacher-ana@demo-district.test")
    screenshot(teacher, screenshot_dir / "notification-preferences.png")

    teacher.goto("/#/local/mail")
    # The comment's email, not the one saying the video is ready (both name the title).
    message = teacher.locator("#mail-list li", has_text=title).filter(has_text="commented").first
    expect(message).to_be_visible(timeout=60_000)
    message.locator("a").click()
    expect(teacher.locator("#mail-message h2")).to_contain_text(title)
    text = teacher.locator("#mail-text").inner_text()
    assert "here you waited" not in text.lower()  # titles and links only
    screenshot(teacher, screenshot_dir / "local-mail.png")
    link = re.search(r"(http://\S+#/videos/\S+)", text)
    assert link is not None, text

    # --- from the email's link: the exact moment, then a reply -------------------------
    teacher.goto(link.group(1))
    expect(teacher.locator(".thread.highlight")).to_contain_text("three more hands")
    teacher.wait_for_function(
        "(t) => Math.abs(document.getElementById('player').currentTime - t) < 0.6", arg=COMMENT_AT_S
    )
    thread = teacher.locator(".thread.highlight")
    thread.locator("button", has_text="Reply").click()
    thread.locator(".reply-form textarea").fill("Thank you: I will keep counting to five.")
    thread.locator(".reply-form button[type=submit]").click()
    expect(teacher.locator(".replies")).to_contain_text("counting to five")
    replies = coach_api.ok("GET", "/me/notifications")["items"]
    assert any(n["kind"] == "reply" and title in n["headline"] for n in replies)

    # --- an admin evaluates with evidence and releases -------------------------------
    [comment] = teacher_api.ok("GET", f"/videos/{video_id}/comments")["threads"]
    admin = signed_in(new_page(), "admin-dee")
    admin.goto(f"/#/videos/{video_id}")
    admin.click("#new-evaluation")
    admin.check("#evaluation-form input[name=score-student-centered][value='3']")
    admin.check("#evaluation-form input[name=score-high-expectations][value='4']")
    admin.check(f"#evaluation-form input[name=evidence][value='{comment['id']}']")
    admin.fill("#evaluation-summary", "Wait time gave more students the chance to think.")
    admin.click("#save-draft")
    draft = admin.locator(".evaluation[data-status=draft]")
    expect(draft).to_contain_text("3 · Proficient")
    seek(admin, 10)
    draft.locator(".evidence-list button.time").click()
    admin.wait_for_function(
        "(t) => Math.abs(document.getElementById('player').currentTime - t) < 0.6", arg=COMMENT_AT_S
    )
    screenshot(admin, screenshot_dir / "evaluation-draft.png")
    draft.locator("button.release").click()
    expect(admin.locator(".evaluation[data-status=released]")).to_be_visible()

    # --- the teacher acknowledges, from her inbox --------------------------------------
    teacher.goto("/#/inbox")
    teacher.locator(".notification-open", has_text="released an evaluation").first.click()
    released = teacher.locator(".evaluation.highlight[data-status=released]")
    expect(released).to_contain_text("4 · Distinguished")
    released.locator(".acknowledge-form textarea").fill("Agreed; next I will try turn-and-talk.")
    released.locator(".acknowledge-form button[type=submit]").click()
    acknowledged = teacher.locator(".evaluation[data-status=acknowledged]")
    expect(acknowledged).to_contain_text("turn-and-talk")
    expect(acknowledged.locator(".history")).to_contain_text("Acknowledged")
    screenshot(teacher, screenshot_dir / "evaluation-acknowledged.png", full_page=True)

    # --- the district edits its QC checklist; the next approval confirms it ------------
    for tab in ("framework", "rubric", "retention"):
        admin.goto(f"/#/settings/{tab}")
        expect(admin.locator(f"#{tab}-form")).to_be_visible()
        screenshot(admin, screenshot_dir / f"settings-{tab}.png", full_page=tab == "framework")
    admin.goto("/#/settings/checklist")
    admin.click("#add-criterion")
    admin.locator(".criterion-row input").last.fill("Families' media consent is on file")
    admin.click("#checklist-form button[type=submit]")
    expect(admin.locator("#checklist-status")).to_contain_text("Saved")
    expect(admin.locator("#checklist-version")).to_contain_text("by admin-dee")
    screenshot(admin, screenshot_dir / "settings-checklist.png")
    criteria = admin.locator(".criterion-row").count()

    # A clip cut like a coach cuts it: the library it reaches is the one other browser
    # tests on this stack see, so it must play like any clip there.
    clip = coach_api.ok(
        "POST",
        f"/videos/{video_id}/clips",
        201,
        json={"start_s": 2.0, "end_s": 7.0, "title": f"{title}: wait time"},
    )
    assert coach_api.wait_for_clip(clip["id"])["status"] == "ready"
    review_id = coach_api.ok(
        "POST",
        f"/clips/{clip['id']}/nominate",
        201,
        json={"note": "Wait time", "elements": ["student-centered"]},
    )["id"]
    reviewer = signed_in(new_page(), "reviewer-cy")
    reviewer.goto(f"/#/review/{review_id}")
    reviewer.click("#claim")
    boxes = reviewer.locator("#approve-form input[name=checklist]")
    expect(boxes).to_have_count(criteria)
    expect(reviewer.locator("#approve-form")).to_contain_text("media consent is on file")
    for box in boxes.all():
        box.check()
    reviewer.click("#approve")
    expect(reviewer.locator(".page-head .badge")).to_have_text("Approved")
    reviewer_api = demo_api(local_stack, tokens, "reviewer-cy", Role.REVIEWER, None)
    approved = reviewer_api.ok("GET", f"/review-queue/{review_id}")
    in_force = reviewer_api.ok("GET", "/review-queue/checklist")
    assert approved["checklist_version"] == in_force["version"] >= 1
    assert len(approved["checklist"]) == criteria

    # --- a coaching cycle, from goal to close ------------------------------------------
    goal = f"Wait five seconds after every question ({title})"
    coach.goto("/#/cycles")
    coach.fill("#cycle-person", "teacher-ana")
    coach.fill("#cycle-goal", goal)
    coach.select_option("#cycle-element", "high-expectations")
    coach.click("#cycle-form button[type=submit]")
    expect(coach.locator("h1")).to_have_text(goal)
    coach.select_option("#evidence-video", video_id)
    expect(coach.locator(f"#evidence-comment option[value='{comment['id']}']")).to_be_attached()
    coach.select_option("#evidence-comment", comment["id"])
    coach.fill("#evidence-note", "Week one: three more hands after the pause.")
    coach.click("#evidence-form button[type=submit]")
    expect(coach.locator(".evidence-item")).to_contain_text(f"{title} at 0:03")
    screenshot(coach, screenshot_dir / "cycle.png", full_page=True)

    teacher.goto("/#/videos?scope=mine")
    expect(teacher.locator("#open-cycles")).to_contain_text(goal)
    screenshot(teacher, screenshot_dir / "home-open-cycles.png")
    teacher.locator("#open-cycles a", has_text=goal).click()
    teacher.fill("#cycle-reflection", "Counting silently to five worked; more students answer.")
    teacher.click("#close-form button[type=submit]")
    expect(teacher.locator("#cycle-status")).to_have_text("Closed")
    expect(teacher.locator("#cycle-reflection-view")).to_contain_text("Counting silently")
    teacher.goto("/#/cycles")
    expect(teacher.locator("#cycles-closed")).to_contain_text(goal)
    screenshot(teacher, screenshot_dir / "cycles.png")

    # --- the email's unsubscribe page asks first --------------------------------------
    unsubscribe = re.search(r"(http://\S+#/unsubscribe\?token=\S+)", text)
    assert unsubscribe is not None
    stranger = new_page()
    stranger.goto(unsubscribe.group(1))
    expect(stranger.locator("#unsubscribe")).to_be_visible()
    screenshot(stranger, screenshot_dir / "unsubscribe.png")
