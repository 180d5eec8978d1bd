from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint
from chalicelib.config import get_settings
from chalicelib.webhooks import service
from chalicelib.webhooks.schemas import (
    CreatedWebhookView,
    CreateWebhookRequest,
    DeliveryListQuery,
    DeliveryPage,
    RotatedSecretView,
    WebhookList,
)

webhooks_api = ApiBlueprint(__name__)


@webhooks_api.route(
    "/webhooks",
    methods=["POST"],
    summary="Subscribe a URL to events (admin); the response shows the signing secret once",
    request_model=CreateWebhookRequest,
    response_model=CreatedWebhookView,
    status=201,
)
def create_webhook() -> Response:
    request = parse_body(webhooks_api.current_request, CreateWebhookRequest)
    hook = service.create(current_principal(), request, get_settings())
    body = CreatedWebhookView(**service.view(hook).model_dump(), secret=hook.secret)
    return Response(body=body.model_dump(mode="json"), status_code=201)


@webhooks_api.route(
    "/webhooks", summary="Your district's webhooks (admin)", response_model=WebhookList
)
def list_webhooks() -> Response:
    hooks = service.list_hooks(current_principal())
    body = WebhookList(items=[service.view(h) for h in hooks])
    return Response(body=body.model_dump(mode="json"))


@webhooks_api.route(
    "/webhooks/{hook_id}", methods=["DELETE"], summary="Unsubscribe (admin)", status=204
)
def delete_webhook(hook_id: str) -> Response:
    service.delete(current_principal(), hook_id)
    return Response(body="", status_code=204)


@webhooks_api.route(
    "/webhooks/{hook_id}/rotate-secret",
    methods=["POST"],
    summary="A new signing secret, shown once; the old one also signs for a while (admin)",
    response_model=RotatedSecretView,
)
def rotate_webhook_secret(hook_id: str) -> Response:
    rotated = service.rotate_secret(current_principal(), hook_id, get_settings())
    return Response(body=rotated.model_dump(mode="json"))


@webhooks_api.route(
    "/webhooks/{hook_id}/deliveries",
    summary="Deliveries and their attempts, newest first (admin)",
    response_model=DeliveryPage,
    query_model=DeliveryListQuery,
)
def list_deliveries(hook_id: str) -> Response:
    query = parse_query(webhooks_api.current_request, DeliveryListQuery)
    page = service.deliveries(current_principal(), hook_id, cursor=query.cursor, limit=query.limit)
    return Response(body=page.model_dump(mode="json"))
