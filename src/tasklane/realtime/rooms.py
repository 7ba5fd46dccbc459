"""The rooms of one gateway: each opened for its project's first subscriber and closed
after its last, and the ordering, gap filling and fan-out of each.

A room hands each durable event to its subscribers strictly in ``seq`` order: an event
that arrives ahead of a missing one waits ``gap_wait`` seconds for it, then the missing
range is read from the log; a late duplicate is dropped by ``seq``. The frame goes to
every subscriber as the same bytes. Events that arrive within one turn of the loop go
out together (as one message to each client that takes batches), except those by which
someone loses access, which go out at once and on their own. An event that arrives
while more of this process's commits are on their way waits for them (``HOLD_SECONDS``
at most), so that a burst of changes reaches each subscriber as one write.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial

from tasklane.realtime import outgoing
from tasklane.realtime.broker import Broker
from tasklane.realtime.log import CommitsInFlight, Committed, LogReader
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.outgoing import Outgoing
from tasklane.realtime.room import CLOSED, OPEN, OPENING, Room
from tasklane.realtime.subscription import LIVE, Subscription

Revoke = Callable[[Subscription, str], None]

# Longest an event waits for the commits that were on their way when it arrived: under a
# steady stream of writes, events still go out at least this often.
HOLD_SECONDS = 0.01


class Rooms:
    def __init__(
        self,
        *,
        log: LogReader,
        broker: Broker,
        metrics: GatewayMetrics,
        revoke: Revoke,
        gap_wait: float = 0.05,
        wall: Callable[[], float] = time.time,
        commits: CommitsInFlight | None = None,
    ) -> None:
        self.log = log
        self.broker = broker
        self.metrics = metrics
        self.revoke = revoke  # ends a subscription whose user lost access, with a reason
        self.gap_wait = gap_wait
        self.wall = wall
        self.commits = commits  # this process's writes, when it makes any
        self.by_project: dict[str, Room] = {}

    def __len__(self) -> int:
        return len(self.by_project)

    def get(self, project_id: str) -> Room | None:
        return self.by_project.get(project_id)

    def open_rooms(self, project_ids: list[str] | None = None) -> list[Room]:
        return [
            room
            for room in self.by_project.values()
            if room.state is OPEN and (project_ids is None or room.project_id in project_ids)
        ]

    # -- opening and closing -------------------------------------------------------------

    async def open(self, project_id: str) -> Room:
        """The project's room, opened if need be: following the project on the broker
        first, then reading its head, so that an event committed after the read is
        published after the subscription and reaches the room."""
        room = self.by_project.get(project_id)
        if room is None:
            room = self.by_project[project_id] = Room(project_id)
            self.metrics.rooms.set(len(self.by_project))
            try:
                await self.broker.follow(project_id)
                head = (await self.log.heads([project_id])).get(project_id, 0)
            except BaseException:
                self.broker.unfollow(project_id)
                self._forget(room)
                room.close()
                raise
            room.open(head)
            self.settle(room)
        await room.opened.wait()
        if room.state is CLOSED:  # the join that opened it failed; try afresh
            return await self.open(project_id)
        return room

    def leave(self, sub: Subscription) -> None:
        """Take a subscription out of its room; the room closes with its last."""
        room = self.by_project.get(sub.project_id)
        if room is None or room.subscribers.get(sub.connection.id) is not sub:
            return
        del room.subscribers[sub.connection.id]
        if not room.subscribers and room.state is not OPENING:
            self._forget(room)
            self.broker.unfollow(room.project_id)
            room.close()

    def _forget(self, room: Room) -> None:
        if self.by_project.get(room.project_id) is room:
            del self.by_project[room.project_id]
            self.metrics.rooms.set(len(self.by_project))

    def restart(self, room: Room, head: int) -> None:
        """The project's log started again (the whole state was replaced): deliver from
        ``head`` on, and forget what was waiting."""
        if room.filling is not None:
            room.filling.cancel()
            room.filling = None
        if room.due is not None:
            room.due.cancel()
            room.due = None
        room.sequencer.clear(head)

    # -- ordering ------------------------------------------------------------------------

    def receive(self, event: Committed) -> None:
        """A durable event from the broker or the log, for delivery in ``seq`` order."""
        room = self.by_project.get(event.project_id)
        if room is None:
            return
        if not room.sequencer.offer(event.seq, event):
            self.metrics.duplicates.inc()
            return
        if room.state is not OPEN:
            return  # sent from the head the room opens at
        if event.revokes:  # whoever lost access loses it now
            self.settle(room)
        elif room.due is None:
            # Sent at the loop's next turn rather than now: the events that reach the
            # room before then (a burst, several messages from one read of the broker)
            # go out together, as one message to each client that takes batches and in
            # one write to every other. While this process has more commits on their
            # way, they are waited for, briefly.
            loop = asyncio.get_running_loop()
            commits = self.commits
            if commits is not None and commits.busy:
                room.due = loop.call_later(HOLD_SECONDS, self._settle_due, room)
                commits.on_idle(partial(self._release, room, room.due))
            else:
                room.due = loop.call_soon(self._settle_due, room)

    def _release(self, room: Room, held: asyncio.Handle) -> None:
        """The commits a held event waited for have landed: send at the next turn."""
        if room.due is held:
            held.cancel()
            room.due = asyncio.get_running_loop().call_soon(self._settle_due, room)

    def _settle_due(self, room: Room) -> None:
        room.due = None
        if room.state is OPEN:
            self.settle(room)

    def settle(self, room: Room) -> None:
        """Send what is next in ``seq`` order; if a gap holds the rest back, fill it from
        the log once the missing event has had its chance to arrive."""
        self._drain(room)
        if room.sequencer.waiting and room.filling is None:
            room.filling = asyncio.get_running_loop().create_task(self._fill(room))

    def _drain(self, room: Room) -> None:
        ready = room.sequencer.ready()
        if len(ready) > 1 and not any(event.revokes for event in ready):
            self._fanout_run(room, ready)
            return
        for event in ready:
            self._fanout(room, event)

    async def _fill(self, room: Room) -> None:
        """Read a gap from the log once the missing event had its chance to arrive."""
        try:
            await asyncio.sleep(self.gap_wait)
            while room.sequencer.waiting and room.state is OPEN:
                missing = room.sequencer.gap()
                if missing:
                    page = await self.log.after(room.project_id, room.head, missing)
                    self.metrics.gap_fills.inc()
                    for event in page.events:
                        room.sequencer.offer(event.seq, event)
                    if room.state is not OPEN:
                        break
                self._drain(room)
                if missing and room.sequencer.waiting and not page.events:
                    await asyncio.sleep(self.gap_wait)
        finally:
            room.filling = None

    async def catch_up(self, project_ids: list[str] | None = None) -> None:
        """Deliver whatever the log holds beyond each room's head (of all rooms, or of
        ``project_ids``): the last event of a burst may have been lost in transit with
        nothing after it to reveal the gap."""
        rooms = self.open_rooms(project_ids)
        heads = await self.log.heads([room.project_id for room in rooms])
        for room in rooms:
            target = heads.get(room.project_id, 0)
            if room.state is not OPEN or target <= room.head or room.filling is not None:
                continue
            page = await self.log.after(room.project_id, room.head, target - room.head)
            self.metrics.gap_fills.inc()
            if room.state is not OPEN:
                continue
            for event in page.events:
                room.sequencer.offer(event.seq, event)
            self.settle(room)

    # -- fan-out -------------------------------------------------------------------------

    def _fanout(self, room: Room, event: Committed) -> None:
        frame = outgoing.event(event)
        seq = event.seq
        subscribers = list(room.subscribers.values())
        revoked = event.revoked_user
        if revoked is not None:
            for sub in subscribers:
                if sub.connection.user_id == revoked:
                    self.revoke(sub, "access_revoked")
                else:
                    sub.deliver(seq, frame)
        else:  # the loop every event takes, once per subscriber: nothing in it to spare
            for sub in subscribers:
                sub.deliver(seq, frame)
        self.metrics.delivered(event.type, len(room.subscribers))
        if event.published_at:
            self.metrics.publish_to_send.observe(max(0.0, self.wall() - event.published_at))
        if event.ends:
            for sub in list(room.subscribers.values()):
                self.revoke(sub, "project_deleted")

    def _fanout_run(self, room: Room, run: list[Committed]) -> None:
        """Events in a row, none of which changes who is in the room: a client that
        takes batches gets them in as few messages as the limits allow (built once for
        all such clients), any other client one message each — written to its socket
        at once where it can be, so that the run costs one write, not one per event."""
        frames = [outgoing.event(event) for event in run]
        first, last = run[0].seq, run[-1].seq
        subscribers = list(room.subscribers.values())
        together = [
            sub
            for sub in subscribers
            if sub.connection.batching and sub.state is LIVE and sub.cursor < first
        ]
        messages = batched(frames, self.metrics, len(together)) if together else []
        for sub in together:
            sub.cursor = last
            for message in messages:
                sub.connection.send(message)
        if len(together) < len(subscribers):
            alone = set(together)
            whole = outgoing.run(frames)  # the frames in one write, where it can be
            for sub in subscribers:
                if sub in alone:
                    continue
                if sub.state is LIVE and sub.cursor < first:
                    sub.cursor = last
                    sub.connection.send_run(whole)
                else:
                    for event, frame in zip(run, frames, strict=True):
                        sub.deliver(event.seq, frame)
        now = self.wall()
        for event in run:
            self.metrics.delivered(event.type, len(subscribers))
            if event.published_at:
                self.metrics.publish_to_send.observe(max(0.0, now - event.published_at))


def batched(frames: list[Outgoing], metrics: GatewayMetrics, connections: int) -> list[Outgoing]:
    """Frames in a row as the messages for a client that takes batches, counted as sent
    to this many connections."""
    messages: list[Outgoing] = []
    for group in outgoing.groups(frames):
        if len(group) == 1:
            messages.append(group[0])
            continue
        messages.append(outgoing.batch(group))
        metrics.batches.inc(connections)
        metrics.batched_frames.inc(connections * len(group))
    return messages
