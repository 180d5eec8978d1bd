"""A small HTTP client for the ClassReel API, as a phone app would use it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, BinaryIO

import requests
from requests_toolbelt import MultipartEncoder, MultipartEncoderMonitor

DEFAULT_API = "http://127.0.0.1:8000"
RETRYABLE_STATUS = (429, 500, 502, 503, 504)


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        message = body.get("message") if isinstance(body, dict) else str(body)
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.body = body


def with_retries(action: Callable[[], requests.Response], attempts: int = 4) -> requests.Response:
    """Retry dropped connections and 5xx with exponential backoff."""
    for attempt in range(attempts):
        try:
            response = action()
        except (requests.ConnectionError, requests.Timeout):
            if attempt == attempts - 1:
                raise
        else:
            if response.status_code not in RETRYABLE_STATUS or attempt == attempts - 1:
                return response
        time.sleep(min(8.0, 0.5 * 2**attempt))
    raise AssertionError("unreachable")


class ApiClient:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._timeout_s = timeout_s

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        def send() -> requests.Response:
            return self._session.request(
                method, f"{self.base_url}{path}", timeout=self._timeout_s, **kwargs
            )

        response = with_retries(send)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise ApiError(response.status_code, body)
        return body

    # --- upload primitives ---------------------------------------------------
    def post_form(
        self,
        url: str,
        fields: dict[str, str],
        file: BinaryIO,
        filename: str,
        content_type: str,
        on_bytes: Callable[[int], object],
    ) -> None:
        """S3 presigned POST, streamed (never the whole file in memory)."""
        encoder = MultipartEncoder(fields={**fields, "file": (filename, file, content_type)})
        # The form's own fields and boundaries come first; count file bytes only.
        overhead = encoder.len - os.fstat(file.fileno()).st_size
        sent = 0

        def progress(monitor: MultipartEncoderMonitor) -> None:
            nonlocal sent
            now = max(0, min(monitor.bytes_read - overhead, encoder.len - overhead))
            on_bytes(now - sent)
            sent = now

        monitor = MultipartEncoderMonitor(encoder, progress)
        response = requests.post(
            url, data=monitor, headers={"Content-Type": monitor.content_type}, timeout=600
        )
        if response.status_code >= 300:
            raise ApiError(response.status_code, response.text[:500])

    def put_part(self, url: str, data: bytes) -> str:
        response = with_retries(lambda: requests.put(url, data=data, timeout=600))
        if response.status_code >= 300:
            raise ApiError(response.status_code, response.text[:500])
        return response.headers["ETag"]
