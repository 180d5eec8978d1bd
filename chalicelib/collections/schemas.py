"""Shapes of the collections API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.collections.models import MAX_ITEMS

Id = Annotated[str, Field(min_length=1, max_length=128)]


class ItemInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clip_id: Id
    note: str | None = Field(default=None, max_length=500)


class CollectionSharing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[Id] = Field(default_factory=list, max_length=100)
    groups: list[Id] = Field(default_factory=list, max_length=50)


class CreateCollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    items: list[ItemInput] = Field(default_factory=list, max_length=MAX_ITEMS)
    curator_group: Id | None = Field(
        default=None, description="A group whose members curate it too"
    )
    sharing: CollectionSharing = Field(default_factory=CollectionSharing)


class UpdateCollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(description="The version you read: a stale change is a 409")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    items: list[ItemInput] | None = Field(
        default=None, max_length=MAX_ITEMS, description="The whole list, in order"
    )
    sharing: CollectionSharing | None = None


class CollectionItemView(BaseModel):
    clip_id: str
    title: str
    duration_s: float | None
    elements: list[str]
    note: str | None
    available: bool = Field(description="False once the clip has left the library")


class SharedWithView(BaseModel):
    id: str
    kind: str
    name: str


class CollectionSummary(BaseModel):
    id: str
    title: str
    description: str | None
    owner_id: str
    owner_name: str
    clips: int
    created_at: datetime


class CollectionView(CollectionSummary):
    items: list[CollectionItemView]
    curator_group: SharedWithView | None
    shared_with: list[SharedWithView] = Field(description="Only shown to its curators")
    can_curate: bool
    version: int


class CollectionList(BaseModel):
    items: list[CollectionSummary]
