"""Host UI latency: from codex writing an event to a browser's SSE stream reading it.

One real codex app-server (local, stdio) runs turns against the scripted model, which streams
an answer as many small deltas, each a unique token (``<turn>.<index>``) paced ``--delay-ms``
apart. Three observers time every delta, all on the CLOCK_MONOTONIC clock (``time.monotonic``,
one clock for every process on the machine):

* ``model``: the scripted model server, when it has written the delta's SSE event to codex's
  socket (its ``send`` is wrapped here);
* ``driver``: a plain ``conversation.subscribe()`` subscriber in this process, when it reads the
  ``item/agentMessage/delta``. Nothing in this process sees codex's output earlier, so this
  stands for "codex wrote it";
* ``sse``: each of N real HTTP SSE clients (aiohttp, ``Authorization: Basic``, ``GET /events``
  as the dashboard's proxy calls it), when a chunk holding the delta's frame arrives.

The listener is the package's own: ``EventLog`` + ``ViewSession`` + ``build_app`` served on
loopback by aiohttp, as ``HostUi`` serves it in a task (no optio engine: nothing of it is on the
event path). The clients run in a child process (the proxy is another process in production),
so their parsing does not hold up the listener's event loop; ``--in-process`` runs them here.

Rounds with 1 and with 100 clients (``--clients``) each run ``--turns`` turns after an
unmeasured warm-up turn; each client attaches (and reads its history) before the round starts.
Reported per round, p50 and p99 over every (client, delta): ``sse`` = sse - model (what a viewer
waits for, codex included), ``driver`` = driver - model (the same path without the UI), and
``added`` = sse - driver (what the host UI adds).

Run it as ``.venv/bin/python benchmarks/ui.py`` (from any directory). The last line printed is
``RESULT sse_p99_ms_1=... sse_p99_ms_100=... added_p99_ms_100=...`` (target: added p99 under
20 ms with 100 clients).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Only the standard library and aiohttp at module level: the client worker needs no more.
import aiohttp

SCRIPT = Path(__file__).resolve()
BENCH_PARENT = Path("/var/tmp")  # outside /tmp: codex refuses helper binaries under it
READY_TAG = "CLIENTS-READY"
RESULT_TAG = "CLIENTS-JSON "
TARGET_ADDED_P99_MS = 20.0
# A delta token as it appears in compact JSON, in codex's input and in an SSE frame alike.
TOKEN = re.compile(rb'"delta":"(\d{2}\.\d{4}) "')
TOKEN_WIDTH = 8  # "tt.iiii " is one delta (the model's chunk size)


def token(turn: int, index: int) -> str:
    return f"{turn:02d}.{index:04d}"


def answer(turn: int, deltas: int) -> str:
    return "".join(f"{token(turn, i)} " for i in range(deltas))


def wanted_tokens(turns: range, deltas: int) -> frozenset[str]:
    return frozenset(token(t, i) for t in turns for i in range(deltas))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least ``q`` percent of them at or below it."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


# -- the SSE clients (a worker process, or in this one) -----------------------------------------


def basic_auth(password: str) -> str:
    return "Basic " + base64.b64encode(f"optio:{password}".encode()).decode()


async def read_stream(
    session: aiohttp.ClientSession,
    url: str,
    password: str,
    wanted: frozenset[str],
    got: dict[str, float],
    attached: asyncio.Event,
) -> None:
    """One viewer: stamps each wanted token at the arrival of the chunk that completes it."""
    headers = {"Authorization": basic_auth(password), "Accept": "text/event-stream"}
    async with session.get(f"{url}/events", headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"GET /events: {response.status}")
        tail = b""
        async for data in response.content.iter_any():
            now = time.monotonic()
            attached.set()  # the history block came first
            buf = tail + data
            for match in TOKEN.finditer(buf):
                name = match.group(1).decode()
                if name in wanted and name not in got:
                    got[name] = now
            tail = buf[-32:]  # a frame cut between two chunks is found in the next
            if len(got) >= len(wanted):
                return


@contextlib.asynccontextmanager
async def clients(
    url: str, password: str, count: int, wanted: frozenset[str], attach_within: float = 60.0
) -> AsyncIterator[Callable[[float], Awaitable[list[dict[str, float]]]]]:
    """``count`` viewers attached (history read); yields ``finish(within)`` -> their stamps."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        stamps: list[dict[str, float]] = [{} for _ in range(count)]
        attached = [asyncio.Event() for _ in range(count)]
        readers = [
            asyncio.create_task(read_stream(session, url, password, wanted, got, event))
            for got, event in zip(stamps, attached, strict=True)
        ]
        try:
            async with asyncio.timeout(attach_within):
                await asyncio.gather(*(event.wait() for event in attached))

            async def finish(within: float) -> list[dict[str, float]]:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(within):
                        await asyncio.gather(*readers)
                return stamps

            yield finish
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)


async def client_worker(url: str, count: int, wanted: frozenset[str], within: float) -> None:
    password = sys.stdin.readline().strip()  # not in argv: it is the listener's secret
    async with clients(url, password, count, wanted) as finish:
        print(READY_TAG, flush=True)
        stamps = await finish(within)
    print(RESULT_TAG + json.dumps(stamps), flush=True)


class ChildClients:
    """The clients of one round in a worker process (this script with ``--worker``)."""

    def __init__(self, url: str, password: str, count: int, turns: range, deltas: int) -> None:
        self.url, self.password, self.count = url, password, count
        self.turns, self.deltas = turns, deltas
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, within: float) -> None:
        argv = [str(SCRIPT), "--worker", self.url, "--worker-clients", str(self.count)]
        argv += ["--worker-within", str(within), "--deltas", str(self.deltas)]
        argv += ["--worker-turns", f"{self.turns.start}:{self.turns.stop}"]
        self.proc = proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{self.password}\n".encode())
        await proc.stdin.drain()
        line = await asyncio.wait_for(proc.stdout.readline(), 90)
        if line.decode().strip() != READY_TAG:
            raise RuntimeError(f"client worker did not attach: {line!r}")

    async def results(self) -> list[dict[str, float]]:
        assert self.proc is not None and self.proc.stdout is not None
        async for raw in self.proc.stdout:
            line = raw.decode()
            if line.startswith(RESULT_TAG):
                await self.proc.wait()
                stamps: list[dict[str, float]] = json.loads(line[len(RESULT_TAG) :])
                return stamps
        raise RuntimeError(f"client worker ended with {await self.proc.wait()} and no result")

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


# -- the codex side: model, app-server, conversation, listener ----------------------------------


@dataclass
class Stamps:
    """When each token was sent by the model and read by the driver subscriber."""

    model: dict[str, float] = field(default_factory=dict)
    driver: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def stamping_model_sends(stamps: Stamps) -> Iterator[None]:
    """Wrap the scripted server's socket write so each delta is stamped as it goes out."""
    from optio_codex.testing.model_server import server as server_module

    original = server_module.__dict__["send"]

    async def send(writer: asyncio.StreamWriter, data: bytes) -> None:
        await original(writer, data)
        if b"response.output_text.delta" in data:
            now = time.monotonic()
            for match in TOKEN.finditer(data):
                stamps.model.setdefault(match.group(1).decode(), now)

    # The server looks ``send`` up in its module at each write.
    setattr(server_module, "send", send)  # noqa: B010
    try:
        yield
    finally:
        setattr(server_module, "send", original)  # noqa: B010


async def driver_subscriber(conversation: Any, stamps: Stamps) -> None:
    """A plain subscriber, the baseline: the time it reads each delta."""
    async for event in conversation.subscribe(100_000):
        if event.get("method") == "item/agentMessage/delta":
            now = time.monotonic()
            delta = str(event.params.get("delta", "")).strip()
            stamps.driver.setdefault(delta, now)


@dataclass
class Listener:
    url: str
    password: str
    runner: Any
    pump: asyncio.Task[None]
    session: Any


async def start_listener(conversation: Any) -> Listener:
    """The host UI's listener on loopback, put together as HostUi does in a task."""
    from aiohttp import web

    from optio_codex.ui.auth import new_password
    from optio_codex.ui.event_log import EventLog
    from optio_codex.ui.listener import build_app
    from optio_codex.ui.session import ViewSession

    async def controls_changed(controls: list[dict[str, Any]]) -> None:
        return None

    session = ViewSession(
        conversation, EventLog(), allowed_controls=None, controls_changed=controls_changed
    )
    pump = asyncio.create_task(session.pump())
    password = new_password()
    runner = web.AppRunner(
        build_app(session, password, None), handle_signals=False, access_log=None
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    return Listener(f"http://127.0.0.1:{port}", password, runner, pump, session)


@dataclass
class Round:
    clients: int
    sse: list[float]
    added: list[float]
    driver: list[float]
    missing: int
    wall_s: float = 0.0
    cpu_s: float = 0.0  # this process (listener, driver, model server)
    worker_cpu_s: float = 0.0  # the SSE clients' worker process


async def run_turns(conversation: Any, model: Any, turns: range, opts: argparse.Namespace) -> None:
    from optio_codex.testing.model_server import slow

    for turn in turns:
        model.script(slow(answer(turn, opts.deltas), opts.delay_ms / 1000, chunk_size=TOKEN_WIDTH))
        result = await conversation.run_turn(f"turn {turn}", timeout=120)
        if result.final_text.strip() != answer(turn, opts.deltas).strip():
            raise SystemExit(f"turn {turn}: the answer arrived incomplete")


# Long: one round is one sequence (attach, turns, collect, compare); split, it reads worse.
async def measure_round(
    conversation: Any,
    model: Any,
    listener: Listener,
    stamps: Stamps,
    count: int,
    turns: range,
    opts: argparse.Namespace,
) -> Round:
    wanted = wanted_tokens(turns, opts.deltas)
    within = 60.0 + len(turns) * opts.deltas * opts.delay_ms / 1000 * 4
    per_client: list[dict[str, float]]
    wall, cpu, worker = time.monotonic(), time.process_time(), _children_cpu()
    if opts.in_process:
        async with clients(listener.url, listener.password, count, wanted) as finish:
            await run_turns(conversation, model, turns, opts)
            per_client = await finish(within)
    else:
        child = ChildClients(listener.url, listener.password, count, turns, opts.deltas)
        try:
            await child.start(within)
            await run_turns(conversation, model, turns, opts)
            per_client = await child.results()
        finally:
            await child.close()
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    worker = _children_cpu() - worker
    sse: list[float] = []
    added: list[float] = []
    missing = 0
    for got in per_client:
        for name in wanted:
            at, sent, read = got.get(name), stamps.model.get(name), stamps.driver.get(name)
            if at is None or sent is None or read is None:
                missing += 1
                continue
            sse.append((at - sent) * 1000)
            added.append((at - read) * 1000)
    driver = [
        (stamps.driver[n] - stamps.model[n]) * 1000
        for n in wanted
        if n in stamps.driver and n in stamps.model
    ]
    return Round(count, sse, added, driver, missing, wall, cpu, worker)


def _children_cpu() -> float:
    """CPU seconds of reaped children (the round's worker, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(rounds: list[Round]) -> None:
    print()
    head = ("clients", "samples", "missing", "p50 ms", "p99 ms", "max ms")
    print("{:>7} {:>8} {:>7}   {:>8} {:>8} {:>8}".format(*head))
    for r in rounds:
        for name, values in (("driver", r.driver), ("sse", r.sse), ("added", r.added)):
            print(
                f"{r.clients:>7} {len(values):>8} {r.missing:>7}   "
                f"{percentile(values, 50):>8.2f} {percentile(values, 99):>8.2f} "
                f"{max(values, default=float('nan')):>8.2f}  {name}"
            )
    print()
    for r in rounds:
        print(
            f"{r.clients:>3} client(s): {r.wall_s:.1f} s wall; CPU {r.cpu_s:.1f} s in the "
            f"listener's process, {r.worker_cpu_s:.1f} s in the clients' worker"
        )


@contextlib.asynccontextmanager
async def codex_world(root: Path) -> AsyncIterator[tuple[Any, Any, Stamps]]:
    """The scripted model, a local app-server on it, a conversation, and the stamps."""
    from optio_codex.binary import pinned_codex
    from optio_codex.driver.conversation import CodexConversation, ConversationOptions
    from optio_codex.hosts.launch import app_server_argv, app_server_env
    from optio_codex.testing.codex_home import write_test_codex_home
    from optio_codex.testing.model_server import ScriptedModelServer
    from optio_codex.transport.local import spawn_local_app_server

    home, workspace, scratch = root / "home", root / "workspace", root / "tmp"
    for d in (home, workspace, scratch):
        d.mkdir()
    stamps = Stamps()
    with stamping_model_sends(stamps):
        async with ScriptedModelServer() as model:
            write_test_codex_home(home / ".codex", model.base_url)
            server = await spawn_local_app_server(
                app_server_argv(str(pinned_codex().path)),
                env=app_server_env(
                    home=str(home), codex_home=str(home / ".codex"), tmpdir=str(scratch)
                ),
                cwd=workspace,
            )
            conversation = await CodexConversation.start(
                server, ConversationOptions(cwd=str(workspace))
            )
            try:
                yield conversation, model, stamps
            finally:
                await conversation.close()


async def bench(opts: argparse.Namespace) -> list[Round]:
    root = Path(tempfile.mkdtemp(prefix="optio-codex-bench-ui-", dir=BENCH_PARENT))
    try:
        async with codex_world(root) as (conversation, model, stamps):
            subscriber = asyncio.create_task(driver_subscriber(conversation, stamps))
            listener = await start_listener(conversation)
            try:
                await run_turns(conversation, model, range(0, 1), opts)  # warm-up, unmeasured
                rounds = []
                first = 1
                for count in opts.clients:
                    turns = range(first, first + opts.turns)
                    first += opts.turns
                    rounds.append(
                        await profiled_round(
                            conversation, model, listener, stamps, count, turns, opts
                        )
                    )
                    r = rounds[-1]
                    print(
                        f"{count} client(s): {len(turns)} turns x {opts.deltas} deltas, "
                        f"added p99 {percentile(r.added, 99):.2f} ms",
                        flush=True,
                    )
                return rounds
            finally:
                listener.session.log.close()
                await listener.runner.cleanup()
                listener.pump.cancel()
                subscriber.cancel()
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def profiled_round(
    conversation: Any,
    model: Any,
    listener: Listener,
    stamps: Stamps,
    count: int,
    turns: range,
    opts: argparse.Namespace,
) -> Round:
    if not (opts.profile and count == max(opts.clients)):
        return await measure_round(conversation, model, listener, stamps, count, turns, opts)
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        return await measure_round(conversation, model, listener, stamps, count, turns, opts)
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(30)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", default="1,100", help="SSE clients per round, e.g. 1,100")
    parser.add_argument("--turns", type=int, default=3, help="measured turns per round")
    parser.add_argument("--deltas", type=int, default=400, help="deltas per turn")
    parser.add_argument("--delay-ms", type=float, default=5.0, help="model pause before a delta")
    parser.add_argument(
        "--in-process", action="store_true", help="run the SSE clients in this process"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the largest round (to stderr)"
    )
    # Internal: the client worker.
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-clients", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-within", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--worker-turns", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    opts.clients = [int(c) for c in str(opts.clients).split(",") if c.strip()]
    if opts.turns < 1 or opts.deltas < 1 or opts.deltas > 9999 or not opts.clients:
        parser.error("--turns, --deltas (up to 9999) and --clients must be positive")
    if len(opts.clients) * opts.turns >= 99:
        parser.error("at most 98 measured turns (two-digit turn numbers)")
    return opts


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    if opts.worker:
        first, stop = (int(n) for n in opts.worker_turns.split(":"))
        wanted = wanted_tokens(range(first, stop), opts.deltas)
        asyncio.run(client_worker(opts.worker, opts.worker_clients, wanted, opts.worker_within))
        return
    began = time.perf_counter()
    where = "in this process" if opts.in_process else "in a worker process"
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
        f"{opts.deltas} deltas per turn, {opts.delay_ms:g} ms apart; SSE clients {where}",
        flush=True,
    )
    rounds = asyncio.run(bench(opts))
    report(rounds)
    by_count = {r.clients: r for r in rounds}
    one, many = by_count.get(1), by_count.get(max(by_count))
    added = percentile(many.added, 99) if many else float("nan")
    verdict = "met" if added < TARGET_ADDED_P99_MS else "MISSED"
    print(f"\ntarget added p99 < {TARGET_ADDED_P99_MS:g} ms, {max(by_count)} clients: {verdict}")
    print(f"total wall time {time.perf_counter() - began:.0f}s")
    sse_1 = percentile(one.sse, 99) if one else float("nan")
    sse_many = percentile(many.sse, 99) if many else float("nan")
    print(
        f"RESULT sse_p99_ms_1={sse_1:.2f} sse_p99_ms_{max(by_count)}={sse_many:.2f} "
        f"added_p99_ms_{max(by_count)}={added:.2f}"
    )


if __name__ == "__main__":
    main()
