"""ClassReel: wiring only. Routes live in blueprints; event handlers delegate."""

from __future__ import annotations

import functools
from typing import Any

from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Cron, Rate, SQSEvent

from chalicelib.api.docs_routes import docs_api
from chalicelib.api.links import install_view_recorder
from chalicelib.api.middleware import http_middleware, install_people_resolver
from chalicelib.audit.routes import audit_api
from chalicelib.audit.views import record_views
from chalicelib.clips.handler import handle_clip_batch
from chalicelib.clips.routes import clips_api
from chalicelib.collections.routes import collections_api
from chalicelib.config import get_settings
from chalicelib.consent.routes import consent_api
from chalicelib.cycles.routes import cycles_api
from chalicelib.directory import membership
from chalicelib.directory.handler import handle_accounts_batch
from chalicelib.directory.routes import directory_api
from chalicelib.evaluations.routes import evaluations_api
from chalicelib.events import relay
from chalicelib.feedback.routes import feedback_api
from chalicelib.framework.routes import framework_api
from chalicelib.health.routes import health_api
from chalicelib.ingest.dead_letters import reconcile
from chalicelib.ingest.handler import handle_ingest_batch, handle_segment_batch
from chalicelib.jobs.queues import work_queues
from chalicelib.library.routes import library_api
from chalicelib.notifications import mailing
from chalicelib.notifications.handler import handle_email_batch, handle_feedback_batch
from chalicelib.notifications.routes import notifications_api
from chalicelib.observability import logger, tracer
from chalicelib.orchestration.routes import workflows_api
from chalicelib.orchestration.subscribers import SUBSCRIBERS
from chalicelib.playback.routes import playback_api
from chalicelib.privacy import retention
from chalicelib.privacy.export_handler import handle_export_batch
from chalicelib.privacy.routes import privacy_api
from chalicelib.redaction.routes import redaction_api
from chalicelib.review.routes import review_api
from chalicelib.videos.routes import videos_api
from chalicelib.webhooks.handler import handle_webhook_batch
from chalicelib.webhooks.routes import webhooks_api

settings = get_settings()
# Each @app.on_sqs_message below consumes one queue of the registry; a test
# checks that the two agree.
queues = work_queues(settings)
# Every function of this app relays the events it stores, to these.
relay.install(SUBSCRIBERS)
# Every response that shows someone else's media writes the views (chalicelib/api/links.py).
install_view_recorder(record_views)
# Who is who (roles, schools, groups) comes from the directory, once per request.
install_people_resolver(membership.resolve)

app = Chalice(app_name="classreel")
# Lambda context and cold start in every log line, and an X-Ray trace per
# invocation (the SQS workers get both from the job kit's consumer).
# Responses stay out of traces: they carry people's data.
traced = functools.partial(tracer.capture_lambda_handler, capture_response=False)
for event_type in ("http", "scheduled", "pure_lambda"):
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context), event_type)
    app.register_middleware(ConvertToMiddleware(traced), event_type)
app.register_middleware(http_middleware, "http")
app.register_blueprint(health_api)
app.register_blueprint(directory_api)
app.register_blueprint(videos_api)
app.register_blueprint(workflows_api)
app.register_blueprint(playback_api)
app.register_blueprint(framework_api)
app.register_blueprint(feedback_api)
app.register_blueprint(evaluations_api)
app.register_blueprint(clips_api)
app.register_blueprint(redaction_api)
app.register_blueprint(review_api)
app.register_blueprint(consent_api)
app.register_blueprint(library_api)
app.register_blueprint(collections_api)
app.register_blueprint(webhooks_api)
app.register_blueprint(notifications_api)
app.register_blueprint(cycles_api)
app.register_blueprint(audit_api)
app.register_blueprint(privacy_api)
app.register_blueprint(docs_api)


@app.on_sqs_message(queue=queues["ingest"].name(settings), batch_size=queues["ingest"].batch_size)
def ingest(event: SQSEvent) -> dict[str, Any]:
    return handle_ingest_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=queues["segment"].name(settings), batch_size=queues["segment"].batch_size)
def encode_segments(event: SQSEvent) -> dict[str, Any]:
    return handle_segment_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=queues["clip"].name(settings), batch_size=queues["clip"].batch_size)
def cut_clips(event: SQSEvent) -> dict[str, Any]:
    return handle_clip_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=queues["export"].name(settings), batch_size=queues["export"].batch_size)
def build_exports(event: SQSEvent) -> dict[str, Any]:
    return handle_export_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=queues["webhook"].name(settings), batch_size=queues["webhook"].batch_size)
def deliver_webhooks(event: SQSEvent) -> dict[str, Any]:
    return handle_webhook_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue=queues["email"].name(settings), batch_size=queues["email"].batch_size)
def send_emails(event: SQSEvent) -> dict[str, Any]:
    return handle_email_batch(event.to_dict(), event.context)


@app.on_sqs_message(
    queue=queues["feedback"].name(settings), batch_size=queues["feedback"].batch_size
)
def record_email_feedback(event: SQSEvent) -> dict[str, Any]:
    """SES's bounces and complaints (through SNS): those addresses are not mailed again."""
    return handle_feedback_batch(event.to_dict(), event.context)


@app.on_sqs_message(
    queue=queues["accounts"].name(settings), batch_size=queues["accounts"].batch_size
)
def sync_sign_in_accounts(event: SQSEvent) -> dict[str, Any]:
    """In AWS: the Cognito users of people a directory change or roster import touched."""
    return handle_accounts_batch(event.to_dict(), event.context)


@app.schedule(Cron(0, 6, "*", "*", "?", "*"))
def send_digests(event: CloudWatchEvent) -> dict[str, int]:
    """Every morning: the daily digest of everyone who chose one (once a day at most)."""
    return {"queued": mailing.queue_digests(settings)}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def reconcile_dead_letters(event: CloudWatchEvent) -> dict[str, int]:
    return {"failed": reconcile(settings)}


@app.schedule(Rate(1, unit=Rate.DAYS))
def apply_retention(event: CloudWatchEvent) -> dict[str, int]:
    return {"applied": retention.apply_all(settings)}


@app.lambda_function(name="relay_events")
def relay_events(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Triggered by the table's stream in AWS (the CDK stack wires it): new outbox items."""
    return relay.relay_stream(event)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def relay_outbox(event: CloudWatchEvent) -> dict[str, int]:
    """The backstop: events no other relay finished (locally, the runner's short timer)."""
    return relay.sweep()
