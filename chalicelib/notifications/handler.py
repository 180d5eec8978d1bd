"""The email queues' batch entry points: sending emails, and SES's bounces and complaints."""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.jobs.retry import RetryLater
from chalicelib.mail.transport import MailUnavailable
from chalicelib.notifications import feedback, mailing
from chalicelib.notifications.schemas import EmailJob

# The mail system was down or busy: try again in a minute, not a whole visibility timeout.
MAIL_RETRY_S = 60


def _send(delivery: Delivery[EmailJob], settings: Settings) -> str:
    try:
        return mailing.send(delivery.message, settings)
    except MailUnavailable as exc:
        raise RetryLater(MAIL_RETRY_S) from exc


def _record(delivery: Delivery[feedback.SesEvent], settings: Settings) -> str:
    return f"suppressed {feedback.record(delivery.message)}"


def handle_email_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, queue_key="email", parse=parse_model(EmailJob), handle=_send)


def handle_feedback_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, queue_key="feedback", parse=feedback.parse, handle=_record)
