from __future__ import annotations

from chalice.app import Response

from chalicelib.api.middleware import optional_principal
from chalicelib.api.routing import ApiBlueprint
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.health.service import HealthView, check_health

health_api = ApiBlueprint(__name__)


@health_api.route(
    "/health",
    public=True,
    summary="ok/down of every backing component (503 names the one that is down); "
    "the reasons only for a district admin's token",
    response_model=HealthView,
    other_responses={503: HealthView},
)
def health() -> Response:
    report = check_health(get_settings())
    caller = optional_principal(health_api.current_request.headers.get("authorization"))
    detailed = caller is not None and caller.has_role(Role.ADMIN)
    return Response(body=report.as_dict(detailed=detailed), status_code=200 if report.ok else 503)
