"""Links in responses, declared on the field, so "every view audited" follows from the route table.

A playback link is anything that lets its holder see a video's or clip's picture: a presigned
rendition, poster or storyboard URL, a /media/ path with its cookies, a download. A response
field that holds one is typed ``PlaybackLink`` and sits inside a ``CarriesPlayback`` view,
which must say whose media it shows (``Viewed``) to be built at all. Every route whose
response model can hold such a view is answered through ``json_response``; the route table
then records a view for each one that holds a link and is not the caller's own
(chalicelib/api/routing.py, the recorder chalicelib/audit/views.py). Other links say what
they are (an upload target, the caller's own export, an admin's webhook address), and
tests/unit/api/test_links.py refuses a url-like response field without a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from chalicelib.auth.principal import Principal


class LinkKind(StrEnum):
    PLAYBACK = "playback"
    # Where the caller puts their own upload (presigned POST or part PUT).
    UPLOAD = "upload"
    # The requester's own data export: their own videos and feedback.
    OWN_EXPORT = "own_export"
    # An address outside ClassReel that an admin configured (a webhook target).
    EXTERNAL = "external"


@dataclass(frozen=True)
class Link:
    """Field metadata: the kind of link the field holds."""

    kind: LinkKind


PlaybackLink = Annotated[str, Link(LinkKind.PLAYBACK)]
UploadLink = Annotated[str, Link(LinkKind.UPLOAD)]
OwnExportLink = Annotated[str, Link(LinkKind.OWN_EXPORT)]
ExternalLink = Annotated[str, Link(LinkKind.EXTERNAL)]


@dataclass(frozen=True)
class Viewed:
    """Whose media a view shows: the subject of the audit entry its links make."""

    district: str
    video_id: str
    # The recording's teacher: their own views are not entries ("who else saw it").
    owner_id: str | None
    clip_id: str | None = None


class CarriesPlayback(BaseModel):
    """A view that may hold playback links; ``viewed`` is required, never serialised."""

    viewed: SkipJsonSchema[Viewed] = Field(exclude=True)

    def holds_links(self) -> bool:
        return any(True for _ in _link_values(self))


# Records the views in a response (installed by app.py: the audit capability sits above api/).
ViewRecorder = Callable[[Principal, list[Viewed]], None]
_recorder: list[ViewRecorder] = []


def install_view_recorder(recorder: ViewRecorder) -> None:
    _recorder[:] = [recorder]


def record_views(principal: Principal, views: list[Viewed]) -> None:
    if not _recorder:
        # Fail closed: links issued without their audit entries would break a promise.
        raise RuntimeError("no view recorder installed: playback links cannot be issued")
    if views:
        _recorder[0](principal, views)


def _link_kind(annotation: Any) -> LinkKind | None:
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Link):
            return meta.kind
    return None


def _declared_kind(annotation: Any) -> LinkKind | None:
    """The kind of link an annotation declares, inside ``| None`` and lists too."""
    kind = _link_kind(annotation)
    if kind is not None:
        return kind
    origin = get_origin(annotation)
    if origin in (Union, list, tuple, set, frozenset) or isinstance(annotation, UnionType):
        for arg in get_args(annotation):
            kind = _declared_kind(arg)
            if kind is not None:
                return kind
    return None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation can hold (inside lists, dicts, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _models_in(get_args(annotation)[0])
    elif origin is not None or isinstance(annotation, UnionType):
        for arg in get_args(annotation):
            yield from _models_in(arg)


def _holds_link(annotation: Any, kind: LinkKind) -> bool:
    return _declared_kind(annotation) is kind


def unattributed_links(
    model: type[BaseModel], path: str = "", *, inside: bool = False
) -> list[str]:
    """Playback-link fields a response of ``model`` could carry outside a ``CarriesPlayback``
    view (so nobody would know whose view to record): must be none."""
    inside = inside or issubclass(model, CarriesPlayback)
    found: list[str] = []
    for name, info in model.model_fields.items():
        here = f"{path}{model.__name__}.{name}"
        annotation = info.rebuild_annotation()
        if _holds_link(annotation, LinkKind.PLAYBACK) and not inside:
            found.append(here)
        for inner in _models_in(annotation):
            if inner is not model:
                found += unattributed_links(inner, f"{here} → ", inside=inside)
    return found


def can_carry_playback(model: type[BaseModel] | None, seen: frozenset[type] = frozenset()) -> bool:
    """Whether a response of ``model`` can hold a view with playback links."""
    if model is None or model in seen:
        return False
    if issubclass(model, CarriesPlayback):
        return True
    return any(
        can_carry_playback(inner, seen | {model})
        for info in model.model_fields.values()
        for inner in _models_in(info.rebuild_annotation())
    )


def link_fields(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> Iterator[str]:
    """Every ``Model.field`` reachable from ``model``, with the kind of link it declares
    (``Model.field=kind``; no ``=`` when it declares none)."""
    if model in seen:
        return
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        kind = _declared_kind(info.rebuild_annotation())
        yield f"{model.__name__}.{name}" + (f"={kind.value}" if kind else "")
        for inner in _models_in(info.rebuild_annotation()):
            yield from link_fields(inner, seen | {model})


def _link_values(view: BaseModel) -> Iterator[str]:
    """The playback links a view instance holds (not those of nested views)."""
    for name, info in type(view).model_fields.items():
        value = getattr(view, name)
        if _holds_link(info.rebuild_annotation(), LinkKind.PLAYBACK):
            values = value if isinstance(value, list | tuple) else [value]
            yield from (v for v in values if v)
        for inner in _instances(value):
            if not isinstance(inner, CarriesPlayback):
                yield from _link_values(inner)


def _instances(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _instances(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _instances(item)


def views_in(response: BaseModel) -> list[Viewed]:
    """Whose media a response shows: every view in it that holds a playback link."""
    found: list[Viewed] = []
    if isinstance(response, CarriesPlayback) and response.holds_links():
        found.append(response.viewed)
    for name in type(response).model_fields:
        for inner in _instances(getattr(response, name)):
            found += views_in(inner)
    return found
