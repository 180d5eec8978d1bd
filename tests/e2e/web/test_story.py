"""The coaching story in a real browser, as teachers, coaches, reviewers and admins use it.

A teacher's refused file is replaced by the lesson; the coach watches while
commenting (the player stays in view, the composer follows the playhead), cuts a
clip from a range comment through a prefilled form, and asks the teacher for
library consent: once she agrees, the nomination enters review by itself. A
reviewer rejects it (reading the teacher, school and privacy first), the coach
cuts it again from the clip's page and renominates, and the approved cut reaches
the library. On the way every page passes axe-core for its role (no serious or
critical violation) and shows no placeholder or field name; laptop and phone
screenshots go to docs/screenshots/ when WEB_SCREENSHOTS asks.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import PHONE, check_page, screenshot, sign_in, visit
from tests.support import media_corpus

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Generous: a shared 2-core machine under load encodes slowly (a wait, not a timed check).
READY_TIMEOUT_MS = 240_000
LONG_RANGE_COMMENT = (
    "Students explain their own strategies to a partner, then to the class; watch how "
    "the quiet ones join in"
)


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


def choose_file(page: Page, path: Path, title: str, reflection: str) -> None:
    page.set_input_files("#file", str(path))
    expect(page.locator("#chosen")).to_contain_text(path.name)
    page.fill("#title", title)
    page.fill("#reflection", reflection)


def in_viewport(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
                return r.top >= 0 && r.bottom <= window.innerHeight; }""",
            selector,
        )
    )


def top_of(page: Page, selector: str) -> float:
    return float(
        page.evaluate(
            "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY",
            selector,
        )
    )


def test_the_coaching_story_for_every_role(
    new_page: Callable[..., Page], corpus_dir: Path, lesson_video: Path, screenshot_dir: Path
) -> None:
    # Under the name a phone gives it (the corpus names its files by sample).
    voice = corpus_dir / "voice-memo.mp4"
    if not voice.exists():
        shutil.copyfile(media_corpus.build(media_corpus.BY_NAME["audio_only"], corpus_dir), voice)

    # --- the teacher: a refused file, replaced by the lesson ------------------
    teacher = new_page()
    teacher.goto("/")
    expect(teacher.locator("button.user-pick")).to_have_count(6)
    check_page(teacher, "sign-in")
    screenshot(teacher, screenshot_dir / "sign-in.png")
    assert teacher.locator("link[rel=icon]").get_attribute("href") == "favicon.svg"
    icon = teacher.request.get("/favicon.svg")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    sign_in(teacher, "teacher-ana")
    expect(teacher.locator("h1")).to_have_text("My videos")

    teacher.goto("/#/upload")
    choose_file(teacher, voice, "Read-aloud", "Just the audio of my read-aloud.")
    check_page(teacher, "upload (teacher)")
    teacher.click("button:has-text('Upload')")
    status = teacher.locator("#video-status")
    expect(status.locator(".failure")).to_contain_text("no video track", timeout=READY_TIMEOUT_MS)
    expect(status.locator("a:has-text('Upload a new file')")).to_be_visible()
    expect(status.locator("button:has-text('Delete')")).to_be_visible()

    teacher.goto("/#/videos?scope=mine")
    failed = teacher.locator(".video-card[data-status=failed]")
    expect(failed.locator(".failure")).to_contain_text("no video track")
    check_page(teacher, "my videos with a failed upload")
    screenshot(teacher, screenshot_dir / "my-videos-failed.png")
    failed.locator("a:has-text('Upload a new file')").click()
    expect(teacher.locator("#replaces-note")).to_contain_text("Read-aloud")
    expect(teacher.locator("#title")).to_have_value("Read-aloud")
    choose_file(
        teacher,
        lesson_video,
        "Fractions, period 3",
        "I tried longer wait time after questions. Watch whether more students answer.",
    )
    screenshot(teacher, screenshot_dir / "upload.png")
    teacher.click("button:has-text('Upload')")
    teacher.wait_for_url("**/#/videos/*")
    video_path = "/#" + teacher.url.split("#", 1)[1]
    expect(teacher.locator("#player")).to_be_visible(timeout=READY_TIMEOUT_MS)
    if teacher.locator("#processing").count():
        expect(teacher.locator("#processing")).to_contain_text("watch")
    expect(teacher.locator(".reflection")).to_contain_text("longer wait time")
    # The people picker: a name, not an id.
    teacher.fill("#share-picker", "Ben")
    teacher.locator("#share-picker-results [role=option]", has_text="Ben Coach").click()
    teacher.click("#sharing-form button[type=submit]")
    expect(teacher.locator("#sharing-form")).to_contain_text("Sharing saved")

    teacher.goto("/#/videos?scope=mine")
    # Other browser tests upload as teacher-ana on the same stack: look at this story's cards.
    expect(teacher.locator(".video-card", has_text="Read-aloud")).to_have_count(0)  # replaced
    card = teacher.locator(f'.video-card[data-video-id="{video_path.rsplit("/", 1)[1]}"]')
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    expect(card.locator("img")).to_be_visible()
    check_page(teacher, "my videos (teacher)")
    screenshot(teacher, screenshot_dir / "my-videos.png")

    # --- the coach comments while watching --------------------------------------
    coach = new_page()
    sign_in(coach, "coach-ben")
    coach.goto("/#/videos?scope=shared")
    check_page(coach, "shared with me (coach)")
    coach.click("text=Fractions, period 3")
    expect(coach.locator("#player")).to_have_attribute("data-engine", "hls.js")
    expect(coach.locator("#player")).to_have_attribute("data-start-level", "720p")
    coach.wait_for_function("() => document.getElementById('player').readyState >= 1")
    # Our controls: play, the timeline, sound, quality, full screen.
    expect(
        coach.locator(".player [tabindex='0'], .player button:not([tabindex='-1']), .player select")
    ).to_have_count(5)

    coach.keyboard.press(" ")  # space plays
    coach.wait_for_function("() => document.getElementById('player').currentTime > 0.2")
    coach.keyboard.press(" ")  # and pauses
    assert coach.evaluate("document.getElementById('player').paused")
    seek(coach, 3.0)
    expect(coach.locator("#comment-at")).to_have_text("0:03")  # follows the playhead
    coach.click("#play")
    coach.wait_for_function("() => !document.getElementById('player').paused")
    coach.focus("#comment-body")  # focusing the comment pauses, at that moment
    assert coach.evaluate("document.getElementById('player').paused")
    paused_at = current_time(coach)
    expect(coach.locator("#comment-at")).to_have_text(f"0:0{int(paused_at)}")
    coach.fill("#comment-body", "Great wait time here: three seconds before calling on anyone.")
    coach.check("input[name=comment-tags][value=high-expectations]")
    coach.click("#comment-form button[type=submit]")
    expect(coach.locator(".thread")).to_have_count(1)

    seek(coach, 2.0)
    coach.keyboard.press("i")
    seek(coach, 8.0)
    coach.keyboard.press("o")
    coach.keyboard.press("c")  # with a range marked, C comments on the range
    expect(coach.locator("#comment-body")).to_be_focused()
    expect(coach.locator("#kind-range")).to_be_checked()
    coach.fill("#comment-body", LONG_RANGE_COMMENT)
    coach.check("input[name=comment-tags][value=student-centered]")
    coach.check("input[name=comment-tags][value=collaborative]")
    coach.click("#comment-form button[type=submit]")
    expect(coach.locator(".thread")).to_have_count(2)
    range_thread = coach.locator(".thread", has_text="quiet ones")
    expect(range_thread.locator("button.time")).to_have_text("0:02\u20130:08")
    expect(coach.locator(".timeline .marker-point")).to_have_count(1)
    band = coach.locator(".timeline .band")
    expect(band).to_have_attribute("data-tags", "collaborative student-centered")
    range_thread.locator("button.time").click()
    assert abs(current_time(coach) - 2.0) < 0.15
    coach.keyboard.press("ArrowRight")
    assert abs(current_time(coach) - 7.0) < 0.15  # +5 s

    # A reply (its marker is not a second "play from"), and an edit meeting another (409).
    point = coach.locator(".thread", has_text="Great wait time")
    point.locator("button:has-text('Reply')").click()
    point.locator(".reply-form textarea").fill("Agreed, and the quiet students answered too.")
    point.locator(".reply-form button[type=submit]").click()
    expect(point.locator(".replies li")).to_have_count(1)
    expect(point.locator(".replies button.time")).to_have_count(0)
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
    edit.locator("textarea").fill(LONG_RANGE_COMMENT + " (to a partner first)")
    edit.locator("button[type=submit]").click()
    expect(edit.locator(".conflict")).to_contain_text("Edited in another tab.")
    edit.locator("button[type=submit]").click()
    expect(range_thread.locator(".body").first).to_contain_text("to a partner first")

    # Quality by hand keeps the moment; the storyboard shows on hover.
    seek(coach, 1.5)
    coach.select_option("#quality", label="360p")
    coach.wait_for_function(
        "() => { const v = document.getElementById('player'); return v.dataset.level === '360p'"
        " && v.readyState >= 1 && Math.abs(v.currentTime - 1.5) < 0.3; }"
    )
    coach.hover(".timeline .track", position={"x": 150, "y": 30})
    expect(coach.locator(".timeline .thumb")).to_be_visible()

    # The player stays in view while the side column scrolls to the clip tool.
    coach.locator(".thread", has_text="quiet ones").locator(
        "button:has-text('Make a clip')"
    ).click()
    expect(coach.locator("#clip-title")).to_be_focused()
    assert in_viewport(coach, "#player")
    title = coach.locator("#clip-title").input_value()
    assert (
        title == "Students explain their own strategies to a partner, then to the class; watch how"
    )
    expect(coach.locator("input[name=clip-tags][value=collaborative]")).to_be_checked()
    expect(coach.locator("input[name=clip-tags][value=student-centered]")).to_be_checked()
    expect(coach.locator("#clip-range")).to_contain_text("0:02 to 0:08")
    coach.fill("#clip-title", "Partner talk before whole-class sharing")
    coach.uncheck("input[name=clip-tags][value=collaborative]")
    check_page(coach, "video page (coach)")
    screenshot(coach, screenshot_dir / "video.png", full_page=True)
    coach.click("#create-clip")
    clip_item = coach.locator("#clips li[data-clip-id]")
    expect(clip_item).to_have_count(1)
    expect(clip_item.locator("a")).to_have_text("Partner talk before whole-class sharing")
    expect(clip_item).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    clip_item.locator("a").click()
    expect(coach.locator("#player")).to_be_visible()
    carried = coach.locator(".thread", has_text="to a partner first")
    expect(carried.locator("button.time")).to_have_text("0:00\u20130:06")

    # --- consent before nominating, and "Ask the teacher" -----------------------
    expect(coach.locator("#consent-note")).to_contain_text("Ana Teacher has not agreed yet")
    coach.fill("#nominate-note", "Partner talk before whole-class sharing; every student explains.")
    expect(coach.locator("input[name=nominate-elements][value=student-centered]")).to_be_checked()
    check_page(coach, "clip page (coach, before asking)")
    screenshot(coach, screenshot_dir / "clip.png", full_page=True)
    coach.click("#nominate-submit")  # "Ask Ana Teacher and nominate"
    expect(coach.locator("#consent-asked")).to_contain_text("You asked Ana Teacher")
    clip_path = "/#" + coach.url.split("#", 1)[1]

    teacher.goto(video_path)
    request = teacher.locator("#consent-requests .consent-open")
    expect(request).to_contain_text("Ben Coach asks to nominate the clip")
    expect(request).to_contain_text("every student explains")
    access = teacher.locator("#access")
    # In names and words (the trail holds ids; the panel never shows them).
    expect(access.locator("#access-list")).to_contain_text("Ben Coach")
    coach_viewed = access.locator(".audit-entry[data-actor=coach-ben][data-action='video.viewed']")
    expect(coach_viewed.first).to_contain_text("Ben Coach (coach) watched the video")
    expect(access.locator(".audit-entry[data-action='video.shared']")).to_contain_text(
        "shared it with: Ben Coach"
    )
    check_page(teacher, "video page (teacher, a consent request)")
    screenshot(teacher, screenshot_dir / "consent-request.png")
    screenshot(teacher, screenshot_dir / "access-activity.png", full_page=True)
    request.locator("button[data-answer=agree]").click()
    expect(teacher.locator("#consent-requests")).to_contain_text(
        "the nomination is in the review queue"
    )
    # The coach's page shows the nomination arriving; the coach pressed nothing more.
    expect(coach.locator("#nominate")).to_contain_text("Nominated: Pending")

    # --- a reviewer reads who and what, then rejects ----------------------------
    reviewer = new_page()
    sign_in(reviewer, "reviewer-cy")
    reviewer.goto("/#/review")
    expect(reviewer.locator("#stats [data-stat=pending] .stat-value")).not_to_have_text("0")
    item = reviewer.locator(".queue-item", has_text="Partner talk")
    expect(item).to_contain_text("Ana Teacher")
    check_page(reviewer, "review queue")
    screenshot(reviewer, screenshot_dir / "review-queue.png")
    item.locator("h2 a").click()
    item_path = "/#" + reviewer.url.split("#", 1)[1]
    privacy = reviewer.locator("#recording")
    expect(privacy).to_contain_text("Ana Teacher")
    expect(privacy).to_contain_text("north-elementary")
    expect(privacy).to_contain_text("Library consent given")
    expect(privacy.locator("#privacy-words")).to_contain_text("The teacher agreed")
    reviewer.click("#claim")
    expect(reviewer.locator("#approve-form")).to_be_visible()
    reviewer.locator("#approve-form input[name=checklist]").first.check()
    reviewer.click("#approve")
    expect(reviewer.locator("#approve-status [role=alert]")).to_contain_text("Check every item")
    assert in_viewport(reviewer, "#approve-status")
    check_page(reviewer, "review item (claimed)")
    screenshot(reviewer, screenshot_dir / "review-item.png", full_page=True)
    reviewer.fill(
        "#reject-reason", "Start at the teacher's question, so the partner talk has context."
    )
    reviewer.click("#reject")
    decided = reviewer.locator("#decided")
    expect(decided).to_contain_text("Rejected by Cy Reviewer on")
    expect(reviewer.locator("#item-age")).to_contain_text("decided after")
    history = reviewer.locator("#history")
    expect(history).to_contain_text("Ben Coach (coach) nominated it")
    expect(history).to_contain_text("Cy Reviewer (reviewer) claimed it")
    expect(history).to_contain_text("Cy Reviewer (reviewer) rejected it")
    check_page(reviewer, "review item (decided)")
    screenshot(reviewer, screenshot_dir / "review-item-decided.png", full_page=True)

    # --- the coach cuts it again from the clip's page and renominates -----------
    coach.reload()  # the coach comes back to the clip's page
    expect(coach.locator("#last-decision")).to_contain_text("Start at the teacher's question")
    coach.fill("#retrim-start", "0:01")
    coach.click("#retrim-submit")
    expect(coach.locator("#revision-of")).to_contain_text("Start at the teacher's question")
    expect(coach.locator("#player")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(coach.locator("#consent-note")).to_contain_text("has agreed")
    coach.fill("#nominate-note", "Now with the question that starts the partner talk.")
    coach.click("#nominate-submit")
    expect(coach.locator("#nominate")).to_contain_text("Nominated: Pending")

    reviewer.goto("/#/review")
    reviewer.locator(".queue-item", has_text="Partner talk").locator("h2 a").click()
    reviewer.click("#claim")
    expect(reviewer.locator("#approve-form")).to_be_visible()
    for box in reviewer.locator("#approve-form input[name=checklist]").all():
        box.check()
    reviewer.fill("#approve-note", "Clear example of student-centered partner talk.")
    reviewer.click("#approve")
    expect(reviewer.locator("#decided")).to_contain_text("Approved by Cy Reviewer")
    reviewer.goto("/#/library")
    check_page(reviewer, "library (reviewer)")

    # --- the library finds it by element and jumps to the tagged moment ----------
    teacher.goto("/#/library?element=student-centered")
    card = teacher.locator(".library-card", has_text="Partner talk")
    expect(card).to_have_count(1)
    match = card.locator("button.match").first
    start = float(match.get_attribute("data-start") or "nan")
    match.click()
    card_video = card.locator("video")
    expect(card_video).to_have_count(1)
    teacher.wait_for_function(
        "([v, t]) => v.readyState >= 1 && v.currentTime >= t - 0.1 && v.currentTime < t + 2",
        arg=[card_video.element_handle(), start],
    )
    check_page(teacher, "library (teacher)")
    screenshot(teacher, screenshot_dir / "library.png")

    # --- the teacher downloads their data -----------------------------------------
    teacher.goto("/#/videos?scope=mine")
    teacher.click("#export-start")
    link = teacher.locator("#export-link")
    expect(link).to_be_visible(timeout=READY_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert href
    assert teacher.request.get(href).body()[:2] == b"PK"

    # --- on a phone: compact header, feedback before the panels, the low rung ----
    phone = new_page(**PHONE, touch=True)
    sign_in(phone, "teacher-ana")
    phone.goto(video_path)
    expect(phone.locator(".thread")).to_have_count(2)
    expect(phone.locator("#player")).to_have_attribute("data-start-level", "360p")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate("document.querySelector('header.top').offsetHeight") <= 90
    expect(phone.locator("#mark-in .kbd-hint")).to_be_hidden()
    expect(phone.locator(".shortcuts")).to_be_hidden()
    assert top_of(phone, "#comment-form") < top_of(phone, "#sharing-form")
    assert top_of(phone, "#comments") < top_of(phone, "#safeguards")
    assert top_of(phone, "#comments") < top_of(phone, "#access")
    assert phone.evaluate("document.getElementById('play').offsetHeight") >= 44
    phone.evaluate("() => window.scrollTo(0, document.getElementById('comments').offsetTop)")
    assert in_viewport(phone, "#player")  # pinned at the top
    check_page(phone, "video page (teacher, phone)")
    screenshot(phone, screenshot_dir / "video-phone.png")
    for where, path in (("my-videos", "/#/videos?scope=mine"), ("library", "/#/library")):
        phone.goto(path)
        check_page(phone, f"{where} (teacher, phone)")
        screenshot(phone, screenshot_dir / f"{where}-phone.png")
    coach_phone = new_page(**PHONE, touch=True)
    sign_in(coach_phone, "coach-ben")
    coach_phone.goto(clip_path)
    check_page(coach_phone, "clip page (coach, phone)")
    screenshot(coach_phone, screenshot_dir / "clip-phone.png")
    reviewer_phone = new_page(**PHONE, touch=True)
    sign_in(reviewer_phone, "reviewer-cy")
    reviewer_phone.goto("/#/review?status=approved")
    reviewer_phone.locator(".queue-item h2 a").first.click()
    check_page(reviewer_phone, "review item (reviewer, phone)")
    screenshot(reviewer_phone, screenshot_dir / "review-item-phone.png", full_page=True)

    # --- every page each role can reach passes the same checks ------------------
    admin = new_page()
    sign_in(admin, "admin-dee")
    lists = ["/#/videos?scope=mine", "/#/videos?scope=shared", "/#/upload", "/#/library"]
    reachable = {
        "teacher": (teacher, [*lists, video_path, clip_path]),
        "coach": (coach, [*lists, video_path, clip_path]),
        "reviewer": (reviewer, ["/#/review", "/#/review?status=rejected", item_path, "/#/library"]),
        "admin": (
            admin,
            [*lists, "/#/videos?scope=district", "/#/review", item_path, video_path, clip_path],
        ),
    }
    for role, (page, paths) in reachable.items():
        for path in paths:
            visit(page, path)
            check_page(page, f"{path} ({role})")

    # --- an admin holds the video: the teacher's delete is refused ----------------
    admin.goto(video_path)
    admin.check("#legal-hold")
    admin.click("#hold-form button[type=submit]")
    expect(admin.locator("#safeguards-status [role=alert]")).to_contain_text("Say why")
    admin.fill("#hold-reason", "Records request 2026-114")
    admin.click("#hold-form button[type=submit]")
    expect(admin.locator("#head-badges")).to_contain_text("Legal hold")
    expect(admin.locator("#audit-list")).to_contain_text(
        "Dee Admin (district admin) changed the legal hold"
    )
    check_page(admin, "video page (admin)")
    teacher.goto(video_path)
    expect(teacher.locator("#head-badges")).to_contain_text("Legal hold")
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.click("#delete-video")
    expect(teacher.locator("#safeguards-status [role=alert]")).to_contain_text("legal hold")
