"""Which origin the playback cookies name: the one the viewer's media requests go to."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from chalicelib.playback.paths import VIEWER_ORIGIN_HEADER
from chalicelib.playback.routes import _origin


def _request(**headers: str) -> Any:
    return SimpleNamespace(headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_behind_cloudfront_the_distribution_names_the_viewers_origin() -> None:
    # API Gateway sees its own host; the distribution passes the viewer's on.
    request = _request(host="abc.execute-api.us-east-1.amazonaws.com", x_forwarded_proto="https")
    request.headers[VIEWER_ORIGIN_HEADER] = "https://d111.cloudfront.net"
    assert _origin(request) == "https://d111.cloudfront.net"


def test_locally_the_request_names_its_own_origin() -> None:
    assert _origin(_request(host="127.0.0.1:8000")) == "http://127.0.0.1:8000"
