"""ClassReel: wiring only. Routes live in blueprints; event handlers delegate."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, SQSEvent

from chalicelib.api.middleware import http_middleware
from chalicelib.auth.routes import auth_api
from chalicelib.config import get_settings
from chalicelib.health.routes import health_api
from chalicelib.ingest.handler import handle_ingest_batch

settings = get_settings()

app = Chalice(app_name="classreel")
app.register_middleware(http_middleware, "http")
app.register_blueprint(health_api)
app.register_blueprint(auth_api)


@app.on_sqs_message(queue=settings.ingest_queue_name, batch_size=settings.ingest_batch_size)
def ingest(event: SQSEvent) -> dict[str, Any]:
    return handle_ingest_batch(event.to_dict(), event.context)
