"""HTTP routes of the inbox and its preferences: the caller's own, always."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.errors import NotFound
from chalicelib.notifications import mailing, service
from chalicelib.notifications.schemas import (
    InboxQuery,
    NotificationPage,
    NotificationView,
    OneClickQuery,
    PreferencesView,
    PutPreferencesRequest,
    UnreadCount,
    Unsubscribed,
    UnsubscribeRequest,
)

notifications_api = ApiBlueprint(__name__)


@notifications_api.route(
    "/me/notifications",
    summary="Your inbox, newest first (?unread=true for the unread ones)",
    response_model=NotificationPage,
    query_model=InboxQuery,
)
def list_notifications() -> Response:
    principal = current_principal()
    query = parse_query(notifications_api.current_request, InboxQuery)
    page = service.inbox(principal, query)
    return json_response(
        NotificationPage(
            items=[service.view(r) for r in page.items],
            next_cursor=page.next_cursor,
            unread=service.unread_count(principal),
        )
    )


@notifications_api.route(
    "/me/notifications/unread",
    summary="How many notifications you have not read (the header's badge)",
    response_model=UnreadCount,
)
def unread_notifications() -> Response:
    return json_response(service.header_count(current_principal()))


@notifications_api.route(
    "/me/notifications/{notification_id}/read",
    methods=["POST"],
    summary="Mark one notification read",
    response_model=NotificationView,
)
def read_notification(notification_id: str) -> Response:
    record = service.mark_read(current_principal(), notification_id)
    return json_response(service.view(record))


@notifications_api.route(
    "/me/notifications/read-all",
    methods=["POST"],
    summary="Mark your notifications read (a hundred at a time: call again while more)",
    response_model=UnreadCount,
)
def read_all_notifications() -> Response:
    return json_response(service.mark_all_read(current_principal()))


@notifications_api.route(
    "/me/notification-preferences",
    summary="Which notifications you get, and how by email",
    response_model=PreferencesView,
)
def get_preferences() -> Response:
    return json_response(service.preferences(current_principal()))


@notifications_api.route(
    "/me/notification-preferences",
    methods=["PUT"],
    summary="Turn kinds on or off; email immediately, in a daily digest, or not at all",
    request_model=PutPreferencesRequest,
    response_model=PreferencesView,
)
def put_preferences() -> Response:
    request = parse_body(notifications_api.current_request, PutPreferencesRequest)
    return json_response(service.set_preferences(current_principal(), request))


def _unsubscribe(token: str) -> Response:
    if mailing.unsubscribe(token) is None:
        raise NotFound("This unsubscribe link is not valid", field="token")
    return json_response(Unsubscribed(email="off"))


@notifications_api.route(
    "/unsubscribe",
    methods=["POST"],
    public=True,
    summary="Stop all email to the holder of an email's unsubscribe link (no sign-in)",
    request_model=UnsubscribeRequest,
    response_model=Unsubscribed,
)
def unsubscribe() -> Response:
    request = parse_body(notifications_api.current_request, UnsubscribeRequest)
    return _unsubscribe(request.token)


@notifications_api.route(
    "/unsubscribe/one-click",
    methods=["POST"],
    public=True,
    summary="RFC 8058 one-click unsubscribe (the List-Unsubscribe header's target)",
    query_model=OneClickQuery,
    response_model=Unsubscribed,
    # Mail clients post "List-Unsubscribe=One-Click" as a form.
    content_types=["application/x-www-form-urlencoded", "application/json"],
)
def unsubscribe_one_click() -> Response:
    query = parse_query(notifications_api.current_request, OneClickQuery)
    return _unsubscribe(query.token)
