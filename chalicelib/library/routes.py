"""HTTP routes for the district library. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_query
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.library import service
from chalicelib.library.schemas import LibraryPage, LibraryQuery

library_api = ApiBlueprint(__name__)


@library_api.route(
    "/library",
    summary="Approved clips of your district: by element, school and words, with jump targets",
    response_model=LibraryPage,
    query_model=LibraryQuery,
)
def search_library() -> Response:
    query = parse_query(library_api.current_request, LibraryQuery)
    page = service.search(current_principal(), query, get_settings())
    return json_response(LibraryPage(items=page.items, next_cursor=page.next_cursor))
