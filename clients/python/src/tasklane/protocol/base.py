"""What every wire model shares: camelCase names, UTC millisecond timestamps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel

from tasklane.protocol.timestamps import iso_millis

Timestamp = Annotated[datetime, PlainSerializer(iso_millis, return_type=str, when_used="json")]


class PublicModel(BaseModel):
    """A model the server sends: camelCase on the wire, built from ORM rows."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="forbid"
    )


def contains_nul(value: Any) -> bool:
    """Whether a NUL character hides anywhere in a JSON value: no database stores it the
    same way (PostgreSQL refuses it), so Tasklane refuses it at the door."""
    # A walk with a stack of its own, not recursion: a body nested a few hundred deep is
    # small enough to be read, and would exhaust Python's stack (a 500, not a 422).
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class InputModel(BaseModel):
    """A model the server accepts: camelCase (or snake_case) names, nothing unknown,
    no NUL characters."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise ValueError("text may not contain NUL characters")
        return data


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


def _calendar_day(value: Any) -> Any:
    """A date is written "YYYY-MM-DD", not as a number of seconds since 1970."""
    if not isinstance(value, str | date):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_calendar_day)]
# The largest seq the database can store (a 32-bit integer).
MAX_SEQ = 2**31 - 1
