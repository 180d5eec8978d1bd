from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint
from chalicelib.framework import service
from chalicelib.framework.schemas import FrameworkView, PutFrameworkRequest

framework_api = ApiBlueprint(__name__)


@framework_api.route(
    "/framework", summary="Your district's framework", response_model=FrameworkView
)
def get_framework() -> Response:
    record = service.load(current_principal().district)
    return Response(body=service.view(record).model_dump(mode="json"))


@framework_api.route(
    "/framework",
    methods=["PUT"],
    summary="Replace the framework (admin); elements in use can be retired, not deleted",
    request_model=PutFrameworkRequest,
    response_model=FrameworkView,
)
def put_framework() -> Response:
    request = parse_body(framework_api.current_request, PutFrameworkRequest)
    record = service.replace(current_principal(), request)
    return Response(body=service.view(record).model_dump(mode="json"))
