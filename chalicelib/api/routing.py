"""Blueprints for API capabilities, with route metadata kept for auth and OpenAPI.

Every route is registered through ``ApiBlueprint.route`` so that:
- routes are authenticated unless declared ``public=True`` (the middleware
  consults ``PUBLIC_PATHS``);
- an outage of DynamoDB or S3 surfaces as a 503 domain error, not a 500;
- request/response models are recorded in ``ROUTES`` for the OpenAPI document;
- a response that shows someone else's media records the views (chalicelib/api/links.py);
- an authenticated caller is held to the request rate of chalicelib/limits/.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError
from chalice.app import Blueprint, Response
from pydantic import BaseModel
from pynamodb.exceptions import PynamoDBException

from chalicelib.api.context import current_principal
from chalicelib.api.errors import dependency_outage
from chalicelib.api.links import can_carry_playback, record_views, views_in
from chalicelib.config import get_settings
from chalicelib.limits.service import Quota, consume


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    public: bool
    request_model: type[BaseModel] | None
    response_model: type[BaseModel] | None
    status: int
    query_model: type[BaseModel] | None
    response_is_list: bool
    # Responses whose body is not the usual error body (status → model).
    other_responses: dict[int, type[BaseModel]]
    view_name: str

    @property
    def carries_playback(self) -> bool:
        return can_carry_playback(self.response_model)


ROUTES: list[RouteSpec] = []
PUBLIC_PATHS: set[str] = set()


class ApiBlueprint(Blueprint):
    def route(
        self,
        path: str,
        *,
        methods: list[str] | None = None,
        summary: str = "",
        public: bool = False,
        request_model: type[BaseModel] | None = None,
        response_model: type[BaseModel] | None = None,
        status: int = 200,
        query_model: type[BaseModel] | None = None,
        response_is_list: bool = False,
        other_responses: dict[int, type[BaseModel]] | None = None,
        **chalice_kwargs: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        methods = methods or ["GET"]
        register = super().route(path, methods=methods, **chalice_kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            for method in methods:
                ROUTES.append(
                    RouteSpec(
                        path=path,
                        method=method.upper(),
                        summary=summary or (view.__doc__ or "").strip().split("\n")[0],
                        public=public,
                        request_model=request_model,
                        response_model=response_model,
                        status=status,
                        query_model=query_model,
                        response_is_list=response_is_list,
                        other_responses=other_responses or {},
                        view_name=view.__name__,
                    )
                )
            if public:
                PUBLIC_PATHS.add(path)
            # Inside the outage mapping: an audit trail that cannot be written is a 503.
            audited = _audit_views(view) if can_carry_playback(response_model) else view
            register(_surface_outages(audited if public else _rate_limited(audited)))
            return view

        return decorator


def _surface_outages(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except (PynamoDBException, BotoCoreError) as exc:
            outage = dependency_outage(exc)
            if outage is None:
                raise
            raise outage from exc

    return wrapped


def _rate_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """API Gateway's throttling is one bucket for everyone: this is per caller and per
    district, so one district's traffic cannot crowd out the others (429, Retry-After)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        consume(current_principal(), Quota.REQUESTS, get_settings())
        return view(*args, **kwargs)

    return wrapped


def _audit_views(view: Callable[..., Any]) -> Callable[..., Any]:
    """Records a view for each piece of someone else's media the response shows."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        if not isinstance(response, ModelResponse):
            # Fail closed: a body we cannot read could carry links nobody recorded.
            raise TypeError(f"{view.__name__} can show media: answer with json_response")
        if 200 <= response.status_code < 300:
            record_views(current_principal(), views_in(response.model))
        return response

    return wrapped


class ModelResponse(Response):
    """A Chalice response that keeps the model it was made from (for the view audit)."""

    def __init__(
        self, model: BaseModel, status_code: int, headers: dict[str, Any] | None = None
    ) -> None:
        super().__init__(
            body=model.model_dump(mode="json"), status_code=status_code, headers=headers
        )
        self.model = model


def json_response(
    model: BaseModel, status: int = 200, headers: dict[str, Any] | None = None
) -> Response:
    """A pydantic response model as the JSON body of a Chalice response."""
    return ModelResponse(model, status, headers)
