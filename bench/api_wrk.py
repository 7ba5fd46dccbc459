"""The load generator of ``bench.api``: ``wrk`` (a C program, in its own process, pinned
to a CPU of its own) with a Lua script that sends ``PATCH /api/tasks/{id}`` with a JSON
body ``{"name": …}`` and a Bearer token, rotating over the task IDs, a fresh name every
time (an unchanged name would commit nothing). The script counts the answers by HTTP
status and keeps the first non-2xx answer, and prints one ``WRK_JSON {…}`` line with
wrk's own counts and latency percentiles.

The load generator's CPU time is its rusage (``os.wait4``), so a reader can tell whether
it saturated its CPU."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = "WRK_JSON "

LUA = r"""
-- bench.api: PATCH /api/tasks/{id} with a fresh {"name": …}, rotating over the tasks.
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  tasks = {}
  for id in string.gmatch(args[2], "[^,]+") do
    table.insert(tasks, id)
  end
  sent = 0
  statuses = {}
  first_failure = ""
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[1]}
end

function request()
  sent = sent + 1
  local id = tasks[(sent + thread_id) % #tasks + 1]
  local body = '{"name":"Bench ' .. thread_id .. '-' .. sent .. '"}'
  return wrk.format("PATCH", "/api/tasks/" .. id, headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if (status < 200 or status > 299) and first_failure == "" then
    first_failure = key .. " " .. string.sub(body or "", 1, 300)
  end
end

local function quote(text)
  local escaped = string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. escaped .. '"'
end

function done(summary, latency, requests)
  local counts, failure = {}, ""
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do
      counts[key] = (counts[key] or 0) + count
    end
    if failure == "" then failure = thread:get("first_failure") end
  end
  local parts = {}
  for key, count in pairs(counts) do
    table.insert(parts, quote(key) .. ":" .. count)
  end
  local e = summary.errors
  io.write("WRK_JSON {")
  io.write('"requests":' .. summary.requests .. ',"durationUs":' .. summary.duration)
  io.write(',"errors":{"connect":' .. e.connect .. ',"read":' .. e.read .. ',"write":' .. e.write)
  io.write(',"status":' .. e.status .. ',"timeout":' .. e.timeout .. '}')
  io.write(',"latencyUs":{"p50":' .. latency:percentile(50) .. ',"p99":' .. latency:percentile(99))
  io.write(',"max":' .. latency.max .. '}')
  io.write(',"statuses":{' .. table.concat(parts, ",") .. '}')
  io.write(',"firstFailure":' .. quote(failure) .. '}\n')
end
"""


@dataclass(frozen=True)
class Load:
    """What to send: where, as whom, to which tasks, how hard, from which CPU."""

    url: str
    token: str
    task_ids: tuple[str, ...]
    connections: int
    cpu: str  # for taskset -c
    script: Path

    @staticmethod
    def write_script(folder: Path) -> Path:
        path = folder / "patch.lua"
        path.write_text(LUA)
        return path


@dataclass(frozen=True)
class WrkRun:
    """One wrk run: its counts and latencies, as wrk measured them, and its CPU."""

    requests: int
    seconds: float  # wrk's own measured duration
    p50_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]  # connect / read / write / timeout
    first_failure: str
    cpu_seconds: float  # the load generator's user + system time

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def non_2xx(self) -> dict[str, int]:
        return {code: n for code, n in self.statuses.items() if not code.startswith("2")}

    @property
    def cpu_share(self) -> float:
        """The load generator's CPU time over its run: 1.0 means its CPU was saturated."""
        return self.cpu_seconds / self.seconds if self.seconds > 0 else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None and shutil.which("taskset") is not None


def run(load: Load, seconds: float, folder: Path, timeout: float) -> WrkRun:
    """``wrk`` for ``seconds`` at ``load.connections`` connections (one thread, pinned to
    ``load.cpu``); killed if it has not finished within ``timeout``."""
    command = [
        *("taskset", "-c", load.cpu, "wrk", "-t1", f"-c{load.connections}"),
        *(f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(load.script)),
        load.url,
        "--",
        load.token,
        ",".join(load.task_ids),
    ]
    output = folder / "wrk.out"
    with output.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    cpu_seconds = _reap(process, timeout)
    text = output.read_text()
    if process.returncode != 0 or MARKER not in text:
        raise RuntimeError(f"wrk failed (exit {process.returncode}): {text[-500:]}")
    return _parse(text, cpu_seconds)


def _reap(process: subprocess.Popen[bytes], timeout: float) -> float:
    """Wait for ``process`` (SIGKILL after ``timeout``); its user + system CPU seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return float(usage.ru_utime + usage.ru_stime)
        if time.monotonic() > deadline:
            os.kill(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise TimeoutError(f"wrk did not finish within {timeout:.0f} s")
        time.sleep(0.05)


def _parse(text: str, cpu_seconds: float) -> WrkRun:
    line = next(line for line in text.splitlines() if line.startswith(MARKER))
    found: dict[str, Any] = json.loads(line[len(MARKER) :])
    latency = found["latencyUs"]
    errors = {k: int(v) for k, v in found["errors"].items() if k != "status"}
    return WrkRun(
        requests=int(found["requests"]),
        seconds=found["durationUs"] / 1e6,
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        statuses={str(k): int(v) for k, v in found["statuses"].items()},
        socket_errors=errors,
        first_failure=str(found["firstFailure"]),
        cpu_seconds=cpu_seconds,
    )
