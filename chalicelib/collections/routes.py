"""HTTP routes for collections of library clips. Thin: parse, call the service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.collections import service
from chalicelib.collections.schemas import (
    CollectionList,
    CollectionView,
    CreateCollectionRequest,
    UpdateCollectionRequest,
)

collections_api = ApiBlueprint(__name__)


@collections_api.route(
    "/collections",
    summary="Collections you curate, or that are shared with you or a group you are in",
    response_model=CollectionList,
)
def list_collections() -> Response:
    return json_response(
        CollectionList(items=service.summaries(service.list_for(current_principal())))
    )


@collections_api.route(
    "/collections",
    methods=["POST"],
    summary="Make a collection of library clips (you curate it; a group may curate it too)",
    request_model=CreateCollectionRequest,
    response_model=CollectionView,
    status=201,
)
def create_collection() -> Response:
    principal = current_principal()
    request = parse_body(collections_api.current_request, CreateCollectionRequest)
    return json_response(service.view(service.create(principal, request), principal), 201)


@collections_api.route(
    "/collections/{collection_id}",
    summary="A collection with its clips in order",
    response_model=CollectionView,
)
def get_collection(collection_id: str) -> Response:
    principal = current_principal()
    return json_response(service.view(service.visible(principal, collection_id), principal))


@collections_api.route(
    "/collections/{collection_id}",
    methods=["PATCH"],
    summary="Rename, reorder, add or remove clips, share (its curators; send the version)",
    request_model=UpdateCollectionRequest,
    response_model=CollectionView,
)
def update_collection(collection_id: str) -> Response:
    principal = current_principal()
    request = parse_body(collections_api.current_request, UpdateCollectionRequest)
    return json_response(service.view(service.update(principal, collection_id, request), principal))


@collections_api.route(
    "/collections/{collection_id}",
    methods=["DELETE"],
    summary="Delete a collection (its curators); its clips stay in the library",
    status=204,
)
def delete_collection(collection_id: str) -> Response:
    service.delete(current_principal(), collection_id)
    return Response(body="", status_code=204)
