"""An encoded '?' or '/' inside an id never changes which route runs (found by schemathesis).

The local API used to match routes on the decoded path, so ``GET /videos/x%3F``
ran ``GET /videos`` (the list) and ``POST .../comments/y%3Fz/reopen`` a 405.
API Gateway matches on the path as sent and decodes path parameters after.
"""

from __future__ import annotations

import pytest

from tests.support.api import Api

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/videos/%3Fscope=mine"),
        ("GET", "/videos/abc%3Fscope=mine"),
        ("GET", "/videos/abc%2Fcomments"),
        ("PATCH", "/videos/abc%3F"),
        ("POST", "/videos/abc/comments/c%3Fd/reopen"),
        ("DELETE", "/videos/abc%2F..%2Fx"),
    ],
)
def test_encoded_separators_stay_inside_the_id(teacher_api: Api, method: str, path: str) -> None:
    response = teacher_api.call(method, path, json={} if method in ("PATCH", "POST") else None)
    assert response.status_code == 404, (response.status_code, response.text)
    assert response.json()["error"] == "not_found"


def test_plain_ids_and_queries_still_route(teacher_api: Api) -> None:
    assert teacher_api.call("GET", "/videos?scope=mine").status_code == 200
    assert teacher_api.call("GET", "/videos/no-such-video").status_code == 404
