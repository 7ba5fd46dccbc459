"""Announcements that concern every process, on the broker's control channel: a token
revoked (its connections must close on every gateway), and in the gym a reset or a
change of the clock. Each is a typed notice; a malformed one fails at validation."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel


class _Notice(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class TokensRevoked(_Notice):
    """Sessions signed out, or personal tokens deleted: close their connections."""

    type: Literal["tokens_revoked"] = "tokens_revoked"
    token_ids: list[Annotated[str, Field(max_length=64)]] = Field(max_length=10_000)


class ClockSetting(_Notice):
    """The gym's clock as set in one process, for the others to follow: ``now`` from
    ``set_at`` (wall time) on, frozen or running; ``now`` null for wall time."""

    now: str | None
    frozen: bool = False
    set_at: float = 0.0


class GymReset(_Notice):
    """The whole state was replaced (a reset or a restore): live clients resync."""

    type: Literal["gym_reset"] = "gym_reset"
    clock: ClockSetting | None = None
    seed: int | None = None
    preset: str | None = None


class GymClock(_Notice):
    """The gym's clock was set."""

    type: Literal["gym_clock"] = "gym_clock"
    clock: ClockSetting


Notice = Annotated[TokensRevoked | GymReset | GymClock, Field(discriminator="type")]
notices: TypeAdapter[TokensRevoked | GymReset | GymClock] = TypeAdapter(Notice)
GYM_NOTICES = (GymReset, GymClock)


def encode_notice(notice: TokensRevoked | GymReset | GymClock) -> bytes:
    return notice.model_dump_json(by_alias=True).encode()
