"""The routes whose responses can show media, from the app's route table, for the checks
that every one of them has a case (tests/integration/access)."""

from __future__ import annotations

from collections.abc import Iterable

import app as application
from chalicelib.api.routing import ROUTES


def media_routes() -> list[str]:
    """``METHOD /path`` of every route whose response model can hold a playback link."""
    return sorted({f"{r.method} {r.path}" for r in ROUTES if r.carries_playback})


def assert_a_case_per_media_route(cases: Iterable[str]) -> None:
    served = {f"{m} {p}" for p, methods in application.app.routes.items() for m in methods}
    media, named = set(media_routes()), set(cases)
    assert media <= served
    assert media - named == set(), "routes that can show media need a case in CASES"
    assert named - media == set(), "CASES names routes whose responses show no media"
