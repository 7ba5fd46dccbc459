"""The subscribers of the fan-out benchmark: ``bench/loadclient/client.mjs`` (Node) in one
or more processes, driven over stdin/stdout JSON lines.

Each process opens its share of the N connections (at most ``CONNECT_IN_FLIGHT`` in
flight in all, each with a timeout) and reports ``ready``. For a phase the driver
``arm``s them with the range of ``seq`` to expect; each process counts receipts per
connection and ``seq`` (so loss and duplicates are exact) and keeps a histogram of
commit-to-receive latency in 1 ms buckets; ``stats`` collects and merges them."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Budget
from bench.fanout_procs import pinned

CLIENT_DIR = Path(__file__).parent / "loadclient"
CLIENT_JS = CLIENT_DIR / "client.mjs"
CONNECT_IN_FLIGHT = 200  # connections being opened at once, over all client processes
CONNECT_TIMEOUT_MS = 30_000  # per connection: handshake and join
LINE_LIMIT = 64 * 1024 * 1024  # a stats line carries a histogram
COMMAND_SECONDS = 20.0


class ClientFailed(RuntimeError):
    """A load client process exited or did not answer."""


@dataclass
class Connected:
    """How the connection set came up."""

    joined: int
    failed: int
    failures: Counter[str]
    seconds: float


@dataclass
class PhaseStats:
    """What every load client process saw during one phase, merged."""

    connections: int = 0
    expected: int = 0
    delivered: int = 0  # first receipts of an expected (connection, seq)
    lost: int = 0  # expected (connection, seq) never received
    duplicates: int = 0  # receipts beyond the first
    unexpected: int = 0  # seqs outside the phase's range
    negative: int = 0  # receipts stamped in the future (clamped to 0 ms)
    latency: Counter[int] = field(default_factory=Counter)  # ms -> first receipts
    first_receive_ms: float | None = None
    last_receive_ms: float | None = None
    cpu_seconds: float = 0.0  # client processes, from arm to the last expected receipt
    wall_seconds: float = 0.0  # the longest of the processes' arm-to-done
    messages: int = 0  # WebSocket messages received
    batches: int = 0  # of which JSON arrays (?batch=1)
    frame_bytes: float | None = None  # mean size of a single-event message
    closed: int = 0  # connections that closed during the phase
    mismatches: int = 0  # frames the fast reader misread (checked against JSON.parse)
    verified: int = 0
    done: bool = True

    def add(self, part: dict[str, Any]) -> None:
        """Merge one process's ``stats`` answer."""
        for name in ("connections", "expected", "delivered", "lost", "duplicates"):
            setattr(self, name, getattr(self, name) + int(part[name]))
        self.unexpected += int(part["unexpected"]) + int(part["stray"])
        self.negative += int(part["negative"])
        self.latency.update({int(ms): int(count) for ms, count in part["hist"]})
        self.first_receive_ms = _extreme(min, self.first_receive_ms, part["firstReceiveMs"])
        self.last_receive_ms = _extreme(max, self.last_receive_ms, part["lastReceiveMs"])
        self.cpu_seconds += (int(part["cpuUserUs"]) + int(part["cpuSystemUs"])) / 1e6
        self.wall_seconds = max(self.wall_seconds, int(part["wallMs"]) / 1000)
        self.messages += int(part["messages"])
        self.batches += int(part["batches"])
        if part["frameBytes"] is not None:
            self.frame_bytes = float(part["frameBytes"])
        self.closed += int(part["closedDuring"])
        self.mismatches += int(part["mismatches"])
        self.verified += int(part["verified"])
        self.done = self.done and bool(part["done"])


def _extreme(pick: Any, current: float | None, new: float | None) -> float | None:
    if new is None:
        return current
    return float(new) if current is None else float(pick(current, new))


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise ClientFailed("node is not on PATH (the load client needs Node 20)")
    if not (CLIENT_DIR / "node_modules" / "ws").is_dir():
        raise ClientFailed(
            "the load client's packages are missing: "
            "npm ci --prefix bench/loadclient --no-audit --no-fund"
        )
    return found


class LoadClients:
    """One set of N subscriber connections, spread over several Node processes."""

    def __init__(
        self, processes: list[asyncio.subprocess.Process], folder: Path, size: int
    ) -> None:
        self.processes = processes
        self.size = size  # connections asked for, over all processes
        self.folder = folder
        self.events: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
        self.readers = [
            asyncio.create_task(self._read(index, process))
            for index, process in enumerate(processes)
        ]

    @classmethod
    async def start(
        cls, spec: dict[str, Any], total: int, processes: int, cpu: int | None, folder: Path
    ) -> LoadClients:
        """Start ``processes`` clients that open ``total`` connections between them."""
        executable = node()
        started = []
        for index, count in enumerate(_shares(total, processes)):
            config = {
                **spec,
                "count": count,
                "concurrency": max(1, CONNECT_IN_FLIGHT // processes),
                "timeoutMs": CONNECT_TIMEOUT_MS,
            }
            command, before = pinned([executable, str(CLIENT_JS), json.dumps(config)], cpu)
            with (folder / f"loadclient-{index}.log").open("ab") as log:
                started.append(
                    await asyncio.create_subprocess_exec(
                        *command,
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        stderr=log,
                        limit=LINE_LIMIT,
                        preexec_fn=before,
                    )
                )
        return cls(started, folder, total)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    async def _read(self, index: int, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            await self.events.put((index, json.loads(line)))
        await self.events.put((index, {"event": "exit", "code": await process.wait()}))

    def _tell(self, command: dict[str, Any]) -> None:
        line = (json.dumps(command) + "\n").encode()
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)

    async def _from_each(self, kind: str, seconds: float) -> list[dict[str, Any]]:
        """One ``kind`` event from every process, within ``seconds``."""
        found: dict[int, dict[str, Any]] = {}
        deadline = time.monotonic() + seconds
        while len(found) < len(self.processes):
            index, event = await self._next(deadline, f"{kind} from the load clients")
            if event["event"] == kind:
                found[index] = event
        return [found[index] for index in sorted(found)]

    async def _next(self, deadline: float, waiting_for: str) -> tuple[int, dict[str, Any]]:
        try:
            index, event = await asyncio.wait_for(
                self.events.get(), timeout=max(0.0, deadline - time.monotonic())
            )
        except TimeoutError:
            raise ClientFailed(f"timed out waiting for {waiting_for}") from None
        if event["event"] == "exit":
            raise ClientFailed(f"load client {index} exited ({event['code']}): {self.log_tail()}")
        return index, event

    def log_tail(self) -> str:
        texts = []
        for path in sorted(self.folder.glob("loadclient-*.log")):
            texts += path.read_text(errors="replace").splitlines()[-5:]
        return "\n".join(texts) or "(no output)"

    async def ready(self, budget: Budget, longest: float) -> Connected:
        """Wait until every connection has joined or failed."""
        seconds = budget.timeout(longest, "connecting the subscribers")
        answers = await self._from_each("ready", seconds)
        failures: Counter[str] = Counter()
        for answer in answers:
            failures.update({str(k): int(v) for k, v in answer["failures"].items()})
        return Connected(
            joined=sum(int(a["joined"]) for a in answers),
            failed=sum(int(a["failed"]) for a in answers),
            failures=failures,
            seconds=max(int(a["connectMs"]) for a in answers) / 1000,
        )

    async def arm(self, name: str, first: int, count: int, budget: Budget) -> int:
        """Expect ``seq`` first..first+count-1 on every joined connection; how many."""
        self._tell({"cmd": "arm", "name": name, "first": first, "count": count})
        answers = await self._from_each("armed", budget.timeout(COMMAND_SECONDS, "arming"))
        return sum(int(answer["connections"]) for answer in answers)

    async def wait_done(self, budget: Budget, longest: float, stall: float) -> bool:
        """Wait until every process has every expected event (True), or nothing new has
        arrived for ``stall`` seconds, or ``longest`` has passed (False)."""
        deadline = time.monotonic() + budget.timeout(longest, "waiting for deliveries")
        pending = set(range(len(self.processes)))
        moved = time.monotonic()
        while pending:
            wait = min(deadline, moved + stall)
            try:
                index, event = await self._next(wait, "deliveries")
            except ClientFailed:
                if any(process.returncode is not None for process in self.processes):
                    raise
                return False
            moved = time.monotonic()
            if event["event"] == "done":
                pending.discard(index)
        return True

    async def stats(self, budget: Budget) -> PhaseStats:
        self._tell({"cmd": "stats"})
        merged = PhaseStats()
        for answer in await self._from_each("stats", budget.timeout(COMMAND_SECONDS, "stats")):
            merged.add(answer)
        return merged

    async def close(self, seconds: float = COMMAND_SECONDS) -> None:
        """Close every connection cleanly, then the processes; kill what lingers."""
        try:
            if all(process.returncode is None for process in self.processes):
                self._tell({"cmd": "close"})
                await self._from_each("closed", seconds)
        except (ClientFailed, ConnectionError):
            pass
        finally:
            await self.kill()

    async def kill(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
        for process in self.processes:
            await process.wait()
        for reader in self.readers:
            reader.cancel()


def _shares(total: int, parts: int) -> Sequence[int]:
    """``total`` split into ``parts`` nearly equal whole numbers."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]
