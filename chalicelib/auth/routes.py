from __future__ import annotations

from pydantic import BaseModel

from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint

auth_api = ApiBlueprint(__name__)


class MeResponse(BaseModel):
    user_id: str
    name: str | None
    roles: list[str]
    district: str
    school: str | None


@auth_api.route("/me", summary="Who the token says you are", response_model=MeResponse)
def me() -> dict[str, object]:
    principal = current_principal()
    return MeResponse(
        user_id=principal.user_id,
        name=principal.name,
        roles=sorted(role.value for role in principal.roles),
        district=principal.district,
        school=principal.school,
    ).model_dump()
