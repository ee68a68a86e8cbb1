"""Conventions of the public HTTP APIs: camelCase JSON models and cursor pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = ["ApiModel", "Page"]


class ApiModel(BaseModel):
    """Base of every request and response body: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
    )


ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    """One page of a list: pass ``nextCursor`` back as ``?cursor=`` to get the next one."""

    items: list[ItemT]
    next_cursor: str | None = Field(default=None)
