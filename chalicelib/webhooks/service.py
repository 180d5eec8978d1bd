"""Managing a district's webhooks (admins only)."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.auth.principal import Principal, Role
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.limits.service import Quota, consume
from chalicelib.webhooks.models import DeliveryRecord, Outcome, WebhookRecord, new_hook_id
from chalicelib.webhooks.schemas import (
    CreateWebhookRequest,
    DeliveryPage,
    DeliveryView,
    RotatedSecretView,
    WebhookView,
)
from chalicelib.webhooks.signing import new_secret
from chalicelib.webhooks.targets import Resolver, UnsafeTarget, check_target, system_resolver


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
    principal: Principal,
    request: CreateWebhookRequest,
    settings: Settings,
    resolve: Resolver = system_resolver,
) -> WebhookRecord:
    _require_admin(principal)
    try:
        check_target(request.url, settings, resolve)
    except UnsafeTarget as exc:
        raise InvalidInput(str(exc), field="url") from exc
    consume(principal, Quota.WEBHOOKS, settings)
    hook_id = new_hook_id()
    hook = WebhookRecord(
        *WebhookRecord.key(principal.district, hook_id),
        hook_id=hook_id,
        district=principal.district,
        url=request.url,
        events=sorted(set(request.events)),
        secret=new_secret(),
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


def rotate_secret(principal: Principal, hook_id: str, settings: Settings) -> RotatedSecretView:
    """A new secret; the current one keeps signing (beside it) for the overlap period."""
    hook = _hook(principal, hook_id)
    secret = new_secret()
    expires_at = utcnow() + timedelta(seconds=settings.webhook_secret_overlap_s)
    try:
        hook.update(
            actions=[
                WebhookRecord.previous_secret.set(hook.secret),
                WebhookRecord.previous_secret_expires_at.set(expires_at),
                WebhookRecord.secret.set(secret),
            ],
            # Two rotations at once: one wins, the other one's secret would be lost.
            condition=WebhookRecord.secret == hook.secret,
        )
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("The secret was just rotated by someone else; rotate again") from exc
        raise
    return RotatedSecretView(id=hook.hook_id, secret=secret, previous_secret_expires_at=expires_at)


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
            last_error=Outcome.shown(d.last_error),
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
        )
        for d in results
    ]
    return DeliveryPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))
