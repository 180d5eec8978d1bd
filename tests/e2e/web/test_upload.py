"""Uploading in the browser: any file can be chosen (the server decides by its bytes,
and says why in words), empty and too large files are refused before any byte is
sent, a camcorder file with no declared type becomes a lesson, and a multipart
upload resumes after a page reload without sending its parts again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, Request, Route, expect

from tests.e2e.web.conftest import check_page, sign_in
from tests.support import media_corpus

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_any_file_can_be_chosen_empty_or_too_large_is_refused_before_upload_and_kept(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    sign_in(page, "teacher-raj")
    api_calls: list[str] = []
    page.on(
        "request",
        lambda request: api_calls.append(request.url) if request.method != "GET" else None,
    )
    page.goto("/#/upload")
    errors = page.locator("#upload-errors")
    # No filter in the file dialog: a camcorder's .MTS or a file with no type is offered too.
    assert page.get_attribute("#file", "accept") is None

    page.set_input_files(
        "#file", files=FilePayload(name="empty.mp4", mimeType="video/mp4", buffer=b"")
    )
    expect(errors).to_contain_text("empty.mp4 is empty")
    # Typing a title and pressing Enter keeps the real reason, not "choose a file".
    page.fill("#title", "My lesson")
    page.press("#title", "Enter")
    expect(errors).to_contain_text("empty.mp4 is empty")
    expect(errors).not_to_contain_text("Choose a video file first")

    # The limit comes from the server's configuration; make it tiny.
    def small_limit(route: Route) -> None:
        config = route.fetch().json()
        config["upload"]["max_bytes"] = 1000
        route.fulfill(json=config)

    page.route("**/web-config.json", small_limit)
    page.reload()
    page.set_input_files(
        "#file", files=FilePayload(name="lesson.mp4", mimeType="video/mp4", buffer=b"x" * 5000)
    )
    expect(errors).to_contain_text("the largest video you can upload is 1000 bytes")
    assert api_calls == []


def test_the_server_refuses_a_document_by_its_bytes_in_words_the_teacher_reads(
    new_page: Callable[..., Page],
) -> None:
    page = new_page()
    sign_in(page, "teacher-raj")
    page.goto("/#/upload")
    notes = b"Lesson notes: start with the warm-up, then fractions on the number line.\n" * 40
    page.set_input_files(
        "#file", files=FilePayload(name="notes.txt", mimeType="text/plain", buffer=notes)
    )
    expect(page.locator("#chosen")).to_contain_text("notes.txt")
    expect(page.locator("#upload-errors")).to_be_empty()
    page.fill("#title", "Notes by mistake")
    page.click("button:has-text('Upload')")
    page.wait_for_url("**/#/videos/*")
    status = page.locator("#video-status")
    expect(status.locator(".failure")).to_contain_text("not a video", timeout=240_000)
    check_page(page, "a refused upload")
    page.once("dialog", lambda dialog: dialog.accept())
    status.locator("button:has-text('Delete')").click()
    page.wait_for_url("**/#/videos?scope=mine")
    expect(page.locator(".video-card", has_text="Notes by mistake")).to_have_count(0)


def test_a_camcorder_file_with_no_declared_type_becomes_ready_and_plays(
    new_page: Callable[..., Page], corpus_dir: Path
) -> None:
    sample = media_corpus.BY_NAME["camcorder_avchd"]
    camcorder = media_corpus.build(sample, corpus_dir)
    page = new_page()
    sign_in(page, "teacher-raj")
    page.goto("/#/upload")
    # As a browser hands over an .MTS: its name, and no type at all.
    page.set_input_files(
        "#file",
        files=FilePayload(name=sample.filename, mimeType="", buffer=camcorder.read_bytes()),
    )
    expect(page.locator("#chosen")).to_contain_text("00001.MTS")
    page.fill("#title", "Science fair, camcorder")
    page.click("button:has-text('Upload')")
    page.wait_for_url("**/#/videos/*")
    player = page.locator("#player")
    expect(player).to_have_attribute("data-engine", "hls.js", timeout=240_000)
    page.click("#play")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.0")
    page.goto("/#/videos?scope=mine")
    card = page.locator(".video-card", has_text="Science fair, camcorder")
    expect(card).to_have_attribute("data-status", "ready", timeout=240_000)


def test_multipart_upload_resumes_after_reload(
    new_page: Callable[..., Page], big_video: Path
) -> None:
    page = new_page()
    sign_in(page, "teacher-raj")
    parts_sent: list[int] = []
    listed: list[str] = []

    def part_number(request: Request) -> int | None:
        if request.method != "PUT" or "partNumber=" not in request.url:
            return None
        return int(request.url.split("partNumber=", 1)[1].split("&", 1)[0])

    def on_request(request: Request) -> None:
        number = part_number(request)
        if number is not None:
            parts_sent.append(number)
        if request.method == "GET" and "/s3/multipart/" in request.url and "key=" in request.url:
            path = request.url.split("?", 1)[0]
            if path.count("/") == 5:  # /s3/multipart/{upload_id}: list parts
                listed.append(request.url)

    page.on("request", on_request)

    # Part 2 never gets an answer, twice: once before Pause, once after Resume.
    held: list[Route] = []

    def hold_part_2(route: Route) -> None:
        if route.request.method == "PUT" and len(held) < 2:
            held.append(route)
        else:
            route.continue_()

    def wait_for_held(count: int) -> None:
        for _ in range(100):
            if len(held) >= count:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"part 2 was sent {len(held)} times, expected {count}")

    page.route("**/*partNumber=2*", hold_part_2)
    page.goto("/#/upload")
    page.set_input_files("#file", str(big_video))
    page.fill("#title", "Long lesson, resumed")
    page.click("button:has-text('Upload')")
    expect(page.locator("#upload-progress-text")).to_contain_text("%")
    wait_for_held(1)
    assert parts_sent == [1, 2]

    # Pause stops it; Resume asks S3 what it holds and sends part 2 again, not part 1.
    page.click("#pause")
    expect(page.locator("#pause")).to_have_text("Resume")
    expect(page.locator("#upload-progress-text")).to_have_text("Paused")
    page.click("#pause")
    expect(page.locator("#pause")).to_have_text("Pause")
    wait_for_held(2)
    assert parts_sent == [1, 2, 2]
    assert len(listed) == 1
    pending = json.loads(
        page.evaluate("localStorage.getItem('classreel.pending-upload')") or "null"
    )
    assert pending["mode"] == "multipart"

    # The page is reloaded while part 2 is still on its way.
    # Reload, choose the same file again: only the missing parts are sent.
    page.reload()
    expect(page.locator("#resume-note")).to_contain_text("Unfinished upload")
    parts_sent.clear()
    listed.clear()
    page.set_input_files("#file", str(big_video))
    expect(page.locator("#chosen")).to_contain_text("continues your unfinished upload")
    page.click("button:has-text('Upload')")
    page.wait_for_url("**/#/videos/*")
    assert listed, "the resumed upload asked which parts S3 already holds"
    assert sorted(parts_sent) == [2, 3]
    assert page.url.endswith(pending["video_id"])
    expect(page.locator("#player")).to_be_visible(timeout=240_000)
    assert page.evaluate("localStorage.getItem('classreel.pending-upload')") is None
