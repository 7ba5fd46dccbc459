"""One system with N subscribers: connect them, read idle memory, run the phases (paced,
burst, and for Tasklane a burst with ``?batch=1`` subscribers), and optionally profile
the server with py-spy during one more, unmeasured burst on the same connections."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import Budget, tasklane_file
from bench.fanout_clients import LoadClients
from bench.fanout_procs import Pinning, cpu_seconds, machine_busy_seconds
from bench.fanout_report import BATCHED, BURST, PACED, CaseResult, PhaseResult, Profile
from bench.fanout_systems import REQUEST_SECONDS, Resources, Running, Trigger, started

PER_CLIENT_PROCESS = 5_000  # subscribers per Node process
MIN_CHANGES = 10  # the fewest changes a phase makes, whatever N
SETTLE_SECONDS = 2.0  # after the last join, before idle memory is read
GRACE_SECONDS = 0.5  # after the last expected receipt, for late duplicates
STALL_SECONDS = 15.0  # a phase with no new delivery for this long has lost the rest
BURST_SECONDS = 300.0  # the longest a burst's changes may take to be made
PROFILE_RATE = 200  # py-spy samples per second
PROFILE_TOP = 15
PROFILE_LONGEST = 60.0
PROFILE_CHANGES = 50  # in the profiled burst, whatever the cap: enough samples


@dataclass(frozen=True)
class Options:
    """What each phase does at each N."""

    sizes: list[int]
    paced_load: float  # deliveries/s the paced phase offers: changes/s = paced_load / N
    paced_rate: float | None  # or a fixed number of changes/s, whatever N
    paced_seconds: float
    burst: int  # changes in a burst...
    burst_cap: int  # ...but at most this many deliveries (changes x N)
    batch_sizes: list[int]  # the sizes at which Tasklane's burst runs with ?batch=1 too
    batch_systems: list[str]  # ...for these Tasklane systems
    client_processes: int | None
    client_library: str  # "lean" (the client's own RFC 6455 reader) or "ws"
    pinning: Pinning

    def rate(self, size: int) -> float:
        """Changes per second of the paced phase with ``size`` subscribers."""
        return self.paced_rate or self.paced_load / size

    def changes(self, name: str, size: int) -> int:
        if name == PACED:
            return max(MIN_CHANGES, round(self.rate(size) * self.paced_seconds))
        return max(MIN_CHANGES, min(self.burst, self.burst_cap // size))

    def processes(self, size: int) -> int:
        return self.client_processes or max(1, -(-size // PER_CLIENT_PROCESS))


# -- making changes ----------------------------------------------------------------------


async def timed(trigger: Trigger, took: list[float]) -> None:
    """One change; how long the trigger took (for Tasklane: the PATCH's round trip)."""
    started_at = time.perf_counter()
    await trigger.change()
    took.append((time.perf_counter() - started_at) * 1000)


async def paced(trigger: Trigger, count: int, rate: float, budget: Budget) -> list[float]:
    """``count`` changes at ``rate`` per second, each started on schedule (a slow one
    does not hold back the next); each change's duration in ms."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    took: list[float] = []
    limit = budget.timeout(count / rate + REQUEST_SECONDS, "paced changes")
    with _first_error():
        async with asyncio.timeout(limit), asyncio.TaskGroup() as group:
            for number in range(count):
                await asyncio.sleep(max(0.0, start + number / rate - loop.time()))
                group.create_task(timed(trigger, took))
    return took


async def burst(trigger: Trigger, count: int, budget: Budget) -> list[float]:
    """``count`` changes as fast as the trigger allows, ``trigger.concurrency`` at once;
    each change's duration in ms."""
    remaining = count
    took: list[float] = []

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await timed(trigger, took)

    limit = budget.timeout(BURST_SECONDS, "a burst")
    with _first_error():
        async with asyncio.timeout(limit), asyncio.TaskGroup() as group:
            for _ in range(trigger.concurrency):
                group.create_task(worker())
    return took


@contextmanager
def _first_error() -> Iterator[None]:
    """A task group's failure as its first exception, not an ``ExceptionGroup``."""
    try:
        yield
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from failed


# -- one phase ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """CPU seconds so far (or over a phase, after ``minus``): the server processes, the
    load clients, this driver, and the whole machine."""

    wall: float
    server: float
    clients: float
    driver: float
    machine: float

    @classmethod
    def now(cls, running: Running, clients: LoadClients) -> Usage:
        return cls(
            wall=time.monotonic(),
            server=sum(cpu_seconds(pid) for pid in running.pids),
            clients=sum(cpu_seconds(pid) for pid in clients.pids),
            driver=time.process_time(),
            machine=machine_busy_seconds(),
        )

    def minus(self, before: Usage) -> Usage:
        return Usage(
            self.wall - before.wall,
            self.server - before.server,
            self.clients - before.clients,
            self.driver - before.driver,
            self.machine - before.machine,
        )

    def other(self) -> float:
        """What the rest of the machine used meanwhile (PostgreSQL included)."""
        return max(0.0, self.machine - self.server - self.clients - self.driver)


async def phase(
    name: str,
    running: Running,
    clients: LoadClients,
    options: Options,
    budget: Budget,
    changes: int | None = None,
) -> PhaseResult:
    """Arm the clients with the seqs to expect, make the changes (as many as the
    options say for ``name``, or ``changes``), wait for every subscriber to have every
    one (or for deliveries to stall), and collect."""
    trigger = running.trigger
    connections = clients.size
    changes = changes or options.changes(name, connections)
    first = await trigger.head() + 1
    joined = await clients.arm(name, first, changes, budget)
    before, retried = Usage.now(running, clients), trigger.retried
    first_sent = time.time() * 1000
    if name == PACED:
        took = await paced(trigger, changes, options.rate(connections), budget)
    else:
        took = await burst(trigger, changes, budget)
    last_sent = time.time() * 1000
    complete = await clients.wait_done(budget, 60 + changes * joined * 200e-6, STALL_SECONDS)
    used = Usage.now(running, clients).minus(before)
    await asyncio.sleep(GRACE_SECONDS)
    stats = await clients.stats(budget)
    result = PhaseResult(name, changes, stats, first_sent, last_sent, used.server, complete)
    result.driver_cpu_seconds, result.change_ms = used.driver, took
    result.rate = options.rate(connections) if name == PACED else None
    result.other_cpu_percent = 100 * used.other() / used.wall if used.wall > 0 else None
    head = await trigger.head()
    if head != first + changes - 1:
        result.problems.append(f"the log's head is {head}, expected {first + changes - 1}")
    if trigger.retried > retried:
        refused = trigger.retried - retried
        result.problems.append(f"{refused} changes were refused with 503 and tried again")
    if stats.mismatches:
        result.problems.append(f"the client's fast reader misread {stats.mismatches} frames")
    return result


# -- one system and N ----------------------------------------------------------------------


async def connect_clients(
    running: Running, result: CaseResult, options: Options, budget: Budget, *, batch: bool
) -> LoadClients:
    """N subscribers of ``running``, joined; how it went is recorded in ``result``."""
    processes = options.processes(result.size)
    result.client_processes = processes
    spec = {**running.spec(batch), "library": options.client_library}
    clients = await LoadClients.start(
        spec, result.size, processes, options.pinning.client, running.folder
    )
    try:
        connected = await clients.ready(budget, 60 + result.size * 0.02)
    except BaseException:
        await clients.kill()
        raise
    if not batch:
        result.joined, result.failed = connected.joined, connected.failed
        result.failures, result.connect_seconds = connected.failures, connected.seconds
    if connected.failed:
        what = ", ".join(f"{reason} x{n}" for reason, n in connected.failures.most_common(3))
        result.notes.append(
            f"{connected.failed:,} of {result.size:,} subscribers failed to connect"
            f"{' (?batch=1)' if batch else ''}: {what}"
        )
    return clients


ProfileWanted = Callable[[CaseResult], bool]


async def measure_case(
    result: CaseResult,
    resources: Resources,
    options: Options,
    budget: Budget,
    profile_wanted: ProfileWanted,
) -> Profile | None:
    """Start the system, connect N subscribers, read idle memory, run the phases; the
    phases (and anything that went wrong) go into ``result`` as they finish. After the
    measured burst, ``profile_wanted(result)`` may ask for a py-spy profile of a
    further burst on the same connections; it is returned."""
    profile = None
    async with started(result.system, resources, budget) as running:
        result.rss_before_kib = running.rss_kib()
        clients = await connect_clients(running, result, options, budget, batch=False)
        try:
            await asyncio.sleep(SETTLE_SECONDS)
            result.rss_idle_kib = running.rss_kib()
            for name in (PACED, BURST):
                _say(result, name)
                result.phases.append(await phase(name, running, clients, options, budget))
            if running.batching and profile_wanted(result):
                _say(result, "profiled burst (not measured)")
                profile = await profile_burst(result, running, clients, options, budget)
        finally:
            await clients.close()
        if result.system in options.batch_systems and result.size in options.batch_sizes:
            _say(result, BATCHED)
            clients = await connect_clients(running, result, options, budget, batch=True)
            try:
                result.phases.append(await phase(BATCHED, running, clients, options, budget))
            finally:
                await clients.close()
    return profile


def _say(result: CaseResult, doing: str) -> None:
    print(f"  {result.system} N={result.size:,}: {doing}…", file=sys.stderr, flush=True)


# -- the profile ---------------------------------------------------------------------------


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def profile_burst(
    result: CaseResult,
    running: Running,
    clients: LoadClients,
    options: Options,
    budget: Budget,
) -> Profile:
    """py-spy on the (first) server process during one more burst of
    ``PROFILE_CHANGES`` changes (not capped: more samples), recording about as long as
    it should take at the measured burst's pace; the burst itself is not reported."""
    measured = result.phase(BURST)
    rate = measured.deliveries_per_second() if measured else None
    span = PROFILE_CHANGES * result.size / rate if rate else 20.0
    seconds = max(5.0, min(span + 2, PROFILE_LONGEST))
    profile = Profile(result.system, result.size, seconds, changes=PROFILE_CHANGES)
    spy = py_spy()
    if spy is None:
        profile.error = "py-spy is not installed"
        return profile
    output = running.folder / f"profile-{result.size}.txt"
    code, said = await record_during_burst(spy, output, profile, running, clients, options, budget)
    if code != 0 or not output.exists():
        profile.error = f"py-spy failed ({code}): {said[-400:].strip()}"
        return profile
    return read_profile(profile, output.read_text())


async def record_during_burst(
    spy: str,
    output: Path,
    profile: Profile,
    running: Running,
    clients: LoadClients,
    options: Options,
    budget: Budget,
) -> tuple[int | None, str]:
    """Start ``py-spy record`` on the server, run a burst, wait for py-spy to write;
    its exit code and what it said. Only samples holding the GIL are kept: waiting in
    the event loop's poll is not work."""
    command = [spy, "record", "--pid", str(running.pids[0]), "--duration"]
    command += [str(round(profile.seconds)), "--rate", str(PROFILE_RATE), "--gil"]
    command += ["--function", "--format", "raw", "-o", str(output)]
    recorder = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        await asyncio.sleep(1.0)  # py-spy attaches
        if recorder.returncode is None:
            await phase(BURST, running, clients, options, budget, profile.changes)
        timeout = budget.timeout(profile.seconds + 30, "py-spy")
        said, _ = await asyncio.wait_for(recorder.communicate(), timeout=timeout)
        return recorder.returncode, said.decode(errors="replace")
    finally:
        if recorder.returncode is None:
            recorder.kill()
            await recorder.wait()


LINE_NUMBER = re.compile(r":\d+\)$")


def read_profile(profile: Profile, collapsed: str) -> Profile:
    """Own (leaf) and total (anywhere on the stack) samples per function, from py-spy's
    raw output: one ``frame;frame;…;frame count`` line per distinct stack."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        profile.samples += int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + int(count)
    profile.own = sorted(own.items(), key=lambda item: -item[1])[:PROFILE_TOP]
    profile.total = _tasklanes(total)[:PROFILE_TOP]
    return profile


def _tasklanes(total: dict[str, int]) -> list[tuple[str, int]]:
    """Inclusive counts of Tasklane's own functions, without the command's (every
    sample has them): the path a change takes through Tasklane, and what it costs."""
    mine = {
        name: count
        for name, count in total.items()
        if "(tasklane/" in name and "(tasklane/cli/" not in name
    }
    return sorted(mine.items(), key=lambda item: -item[1])


def _function(frame: str) -> str:
    """``send (…/site-packages/websockets/protocol.py:123)`` → ``send (websockets/protocol.py)``."""
    frame = LINE_NUMBER.sub(")", frame.strip())
    name, _, path = frame.partition(" (")
    if not path:
        return frame
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({tasklane_file(path.removesuffix(')'))})"
