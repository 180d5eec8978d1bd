"""HTTP routes for who is who in the district: the caller, schools, people, groups, and
the people picker. Thin: parse, call the service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body, parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.directory import imports, service
from chalicelib.directory.accounts import sign_in_accounts
from chalicelib.directory.schemas import (
    MAX_IMPORT_BYTES,
    AddMemberRequest,
    CreateGroupRequest,
    CreatePersonRequest,
    GroupList,
    GroupView,
    ImportReport,
    ImportRequest,
    MeResponse,
    NamesQuery,
    NamesResponse,
    PeopleQuery,
    PersonPage,
    PersonView,
    RemoveMemberQuery,
    SaveSchoolRequest,
    SchoolList,
    SchoolView,
    SearchQuery,
    SearchResponse,
    UpdateGroupRequest,
    UpdatePersonRequest,
)
from chalicelib.directory.views import (
    group_hit,
    group_summary,
    group_view,
    person_hit,
    person_view,
    school_view,
)

directory_api = ApiBlueprint(__name__)


@directory_api.route(
    "/me", summary="Who you are, as your district's directory knows you", response_model=MeResponse
)
def me() -> Response:
    principal = current_principal()
    return json_response(
        MeResponse(
            user_id=principal.user_id,
            name=principal.name,
            email=principal.email,
            roles=sorted(role.value for role in principal.roles),
            district=principal.district,
            school=principal.school,
            schools=sorted(principal.all_schools),
            groups=sorted(principal.groups),
        )
    )


# --- the people picker ----------------------------------------------------------------


@directory_api.route(
    "/directory/search",
    summary="People (name or email) and groups (name) of your district starting with q",
    query_model=SearchQuery,
    response_model=SearchResponse,
)
def search() -> Response:
    principal = current_principal()
    query = parse_query(directory_api.current_request, SearchQuery)
    people, groups = service.search(principal, query)
    schools = service.schools_of(principal.district)
    return json_response(
        SearchResponse(
            people=[person_hit(p, schools) for p in people], groups=[group_hit(g) for g in groups]
        )
    )


@directory_api.route(
    "/directory/names",
    summary="Display names of people and groups of your district, by id",
    query_model=NamesQuery,
    response_model=NamesResponse,
)
def names() -> Response:
    principal = current_principal()
    query = parse_query(directory_api.current_request, NamesQuery)
    ids = [i.strip() for i in query.ids.split(",")][:100]
    found = service.names(principal.district, ids)
    return json_response(NamesResponse(items=[found[i] for i in ids if i in found]))


# --- schools --------------------------------------------------------------------------


@directory_api.route(
    "/directory/schools", summary="The district's schools", response_model=SchoolList
)
def list_schools() -> Response:
    schools = service.schools_of(current_principal().district)
    items = sorted((school_view(s) for s in schools.values()), key=lambda s: s.name.lower())
    return json_response(SchoolList(items=items))


@directory_api.route(
    "/directory/schools/{school_id}",
    methods=["PUT"],
    summary="Add or rename a school (admin)",
    request_model=SaveSchoolRequest,
    response_model=SchoolView,
)
def save_school(school_id: str) -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, SaveSchoolRequest)
    return json_response(school_view(service.save_school(principal, school_id, request)))


# --- people ---------------------------------------------------------------------------


@directory_api.route(
    "/directory/people",
    summary="Everyone in the district, by name (admin)",
    query_model=PeopleQuery,
    response_model=PersonPage,
)
def list_people() -> Response:
    principal = current_principal()
    query = parse_query(directory_api.current_request, PeopleQuery)
    page = service.list_people(principal, query)
    schools = service.schools_of(principal.district)
    return json_response(
        PersonPage(
            items=[person_view(p, schools) for p in page.items], next_cursor=page.next_cursor
        )
    )


@directory_api.route(
    "/directory/people",
    methods=["POST"],
    summary="Add a person (admin)",
    request_model=CreatePersonRequest,
    response_model=PersonView,
    status=201,
)
def create_person() -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, CreatePersonRequest)
    person = service.create_person(principal, request, sign_in_accounts(get_settings()))
    return json_response(person_view(person), 201)


@directory_api.route(
    "/directory/people/{person_id}",
    summary="One person (admin, or yourself)",
    response_model=PersonView,
)
def get_person(person_id: str) -> Response:
    return json_response(person_view(service.get_person(current_principal(), person_id)))


@directory_api.route(
    "/directory/people/{person_id}",
    methods=["PATCH"],
    summary="Change a person: name, email, roles, schools, active (admin; send the version)",
    request_model=UpdatePersonRequest,
    response_model=PersonView,
)
def update_person(person_id: str) -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, UpdatePersonRequest)
    accounts = sign_in_accounts(get_settings())
    return json_response(
        person_view(service.update_person(principal, person_id, request, accounts))
    )


# --- groups ---------------------------------------------------------------------------


@directory_api.route(
    "/directory/groups",
    summary="Groups: all of the district's (admin), else the ones you are in or own",
    response_model=GroupList,
)
def list_groups() -> Response:
    groups = service.list_groups(current_principal())
    return json_response(GroupList(items=[group_summary(g) for g in groups]))


@directory_api.route(
    "/directory/groups",
    methods=["POST"],
    summary="Make a group: a PLC or team (staff; you own it) or a caseload (admin)",
    request_model=CreateGroupRequest,
    response_model=GroupView,
    status=201,
)
def create_group() -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, CreateGroupRequest)
    group = service.create_group(principal, request)
    detail = service.group_detail(principal.district, group.group_id)
    return json_response(group_view(detail, principal), 201)


@directory_api.route(
    "/directory/groups/{group_id}",
    summary="A group with its owners and members (its members, owners and admins)",
    response_model=GroupView,
)
def get_group(group_id: str) -> Response:
    principal = current_principal()
    return json_response(group_view(service.get_group(principal, group_id), principal))


@directory_api.route(
    "/directory/groups/{group_id}",
    methods=["PATCH"],
    summary="Rename or describe a group (its owners, admins; send the version)",
    request_model=UpdateGroupRequest,
    response_model=GroupView,
)
def update_group(group_id: str) -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, UpdateGroupRequest)
    service.update_group(principal, group_id, request)
    return json_response(group_view(service.group_detail(principal.district, group_id), principal))


@directory_api.route(
    "/directory/groups/{group_id}",
    methods=["DELETE"],
    summary="Delete a group (its owners, admins): shares with it reach nobody any more",
    status=204,
)
def delete_group(group_id: str) -> Response:
    service.delete_group(current_principal(), group_id)
    return Response(body="", status_code=204)


@directory_api.route(
    "/directory/groups/{group_id}/members",
    methods=["POST"],
    summary="Add a member (a person or a group) or an owner (its owners, admins)",
    request_model=AddMemberRequest,
    response_model=GroupView,
)
def add_member(group_id: str) -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, AddMemberRequest)
    return json_response(group_view(service.add_member(principal, group_id, request), principal))


@directory_api.route(
    "/directory/groups/{group_id}/members/{member_id}",
    methods=["DELETE"],
    summary="Remove a member or an owner (its owners, admins): they stop seeing its shares",
    query_model=RemoveMemberQuery,
    response_model=GroupView,
)
def remove_member(group_id: str, member_id: str) -> Response:
    principal = current_principal()
    query = parse_query(directory_api.current_request, RemoveMemberQuery)
    detail = service.remove_member(principal, group_id, member_id, query)
    return json_response(group_view(detail, principal))


# --- rostering ------------------------------------------------------------------------


@directory_api.route(
    "/directory/imports",
    methods=["POST"],
    summary="Import a OneRoster 1.1/1.2 CSV bundle (admin): a dry run unless apply is true",
    request_model=ImportRequest,
    response_model=ImportReport,
)
def import_roster() -> Response:
    principal = current_principal()
    request = parse_body(directory_api.current_request, ImportRequest, max_bytes=MAX_IMPORT_BYTES)
    return json_response(imports.run(principal, request, sign_in_accounts(get_settings())))
