"""Managing a district's webhooks (admins only)."""

from __future__ import annotations

import secrets

from chalicelib.api.pagination import decode_cursor, encode_cursor
from chalicelib.auth.principal import Principal, Role
from chalicelib.config import Settings
from chalicelib.errors import Forbidden, InvalidInput, NotFound
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord, new_hook_id
from chalicelib.webhooks.schemas import (
    CreateWebhookRequest,
    DeliveryPage,
    DeliveryView,
    WebhookView,
)
from chalicelib.webhooks.targets import UnsafeTarget, check_target


def _require_admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only district admins manage webhooks")


def view(hook: WebhookRecord) -> WebhookView:
    return WebhookView(
        id=hook.hook_id,
        url=hook.url,
        events=list(hook.events),
        created_by=hook.created_by,
        created_at=hook.created_at,
    )


def create(
    principal: Principal, request: CreateWebhookRequest, settings: Settings
) -> WebhookRecord:
    _require_admin(principal)
    try:
        check_target(request.url, settings)
    except UnsafeTarget as exc:
        raise InvalidInput(str(exc), field="url") from exc
    hook_id = new_hook_id()
    hook = WebhookRecord(
        *WebhookRecord.key(principal.district, hook_id),
        hook_id=hook_id,
        district=principal.district,
        url=request.url,
        events=sorted(set(request.events)),
        secret="whsec_" + secrets.token_urlsafe(32),
        created_by=principal.user_id,
    )
    hook.save()
    return hook


def list_hooks(principal: Principal) -> list[WebhookRecord]:
    _require_admin(principal)
    return list(WebhookRecord.query(WebhookRecord.partition(principal.district)))


def _hook(principal: Principal, hook_id: str) -> WebhookRecord:
    _require_admin(principal)
    try:
        return WebhookRecord.get(*WebhookRecord.key(principal.district, hook_id))
    except WebhookRecord.DoesNotExist:
        raise NotFound("Webhook not found") from None


def delete(principal: Principal, hook_id: str) -> None:
    _hook(principal, hook_id).delete()


def deliveries(
    principal: Principal, hook_id: str, *, cursor: str | None, limit: int
) -> DeliveryPage:
    hook = _hook(principal, hook_id)
    partition = DeliveryRecord.partition(hook.hook_id)
    start = decode_cursor(cursor, must_match={"pk": partition})
    results = DeliveryRecord.query(
        partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = [
        DeliveryView(
            id=d.delivery_id,
            event=d.event_type,
            status=d.status,
            attempts=int(d.attempts),
            last_status_code=int(d.last_status_code) if d.last_status_code is not None else None,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
        )
        for d in results
    ]
    return DeliveryPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))
