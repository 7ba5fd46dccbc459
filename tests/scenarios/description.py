"""A protocol scenario as data: the JSON files in ``descriptions/``, read into typed steps.

The vocabulary is documented in ``README.md``. Every model forbids unknown fields, so a
misspelt step or field fails when the file is read, not halfway through a run."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from tasklane.client.backoff import TRANSPORTS, TransportName

DESCRIPTIONS = Path(__file__).parent / "descriptions"

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# A seq: a number, a mark ("loaded"), or a mark plus or minus a number ("loaded+3").
SEQ_REFERENCE = re.compile(r"^(?P<mark>[a-z][a-z0-9_]*)(?:(?P<sign>[+-])(?P<offset>[0-9]+))?$")
SeqReference = int | Annotated[str, StringConstraints(pattern=SEQ_REFERENCE.pattern)]
State = Literal["connecting", "live", "reconnecting", "offline"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- what people do through the API ------------------------------------------------------


class CreateProject(Model):
    do: Literal["create_project"]
    actor: Name = Field(alias="as")
    project: Name


class AddMember(Model):
    do: Literal["add_member"]
    actor: Name = Field(alias="as")
    project: Name
    person: Name
    role: Literal["owner", "editor", "commenter", "viewer"] = "editor"


class RemoveMember(Model):
    do: Literal["remove_member"]
    actor: Name = Field(alias="as")
    project: Name
    person: Name


class LoadProject(Model):
    do: Literal["load_project"]
    actor: Name = Field(alias="as")
    project: Name
    mark: Name


class CreateTask(Model):
    do: Literal["create_task"]
    actor: Name = Field(alias="as")
    project: Name
    task: Name
    count: int = Field(1, ge=1, le=50)


class UpdateTask(Model):
    do: Literal["update_task"]
    actor: Name = Field(alias="as")
    task: Name
    fields: dict[str, Any] = Field(alias="set", min_length=1)


class Comment(Model):
    do: Literal["comment"]
    actor: Name = Field(alias="as")
    task: Name
    text: str = Field(min_length=1)


class CreateToken(Model):
    do: Literal["create_token"]
    actor: Name = Field(alias="as")
    token: Name


class DeleteToken(Model):
    do: Literal["delete_token"]
    actor: Name = Field(alias="as")
    token: Name


# -- what a client does (the driver's part) ------------------------------------------------


class Open(Model):
    do: Literal["open"]
    client: Name
    actor: Name | None = Field(None, alias="as")
    token: Name | None = None

    @model_validator(mode="after")
    def _one_credential(self) -> Open:
        if (self.actor is None) == (self.token is None):
            raise ValueError("open takes exactly one of `as` (a session) or `token`")
        return self


class Join(Model):
    do: Literal["join"]
    client: Name
    project: Name
    after: SeqReference | None


class ExpectEvent(Model):
    event: str
    seq: SeqReference
    by: Name


class ExpectResync(Model):
    resync: str
    seq: SeqReference


class ExpectLeft(Model):
    left: str | dict[TransportName, str]


Expected = ExpectEvent | ExpectResync | ExpectLeft


class Expect(Model):
    do: Literal["expect"]
    client: Name
    project: Name
    received: list[Expected] = Field(min_length=1)


class ExpectStatus(Model):
    do: Literal["expect_status"]
    client: Name
    state: State
    code: int | None = None


class NoteCursor(Model):
    do: Literal["note_cursor"]
    client: Name
    project: Name
    mark: Name


class Close(Model):
    do: Literal["close"]
    client: Name


Step = Annotated[
    CreateProject
    | AddMember
    | RemoveMember
    | LoadProject
    | CreateTask
    | UpdateTask
    | Comment
    | CreateToken
    | DeleteToken
    | Open
    | Join
    | Expect
    | ExpectStatus
    | NoteCursor
    | Close,
    Field(discriminator="do"),
]


class Server(Model):
    """Settings the scenario depends on; the runner checks the server has them."""

    replay_max_events: int | None = None


class Description(Model):
    scenario: Name
    summary: str
    transports: list[TransportName] = Field(min_length=1)
    server: Server = Server()
    people: list[Name] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Description:
        if self.transports != sorted(set(self.transports), key=TRANSPORTS.index):
            raise ValueError(f"transports: some of {TRANSPORTS}, each once, in that order")
        for step in self.steps:
            actor = getattr(step, "actor", None)
            for person in (actor, getattr(step, "person", None)):
                if person is not None and person not in self.people:
                    raise ValueError(f"{step.do}: {person!r} is not one of people {self.people}")
            for item in getattr(step, "received", []):
                if isinstance(item, ExpectEvent) and item.by not in self.people:
                    raise ValueError(f"expect: {item.by!r} is not one of people {self.people}")
                if isinstance(item, ExpectLeft) and isinstance(item.left, dict):
                    missing = set(self.transports) - set(item.left)
                    if missing:
                        raise ValueError(f"left: no reason given for {sorted(missing)}")
        return self


@cache
def descriptions() -> tuple[Description, ...]:
    """Every description in ``descriptions/``, by file name."""
    found = tuple(
        Description.model_validate_json(path.read_text())
        for path in sorted(DESCRIPTIONS.glob("*.json"))
    )
    assert found, f"no scenario descriptions in {DESCRIPTIONS}"
    return found
