from __future__ import annotations

from chalice.app import Response

from chalicelib.api.routing import ApiBlueprint
from chalicelib.config import get_settings
from chalicelib.health.service import HealthView, check_health

health_api = ApiBlueprint(__name__)


@health_api.route(
    "/health",
    public=True,
    summary="Status of every backing component (503 names the one that is down)",
    response_model=HealthView,
    other_responses={503: HealthView},
)
def health() -> Response:
    report = check_health(get_settings())
    return Response(body=report.as_dict(), status_code=200 if report.ok else 503)
