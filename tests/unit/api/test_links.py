"""Links in responses are declared, and a response that can show media cannot skip its audit.

The route table decides which routes record views (chalicelib/api/links.py);
tests/integration/access/test_every_view_audited.py calls each of them as someone else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from chalice.app import Response
from pydantic import BaseModel

import app as application  # noqa: F401  (registers every route and the view recorder)
from chalicelib.api import links
from chalicelib.api.context import reset_principal, set_principal
from chalicelib.api.links import CarriesPlayback, PlaybackLink, Viewed, views_in
from chalicelib.api.routing import ROUTES, _audit_views, json_response
from chalicelib.auth.principal import Principal, Role

URL_LIKE = re.compile(r"(url|location|href|link)$", re.IGNORECASE)


def _response_models() -> set[type[BaseModel]]:
    return {r.response_model for r in ROUTES if r.response_model is not None}


def test_no_route_can_carry_a_playback_link_outside_a_view_that_says_whose() -> None:
    unattributed = [path for m in _response_models() for path in links.unattributed_links(m)]
    assert unattributed == []


def test_every_url_like_response_field_declares_its_kind() -> None:
    undeclared = sorted(
        {
            field
            for model in _response_models()
            for field in links.link_fields(model)
            if "=" not in field and URL_LIKE.search(field.split(".")[-1])
        }
    )
    assert undeclared == [], (
        "type the field PlaybackLink, UploadLink, OwnExportLink or ExternalLink"
    )


def test_the_routes_that_show_media_are_the_ones_expected() -> None:
    # A sample, so a broken walk of the models cannot pass the test above by finding nothing.
    media = {f"{r.method} {r.path}" for r in ROUTES if r.carries_playback}
    assert {
        "GET /videos/{video_id}/clips",
        "GET /review-queue",
        "POST /clips/{clip_id}/nominate",
        "POST /library/{clip_id}/unpublish",
        "PUT /videos/{video_id}/safeguards",
    } <= media
    assert "GET /me" not in media and "GET /webhooks" not in media


class _Rendition(BaseModel):
    url: PlaybackLink


class _Clip(CarriesPlayback):
    poster_url: PlaybackLink | None
    renditions: list[_Rendition]


class _Item(BaseModel):
    clip: _Clip | None


class _Page(BaseModel):
    items: list[_Item]


def _clip(clip_id: str, *, poster: str | None = None, rendition: str | None = None) -> _Clip:
    return _Clip(
        viewed=Viewed("d", "vid", "teacher", clip_id=clip_id),
        poster_url=poster,
        renditions=[_Rendition(url=rendition)] if rendition else [],
    )


def test_views_are_found_wherever_a_link_is_nested() -> None:
    page = _Page(
        items=[
            _Item(clip=_clip("c1", poster="https://p")),
            _Item(clip=_clip("c2", rendition="/media/clips/c2/a.mp4")),
            _Item(clip=_clip("c3")),  # nothing to see yet: not a view
            _Item(clip=None),
        ]
    )
    assert [v.clip_id for v in views_in(page)] == ["c1", "c2"]


def test_whose_media_is_never_serialised() -> None:
    body = _clip("c1", poster="https://p").model_dump(mode="json")
    assert "viewed" not in body and "viewed" not in _Clip.model_json_schema()["properties"]


@pytest.fixture
def principal() -> Iterator[None]:
    token = set_principal(Principal("coach", frozenset({Role.COACH}), "d", None))
    yield
    reset_principal(token)


def test_a_media_route_that_answers_without_its_model_fails_closed(principal: None) -> None:
    def careless() -> Response:
        return Response(body=_clip("c1", poster="https://p").model_dump(mode="json"))

    with pytest.raises(TypeError, match="json_response"):
        _audit_views(careless)()


def test_links_are_not_issued_when_no_recorder_is_installed(principal: None) -> None:
    saved = list(links._recorder)
    links._recorder.clear()
    try:
        with pytest.raises(RuntimeError, match="no view recorder"):
            _audit_views(lambda: json_response(_clip("c1", poster="https://p")))()
    finally:
        links._recorder[:] = saved


def test_the_recorder_gets_every_view_of_a_successful_response(principal: None) -> None:
    recorded: list[tuple[str, list[Viewed]]] = []
    saved = list(links._recorder)
    links.install_view_recorder(lambda who, views: recorded.append((who.user_id, views)))
    try:
        _audit_views(lambda: json_response(_clip("c1", poster="https://p")))()
        _audit_views(lambda: json_response(_clip("c2", poster="https://p"), 409))()
    finally:
        links._recorder[:] = saved
    assert [(who, [v.clip_id for v in views]) for who, views in recorded] == [("coach", ["c1"])]
