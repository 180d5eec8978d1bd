"""Issue 7's story in a real browser: a teacher uploads and shares, a coach
watches and comments; (with the clips/review/library API) the coach cuts a
clip, a reviewer approves it, and the library finds it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import screenshot, sign_in
from tests.support import media_corpus

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

READY_TIMEOUT_MS = 90_000


def current_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def seek(page: Page, seconds: float) -> None:
    page.evaluate(
        """(t) => new Promise((done) => {
            const video = document.getElementById('player');
            video.addEventListener('seeked', () => done(), { once: true });
            video.currentTime = t;
        })""",
        seconds,
    )


def upload(page: Page, path: Path, title: str, reflection: str) -> None:
    page.goto("/#/upload")
    page.set_input_files("#file", str(path))
    expect(page.locator("#chosen")).to_contain_text(path.name)
    page.fill("#title", title)
    page.fill("#reflection", reflection)


def test_teacher_uploads_and_shares_coach_comments(
    new_page: Callable[..., Page], corpus_dir: Path, lesson_video: Path, screenshot_dir: Path
) -> None:
    lesson = lesson_video
    voice = media_corpus.build(media_corpus.BY_NAME["audio_only"], corpus_dir)

    # --- the teacher: sign in, upload, see it ready, share with the coach ----
    teacher = new_page()
    teacher.goto("/")
    expect(teacher.locator("button.user-pick")).to_have_count(6)
    screenshot(teacher, screenshot_dir / "sign-in.png")
    sign_in(teacher, "teacher-ana")
    expect(teacher.locator("h1")).to_have_text("My videos")

    upload(teacher, voice, "Read-aloud (audio only)", "Just the audio of my read-aloud.")
    teacher.click("button:has-text('Upload')")
    expect(teacher.locator(".failure")).to_contain_text("no video track", timeout=READY_TIMEOUT_MS)

    upload(
        teacher,
        lesson,
        "Fractions, period 3",
        "I tried longer wait time after questions. Watch whether more students answer.",
    )
    screenshot(teacher, screenshot_dir / "upload.png")
    teacher.click("button:has-text('Upload')")
    teacher.wait_for_url("**/#/videos/*")
    video_url = teacher.url
    expect(teacher.locator("#player")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(teacher.locator(".reflection")).to_contain_text("longer wait time")

    # The people picker: a name, not an id.
    teacher.fill("#share-picker", "Ben")
    teacher.locator("#share-picker-results [role=option]", has_text="Ben Coach").click()
    teacher.check("#consent")
    teacher.click("#sharing-form button[type=submit]")
    expect(teacher.locator("#sharing-form")).to_contain_text("Sharing saved")

    teacher.goto("/#/videos?scope=mine")
    cards = teacher.locator(".video-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Fractions")).to_have_attribute("data-status", "ready")
    expect(cards.filter(has_text="Read-aloud").locator(".failure")).to_contain_text(
        "no video track"
    )
    expect(cards.filter(has_text="Fractions").locator("img")).to_be_visible()
    screenshot(teacher, screenshot_dir / "my-videos.png")

    # --- the coach: shared with me, play, comment, markers, seek by a comment --
    coach = new_page()
    sign_in(coach, "coach-ben")
    coach.goto("/#/videos?scope=shared")
    coach.click("text=Fractions, period 3")
    expect(coach.locator("#player")).to_be_visible()
    assert coach.url == video_url
    expect(coach.locator("main")).to_have_attribute("aria-busy", "false")
    coach.wait_for_function("() => document.getElementById('player').readyState >= 1")

    coach.keyboard.press(" ")  # space plays
    coach.wait_for_function("() => document.getElementById('player').currentTime > 0.2")
    coach.keyboard.press(" ")  # and pauses
    assert coach.evaluate("document.getElementById('player').paused")

    seek(coach, 1.0)
    coach.keyboard.press("c")  # comment at the current time
    expect(coach.locator("#comment-body")).to_be_focused()
    expect(coach.locator("#comment-at")).to_have_text("0:01")
    coach.fill("#comment-body", "Great wait time here: three seconds before calling on anyone.")
    coach.check("input[name=comment-tags][value=high-expectations]")
    coach.click("#comment-form button[type=submit]")
    expect(coach.locator(".thread")).to_have_count(1)

    seek(coach, 2.0)
    coach.keyboard.press("i")
    seek(coach, 8.0)
    coach.keyboard.press("o")
    expect(coach.locator("#kind-range")).to_be_checked()
    coach.fill("#comment-body", "Students explain their own strategies to each other.")
    coach.check("input[name=comment-tags][value=student-centered]")
    coach.check("input[name=comment-tags][value=collaborative]")
    coach.click("#comment-form button[type=submit]")
    expect(coach.locator(".thread")).to_have_count(2)

    expect(coach.locator(".timeline .marker-point")).to_have_count(1)
    expect(coach.locator(".timeline .marker-range")).to_have_count(1)
    band = coach.locator(".timeline .band")
    expect(band).to_have_count(1)
    expect(band).to_have_attribute("data-tags", "collaborative student-centered")
    assert "gradient" in band.evaluate("el => el.style.background")

    point = coach.locator(".thread", has_text="Great wait time")
    range_thread = coach.locator(".thread", has_text="strategies")
    range_thread.locator("button.time").click()
    assert abs(current_time(coach) - 2.0) < 0.15
    point.locator("button.time").click()
    assert abs(current_time(coach) - 1.0) < 0.15
    expect(point).to_have_class("thread active")
    coach.keyboard.press("ArrowRight")
    assert abs(current_time(coach) - 6.0) < 0.15  # +5 s

    # A reply, and an edit that meets someone else's edit (409).
    point.locator("button:has-text('Reply')").click()
    point.locator(".reply-form textarea").fill("Agreed, and the quiet students answered too.")
    point.locator(".reply-form button[type=submit]").click()
    expect(point.locator(".replies li")).to_have_count(1)
    range_thread.locator(".comment-actions button:has-text('Edit')").first.click()
    coach.evaluate(
        """async () => {
            const { token } = JSON.parse(sessionStorage.getItem('classreel.session'));
            const path = location.hash.slice(1) + '/comments';
            const auth = { Authorization: 'Bearer ' + token };
            const page = await (await fetch(path, { headers: auth })).json();
            const thread = page.threads.find((t) => t.end_s !== null);
            await fetch(path + '/' + thread.id, {
                method: 'PATCH',
                headers: { ...auth, 'Content-Type': 'application/json' },
                body: JSON.stringify({ body: 'Edited in another tab.', version: thread.version }),
            });
        }"""
    )
    edit = range_thread.locator(".edit-form")
    edit.locator("textarea").fill("Students explain strategies to a partner, then to the class.")
    edit.locator("button[type=submit]").click()
    expect(edit.locator(".conflict")).to_contain_text("Edited in another tab.")
    edit.locator("button[type=submit]").click()  # saving again overwrites, knowingly
    expect(range_thread.locator(".body").first).to_contain_text("to a partner")

    # HLS through hls.js; picking 360p keeps the moment.
    expect(coach.locator("#player")).to_have_attribute("data-engine", "hls.js")
    seek(coach, 1.5)
    coach.select_option("#quality", label="360p")
    coach.wait_for_function(
        "() => { const v = document.getElementById('player'); return v.dataset.level === '360p'"
        " && v.readyState >= 1 && Math.abs(v.currentTime - 1.5) < 0.3; }"
    )

    # Hovering the timeline shows the storyboard frame for that moment.
    coach.hover(".timeline .track", position={"x": 150, "y": 30})
    expect(coach.locator(".timeline .thumb")).to_be_visible()
    expect(coach.locator(".timeline .thumb-time")).not_to_have_text("")
    coach.wait_for_function(
        "() => getComputedStyle(document.querySelector('.timeline .sprite')).backgroundImage"
        ".startsWith('url(')"
    )
    screenshot(coach, screenshot_dir / "video.png", full_page=True)

    # Phone width: one column, nothing wider than the screen.
    phone = new_page(width=390, height=844)
    sign_in(phone, "coach-ben")
    phone.goto("/#" + video_url.split("#", 1)[1])
    expect(phone.locator(".thread")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, screenshot_dir / "video-phone.png", full_page=True)

    # --- the coach cuts the range comment into a clip and nominates it -------
    coach.goto("/#" + video_url.split("#", 1)[1])
    expect(coach.locator("main")).to_have_attribute("aria-busy", "false")
    coach.locator(".thread", has_text="to a partner").locator(
        "button:has-text('Make a clip')"
    ).click()
    clip_item = coach.locator("#clips li[data-clip-id]")
    expect(clip_item).to_have_count(1)
    expect(clip_item).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    clip_item.locator("a").click()
    expect(coach.locator("main")).to_have_attribute("aria-busy", "false")
    expect(coach.locator("#player")).to_be_visible()
    carried = coach.locator(".thread", has_text="to a partner")
    expect(carried.locator("button.time")).to_have_text("0:00\u20130:06")
    coach.fill("#nominate-note", "Partner talk before whole-class sharing; every student explains.")

    # --- the owner sees who has access and the coach's view; flags students
    # without media consent, which blocks the nomination until cleared --------
    teacher.goto("/#" + video_url.split("#", 1)[1])
    access = teacher.locator("#access")
    # In names and words (the trail holds ids; the panel never shows them).
    expect(access.locator("#access-list")).to_contain_text("Ben Coach")
    expect(access.locator("#access-list")).not_to_contain_text("Coaches of")
    coach_viewed = access.locator(".audit-entry[data-actor=coach-ben][data-action='video.viewed']")
    expect(coach_viewed.first).to_contain_text("Ben Coach (coach) watched the video")
    expect(access.locator(".audit-entry[data-action='video.shared']")).to_contain_text(
        "shared it with: Ben Coach"
    )
    teacher.check("#no-consent")
    expect(teacher.locator("#head-badges")).to_contain_text("Students without media consent")
    expect(teacher.locator("#safeguards-status")).to_contain_text("Flagged")
    screenshot(teacher, screenshot_dir / "access-activity.png", full_page=True)
    coach.click("#nominate-form button[type=submit]")
    expect(coach.locator("#nominate .error")).to_contain_text(
        "Students whose families have not agreed"
    )
    teacher.uncheck("#no-consent")
    expect(teacher.locator("#safeguards-status")).to_contain_text("Flag cleared")
    coach.click("#nominate-form button[type=submit]")
    expect(coach.locator("#nominate")).to_contain_text("Pending")
    screenshot(coach, screenshot_dir / "clip.png", full_page=True)

    # --- a reviewer claims it, checks every criterion, approves --------------
    reviewer = new_page()
    sign_in(reviewer, "reviewer-cy")
    reviewer.goto("/#/review")
    expect(reviewer.locator("#stats [data-stat=pending] .stat-value")).not_to_have_text("0")
    item = reviewer.locator(".queue-item", has_text="to a partner")
    expect(item).to_have_count(1)
    screenshot(reviewer, screenshot_dir / "review-queue.png")
    item.locator("h2 a").click()
    reviewer.click("#claim")
    expect(reviewer.locator(".thread", has_text="to a partner")).to_have_count(1)
    checklist = reviewer.locator("#approve-form input[name=checklist]")
    expect(checklist.first).to_be_visible()
    for box in checklist.all():
        box.check()
    reviewer.fill("#approve-note", "Clear example of student-centered partner talk.")
    screenshot(reviewer, screenshot_dir / "review-item.png", full_page=True)
    reviewer.click("#approve")
    expect(reviewer.locator(".page-head .badge")).to_have_text("Approved")
    reviewer.goto("/#/review?status=approved")
    expect(reviewer.locator("#stats [data-stat=approved] .stat-value")).not_to_have_text("0")

    # --- the library finds it by element and jumps to the tagged moment ------
    teacher.goto("/#/library?element=student-centered")
    card = teacher.locator(".library-card", has_text="to a partner")
    expect(card).to_have_count(1)
    match = card.locator("button.match").first
    expect(match).to_contain_text("Student-centered")
    start = float(match.get_attribute("data-start") or "nan")
    match.click()
    teacher.wait_for_function(
        "(t) => { const v = document.querySelector('.library-card video');"
        " return v && v.readyState >= 1 && v.currentTime >= t - 0.1 && v.currentTime < t + 2; }",
        arg=start,
    )
    teacher.goto("/#/library?q=partner")
    expect(teacher.locator(".library-card", has_text="to a partner")).to_have_count(1)
    screenshot(teacher, screenshot_dir / "library.png")

    # --- the teacher downloads their data: an export, then a zip ------------
    teacher.goto("/#/videos?scope=mine")
    teacher.click("#export-start")
    link = teacher.locator("#export-link")
    expect(link).to_be_visible(timeout=READY_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert href
    assert teacher.request.get(href).body()[:2] == b"PK"

    # --- an admin holds the video: the teacher's delete is refused (409) ------
    admin = new_page()
    sign_in(admin, "admin-dee")
    admin.goto("/#" + video_url.split("#", 1)[1])
    admin.check("#legal-hold")
    admin.click("#hold-form button[type=submit]")
    expect(admin.locator("#safeguards-status [role=alert]")).to_contain_text("Say why")
    admin.fill("#hold-reason", "Records request 2026-114")
    admin.click("#hold-form button[type=submit]")
    expect(admin.locator("#head-badges")).to_contain_text("Legal hold")
    expect(admin.locator("#audit-list")).to_contain_text("Dee Admin (admin) changed the legal hold")
    teacher.goto("/#" + video_url.split("#", 1)[1])
    expect(teacher.locator("#head-badges")).to_contain_text("Legal hold")
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.click("#delete-video")
    expect(teacher.locator("#safeguards-status [role=alert]")).to_contain_text("legal hold")
