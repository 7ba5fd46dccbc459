"""What every wire model shares: camelCase names, UTC millisecond timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PlainSerializer, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from tasklane.clock import iso_millis

Timestamp = Annotated[datetime, PlainSerializer(iso_millis, return_type=str, when_used="json")]


class PublicModel(BaseModel):
    """A model the server sends: camelCase on the wire, built from ORM rows."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="forbid"
    )


class InputModel(BaseModel):
    """A model the server accepts: camelCase (or snake_case) names, nothing unknown."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


class PatchModel(InputModel):
    """A partial update: fields left out stay as they are. ``null`` is accepted only for
    the fields named in ``nullable`` (it clears them); for any other it is an error."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> Self:
        for field in sorted(self.model_fields_set - self.nullable):
            if getattr(self, field) is None:
                raise ValueError(f"{to_camel(field)} cannot be null")
        return self


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongName = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Notes = Annotated[str, StringConstraints(max_length=20_000)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=40)]
