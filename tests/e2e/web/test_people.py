"""Sharing with a group in the browser (issue 19's story): a teacher signs in through the
local OpenID Connect provider, makes a PLC with the people picker, shares a video with it;
every member sees it, a removed member stops seeing it; the sharing and activity panels
speak in names."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chalicelib.clips.models import ClipRecord
from classreel.local.demo_users import DEMO_DISTRICT
from classreel.local.stack import LocalStack
from tests.e2e.web.conftest import TIMEOUT_MS, screenshot, sign_in
from tests.e2e.web.test_signin import provider_sign_in
from tests.support.seed import ready_clip, ready_video

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _pick(page: Page, picker: str, text: str, option: str) -> None:
    page.fill(f"#{picker}", text)
    page.locator(f"#{picker}-results [role=option]", has_text=option).first.click()


def test_a_teacher_shares_with_a_plc_and_membership_decides(
    new_page: Callable[..., Page], local_stack: LocalStack, screenshot_dir: Path
) -> None:
    title = f"Fractions with a number line {secrets.token_hex(2)}"
    video = ready_video(
        "teacher-ana", district=DEMO_DISTRICT, school="north-elementary", title=title
    )
    plc_name = f"Grade 4 math PLC {secrets.token_hex(2)}"

    ana = new_page()
    provider_sign_in(ana, local_stack, "teacher-ana@demo-district.test")
    ana.goto("/#/groups")
    ana.fill("#group-name", plc_name)
    ana.click("#group-form button[type=submit]")
    ana.wait_for_url("**/#/groups/*")
    _pick(ana, "member-picker", "raj", "Raj Teacher")
    expect(ana.locator("#group-members")).to_contain_text("Raj Teacher")
    # The picker shows who someone is: their role and school.
    ana.fill("#member-picker", "Sol")
    expect(ana.locator("#member-picker-results")).to_contain_text("Coach · South Middle")
    ana.locator("#member-picker-results [role=option]", has_text="Sol Coach").click()
    expect(ana.locator("#group-members")).to_contain_text("Sol Coach")
    group_url = ana.url

    ana.goto(f"/#/videos/{video.video_id}")
    expect(ana.locator("#sharing-form")).to_be_visible(timeout=TIMEOUT_MS)
    _pick(ana, "share-picker", "grade 4", plc_name)
    ana.click("#sharing-form button[type=submit]")
    expect(ana.locator("#sharing-status")).to_contain_text("Sharing saved")
    expect(ana.locator("#share-list")).to_contain_text(plc_name)
    # The panels follow the change without a reload, in names.
    expect(ana.locator("#access-list")).to_contain_text(plc_name)
    expect(ana.locator("#audit-list")).to_contain_text(f"shared it with: {plc_name}")
    activity = ana.locator("#access").inner_text()
    assert not re.search(r"\bg-[0-9a-f]{12}\b|teacher-ana|rev_|aud_", activity), activity
    screenshot(ana, screenshot_dir / "sharing-with-a-group.png")

    members = {}
    for user in ("teacher-raj", "coach-sol"):
        member = new_page()
        sign_in(member, user)
        member.goto("/#/videos?scope=shared")
        expect(member.locator(".video-card", has_text=title)).to_be_visible()
        members[user] = member
    outsider = new_page()
    sign_in(outsider, "coach-ben")
    outsider.goto("/#/videos?scope=shared")
    expect(outsider.locator("h1")).to_contain_text("Shared with me")
    expect(outsider.locator(".video-card", has_text=title)).to_have_count(0)

    ana.goto(group_url)
    ana.locator("#group-members li", has_text="Raj Teacher").get_by_role(
        "button", name="Remove Raj Teacher"
    ).click()
    expect(ana.locator("#group-status")).to_contain_text("Raj Teacher is no longer a member")
    expect(ana.locator("#group-members")).not_to_contain_text("Raj Teacher")

    raj = members["teacher-raj"]
    raj.reload()
    expect(raj.locator("h1")).to_contain_text("Shared with me")
    expect(raj.locator(".video-card", has_text=title)).to_have_count(0)
    raj.goto(f"/#/videos/{video.video_id}")
    expect(raj.locator("[role=alert]")).to_contain_text("not found")
    sol = members["coach-sol"]
    sol.reload()
    expect(sol.locator(".video-card", has_text=title)).to_be_visible()


def test_a_collection_is_curated_in_order_and_shared_with_a_plc(
    new_page: Callable[..., Page], screenshot_dir: Path
) -> None:
    video = ready_video("teacher-ana", district=DEMO_DISTRICT, school="north-elementary")
    titles = [f"Wait time {n} {secrets.token_hex(2)}" for n in (1, 2)]
    clips = [ready_clip(video, created_by="coach-ben", title=t) for t in titles]
    for clip in clips:  # in the library (as an approval leaves them)
        clip.update(actions=[ClipRecord.published.set(True)])
    ana = new_page()
    sign_in(ana, "teacher-ana")
    created = ana.request.post(
        "/collections",
        headers={"Authorization": f"Bearer {_token(ana)}"},
        data={"title": "Wait time, grades 3-5", "items": [{"clip_id": c.clip_id} for c in clips]},
    ).json()
    ana.goto(f"/#/collections/{created['id']}")
    items = ana.locator("#collection-items .collection-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(titles[0])
    ana.get_by_role("button", name=f"Move {titles[1]} up").click()
    expect(items.first).to_contain_text(titles[1])
    _pick(ana, "collection-picker", "math", "Math PLC")
    expect(ana.locator("#collection-sharing")).to_contain_text("Math PLC")
    screenshot(ana, screenshot_dir / "collection.png")

    raj = new_page()
    sign_in(raj, "teacher-raj")
    raj.goto("/#/collections")
    raj.locator("#collection-list a", has_text="Wait time, grades 3-5").first.click()
    expect(raj.locator("#collection-items .collection-item").first).to_contain_text(titles[1])
    expect(raj.get_by_role("button", name=f"Move {titles[0]} up")).to_have_count(0)


def _token(page: Page) -> str:
    return str(page.evaluate("JSON.parse(sessionStorage.getItem('classreel.session')).token"))
