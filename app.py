"""ClassReel: wiring only. Routes live in blueprints; event handlers delegate."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, CloudWatchEvent, Rate, SQSEvent

from chalicelib.api.middleware import http_middleware
from chalicelib.auth.routes import auth_api
from chalicelib.config import get_settings
from chalicelib.health.routes import health_api
from chalicelib.ingest.dead_letters import reconcile
from chalicelib.ingest.handler import handle_ingest_batch
from chalicelib.videos.routes import videos_api

settings = get_settings()

app = Chalice(app_name="classreel")
app.register_middleware(http_middleware, "http")
app.register_blueprint(health_api)
app.register_blueprint(auth_api)
app.register_blueprint(videos_api)


@app.on_sqs_message(queue=settings.ingest_queue_name, batch_size=settings.ingest_batch_size)
def ingest(event: SQSEvent) -> dict[str, Any]:
    return handle_ingest_batch(event.to_dict(), event.context)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def reconcile_dead_letters(event: CloudWatchEvent) -> dict[str, int]:
    return {"failed": reconcile(settings)}
