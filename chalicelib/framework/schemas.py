from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

ELEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=ELEMENT_ID_PATTERN, description="Stable slug used in tags")
    label: str = Field(min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=1000)
    colour: str | None = Field(
        default=None, pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb on timelines and tags"
    )
    teacher_actions: list[str] = Field(default_factory=list, max_length=20)
    retired: bool = Field(default=False, description="Kept for history; no longer taggable")


class FrameworkView(BaseModel):
    district: str
    name: str
    elements: list[Element]
    updated_at: datetime | None
    version: int


class PutFrameworkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    elements: list[Element] = Field(min_length=1, max_length=30)
    version: int | None = Field(
        default=None, description="The version you read; a stale one gets 409"
    )

    @field_validator("elements")
    @classmethod
    def _unique_ids(cls, elements: list[Element]) -> list[Element]:
        ids = [element.id for element in elements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"element ids must be unique; repeated: {', '.join(duplicates)}")
        return elements
