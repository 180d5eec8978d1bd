"""HTTP routes for who is who in the district (today: the caller)."""

from __future__ import annotations

from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint
from chalicelib.directory.schemas import MeResponse

directory_api = ApiBlueprint(__name__)


@directory_api.route("/me", summary="Who the token says you are", response_model=MeResponse)
def me() -> dict[str, object]:
    principal = current_principal()
    return MeResponse(
        user_id=principal.user_id,
        name=principal.name,
        roles=sorted(role.value for role in principal.roles),
        district=principal.district,
        school=principal.school,
    ).model_dump()
