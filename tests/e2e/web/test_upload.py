"""Uploading in the browser: refusals before any byte is sent, and a multipart
upload that resumes after a page reload without sending its parts again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, Request, Route, expect

from tests.e2e.web.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_wrong_type_empty_and_too_large_files_are_refused_before_upload(
    new_page: Callable[..., Page], corpus_dir: Path
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

    page.set_input_files(
        "#file", files=FilePayload(name="notes.txt", mimeType="text/plain", buffer=b"hello")
    )
    expect(errors).to_contain_text("not a video file we accept")
    page.set_input_files(
        "#file", files=FilePayload(name="empty.mp4", mimeType="video/mp4", buffer=b"")
    )
    expect(errors).to_contain_text("empty")
    page.click("button:has-text('Upload')")
    expect(errors).to_contain_text("Choose a video file first")

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
    expect(page.locator("#player")).to_be_visible(timeout=90_000)
    assert page.evaluate("localStorage.getItem('classreel.pending-upload')") is None
