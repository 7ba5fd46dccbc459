"""What every service shares, and the write transaction that appends events.

A mutation runs inside ``runtime.transaction()``. It changes rows and calls ``emit``
once for each change a client must hear of: almost always once; a member's removal also
announces each task it unassigns, a move to another project the task leaving one log and
arriving in another (docs/protocol.md, "The event log"). ``emit`` takes the project's
next ``seq``, adds the event row to the same transaction (a transactional outbox) and
encodes the event once, in the shape every transport sends (``Committed``). Only after
the commit succeeds are the events handed to the broker, in the order they were emitted,
so nothing is published that did not commit, and everything that committed is in the log
even if publishing fails. A request that wants to answer with the ``seq`` it produced
holds a ``Receipt`` (``receipt()``), which every commit inside it signs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tasklane.clock import Clock, SystemClock
from tasklane.db import Database
from tasklane.ids import IdGenerator
from tasklane.models import Event, Project
from tasklane.protocol.events import EventData
from tasklane.realtime.broker import Broker
from tasklane.realtime.log import CommitsInFlight, Committed
from tasklane.services import person_log
from tasklane.services.event_log import committed

log = logging.getLogger(__name__)

_projects: Table = Project.__table__  # type: ignore[assignment]
_events: Table = Event.__table__  # type: ignore[assignment]
_NEXT_SEQ = (
    update(_projects)
    .where(_projects.c.id == bindparam("project_id"))
    .values(last_seq=_projects.c.last_seq + 1)
    .returning(_projects.c.last_seq)
)
_APPEND_EVENT = insert(_events)


class Transaction:
    """One open write transaction and the events it appends, in order."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.events: list[Committed] = []
        self.copies: list[Committed] = []  # of the events, in people's own logs

    async def emit(
        self, data: EventData, *, actor_id: str | None, also: Iterable[str | None] = ()
    ) -> Committed:
        """Append ``data`` to its project's log with the next ``seq``, and to the own log
        of each person it concerns (``person_log``; ``also``: whoever a task was
        assigned to before this change, and is no longer). Returns the project's event.

        The counter update takes the project row's write lock, which PostgreSQL holds
        until commit: concurrent writers to one project therefore commit in ``seq``
        order, and a rollback returns the number, so ``seq`` has no gaps. Events emitted
        by one transaction to one project take consecutive numbers. A transaction that
        writes to two projects' logs takes both locks in one order first
        (``access.lock_projects``), so that two such transactions never wait on each
        other.
        """
        # The statements below are Core, which does not autoflush: flush what the
        # mutation added (a new project, a comment…) as the ORM would have.
        await self.session.flush()
        seq = (await self.session.execute(_NEXT_SEQ, {"project_id": data.project_id})).scalar()
        if seq is None:
            raise RuntimeError(f"no project {data.project_id} to append to")
        loaded = self.session.sync_session.identity_map.get(identity_key(Project, data.project_id))
        if loaded is not None:  # keep the session's copy in step with the counter
            set_committed_value(loaded, "last_seq", seq)
        row = {
            "project_id": data.project_id,
            "seq": seq,
            "type": data.TYPE,
            "actor_id": actor_id,
            "data": data.wire(),
            "created_at": self.clock.now(),
        }
        await self.session.execute(_APPEND_EVENT, row)
        event = committed(
            type=data.TYPE,
            project_id=data.project_id,
            seq=seq,
            actor_id=actor_id,
            data=row["data"],
            at=row["created_at"],
        )
        self.events.append(event)
        for person in await person_log.concerned(self.session, data, also):
            self.copies.append(
                await person_log.append(
                    self.session,
                    person,
                    type=data.TYPE,
                    actor_id=actor_id,
                    data=row["data"],
                    at=row["created_at"],
                )
            )
        return event


@dataclass
class Receipt:
    """The events the mutations of one request committed, in order."""

    events: list[Committed] = field(default_factory=list)

    @property
    def last(self) -> Committed | None:
        return self.events[-1] if self.events else None


_receipt: ContextVar[Receipt | None] = ContextVar("tasklane_receipt", default=None)


@contextmanager
def receipt() -> Iterator[Receipt]:
    """Collect what the transactions committed within this block (in this context, and
    in tasks and threads started from it)."""
    kept = Receipt()
    token = _receipt.set(kept)
    try:
        yield kept
    finally:
        _receipt.reset(token)


@dataclass
class Runtime:
    """The database, clock, ID source and broker, built once in ``create_app``.

    ``clock`` is the app's time, the one its data is stamped with (a gym sets it, freezes
    it and moves it at will). ``wall_clock`` is real time, for what must not follow the
    app's clock: credentials expire on it, so a frozen gym clock keeps no ticket or
    session alive and a jump of days signs nobody out.
    """

    db: Database
    clock: Clock
    ids: IdGenerator
    broker: Broker
    wall: Callable[[], float] = time.time  # for metrics only: publish-to-send latency
    wall_clock: Clock = field(default_factory=SystemClock)
    # The write transactions under way in this process, for the rooms that deliver their
    # events: a burst goes out together.
    commits: CommitsInFlight = field(default_factory=CommitsInFlight)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction; its events are published after, and only after, commit,
        in the order they were emitted. While it is under way it counts in ``commits``,
        so a room holds the first of its events until the last has landed too."""
        self.commits.begin()
        db = self.db
        try:
            async with db.write() as session:
                tx = Transaction(session, self.clock)
                yield tx
                await session.flush()
            # A gym episode's reset may have put another database in place meanwhile:
            # this change went with the state it replaced, and is nobody's news.
            if db is self.db:
                kept = _receipt.get()
                for event in tx.events:
                    if kept is not None:
                        kept.events.append(event)
                    await self.publish(event)
                for copy in tx.copies:
                    await self.publish(copy)
        finally:
            self.commits.end()

    async def publish(self, event: Committed) -> None:
        # Wall time, not the app clock: it measures delivery, which a frozen gym clock
        # must not distort.
        message = event.published(self.wall())
        try:
            await self.broker.publish(message)
        except Exception:
            # Committed is committed: the event is in the log, and gateways fill the gap.
            log.exception("publish failed for %s seq %s", event.project_id, event.seq)
