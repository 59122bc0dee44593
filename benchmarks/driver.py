"""Notification throughput and slow-subscriber memory of the conversation driver.

The same JSONL blob of realistic codex app-server notifications (mostly
``item/agentMessage/delta``, plus item/started, item/completed, thread/tokenUsage/updated,
turn/started and turn/completed) is pushed through three drivers, in 64 KiB chunks:

* ``bare``: an ``asyncio.StreamReader`` fed the chunks, ``readline()`` + ``json.loads``;
* ``ours``: this checkout's ``CodexConversation`` over an in-memory ``ByteStream`` that plays a
  tiny app-server (it answers the handshake, then streams the blob), one subscriber counting;
* ``published``: optio-codex 0.4.8 from PyPI, installed by this script into
  ``.bench/published-venv``; its ``CodexConversation`` is attached to a handle whose ``stdout``
  is the very generator optio-host's ``LocalHost.launch_subprocess`` builds (``readline()`` over
  a 256 MiB-limit ``StreamReader``) and whose ``stdin`` is the same tiny app-server; one
  ``on_event`` handler counting.

Every measurement runs in a fresh subprocess (the published one with the published venv's
python, the same base interpreter), drivers interleaved, ``--repeat`` times; the median is
reported (the best too). The clock runs from the first notification chunk the fake server makes
available until the consumer has counted the last notification.

Memory: a subscriber that sleeps ``--slow-ms`` per event; the peak is taken once the driver has
read the whole blob (the subscriber is then far behind). Reported as the tracemalloc peak of
allocations made during the run (the primary figure) and as the RSS high-water mark minus the
RSS before the run, from a second, untraced run. The blob is read lazily from disk in memory
runs, so it is in neither figure.

Run it as ``.venv/bin/python benchmarks/driver.py`` (from any directory). The last line printed
is ``RESULT events_per_s=... vs_published=... vs_bare=... slow_subscriber_peak_mb=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import importlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Nothing from optio_codex is imported at module level: this file is also the worker that runs
# under the published venv's python, where ``optio_codex`` is the 0.4.8 release.

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / ".bench"
PUBLISHED_VERSION = "0.4.8"
PUBLISHED_VENV = BENCH_DIR / "published-venv"
BLOB_FORMAT = 2  # bump when the generator changes, so cached blobs are rebuilt
RESULT_TAG = "BENCH-JSON "
CHUNK_BYTES = 64 * 1024
DRIVERS = ("bare", "ours", "published")
# optio-host's LocalHost.launch_subprocess reads the app-server's stdout with this limit.
OPTIO_HOST_STREAM_LIMIT = 256 * 1024 * 1024


# -- the notification blob -----------------------------------------------------------------

_WORDS = (
    "the function returns a list of items in order so that each call is cheap and we keep "
    "state in one place this test checks the parser handles partial lines correctly when "
    "the buffer ends mid token I will update the module add a regression test and run the "
    "suite again because the previous change broke import ordering in two files note that "
    "résumé naïve café — “quoted” … cost ≤ 3 ms"
).split()
_PUNCT = (".", ",", ":", "`", "**", "\n\n", "\n- ", " (", ")", ";")


def _uuid7(rng: random.Random, ms: int) -> str:
    h = f"{ms:012x}{rng.getrandbits(80):020x}"
    return f"{h[:8]}-{h[8:12]}-7{h[13:16]}-{h[16:20]}-{h[20:32]}"


def _item_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}_{rng.getrandbits(192):048x}"


def _delta_text(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.12:
        return rng.choice(_PUNCT)
    words = rng.choices(_WORDS, k=1 if r < 0.8 else 2)
    return "".join(" " + w for w in words)


def _usage(rng: random.Random, total: dict[str, int]) -> dict[str, Any]:
    last: dict[str, int] = {
        "inputTokens": rng.randint(8_000, 40_000),
        "cachedInputTokens": rng.randint(4_000, 30_000),
        "outputTokens": rng.randint(50, 1_500),
        "reasoningOutputTokens": rng.randint(0, 800),
    }
    last["totalTokens"] = last["inputTokens"] + last["outputTokens"]
    for key, value in last.items():
        total[key] = total.get(key, 0) + value
    return {"total": dict(total), "last": last, "modelContextWindow": 258_400}


def generate_notifications(count: int, seed: int = 20_250_601) -> Iterator[dict[str, Any]]:
    """Turns of a long codex session, cut off after ``count`` notifications (the last turn is
    ended properly, so there may be a few more)."""
    rng = random.Random(seed)
    clock = 1_763_400_000_000
    thread_id = _uuid7(rng, clock)
    total: dict[str, int] = {}
    emitted = 0

    def note(method: str, params: dict[str, Any]) -> dict[str, Any]:
        nonlocal clock, emitted
        clock += rng.randint(0, 40)
        emitted += 1
        return {"method": method, "params": params, "emittedAtMs": clock}

    yield note(
        "thread/started",
        {
            "thread": {
                "id": thread_id,
                "preview": "",
                "modelProvider": "openai",
                "createdAt": clock // 1000,
                "updatedAt": clock // 1000,
                "path": f"/home/dev/.codex/sessions/2025/11/17/rollout-{thread_id}.jsonl",
                "cwd": "/home/dev/src/project",
                "cliVersion": "0.163.0",
                "source": "vscode",
                "gitInfo": None,
                "turns": [],
            }
        },
    )
    while emitted < count:
        turn_id = _uuid7(rng, clock)
        started_at = clock // 1000
        base = {"threadId": thread_id, "turnId": turn_id}
        yield note(
            "turn/started",
            {
                "threadId": thread_id,
                "turn": {
                    "id": turn_id,
                    "items": [],
                    "status": "inProgress",
                    "error": None,
                    "startedAt": started_at,
                    "completedAt": None,
                    "durationMs": None,
                },
            },
        )
        prompt = " ".join(rng.choices(_WORDS, k=rng.randint(8, 60)))
        user_item = {
            "type": "userMessage",
            "id": _item_id(rng, "user"),
            "content": [{"type": "text", "text": prompt, "text_elements": []}],
        }
        yield note("item/started", {**base, "item": user_item, "startedAtMs": clock})
        yield note("item/completed", {**base, "item": user_item, "completedAtMs": clock})
        for step in range(rng.randint(1, 3)):
            reasoning = {
                "type": "reasoning",
                "id": _item_id(rng, "rs"),
                "summary": [],
                "content": [],
            }
            yield note("item/started", {**base, "item": reasoning, "startedAtMs": clock})
            reasoning = {
                **reasoning,
                "summary": ["**" + " ".join(rng.choices(_WORDS, k=rng.randint(4, 30))) + "**"],
            }
            yield note("item/completed", {**base, "item": reasoning, "completedAtMs": clock})
            if step > 0 or rng.random() < 0.5:
                command: dict[str, Any] = {
                    "type": "commandExecution",
                    "id": _item_id(rng, "call"),
                    "command": "/bin/bash -lc 'rg -n \"def feed\" optio_codex | head -40'",
                    "cwd": "/home/dev/src/project",
                    "processId": None,
                    "status": "inProgress",
                    "commandActions": [
                        {"type": "search", "command": "rg -n 'def feed' optio_codex", "query": "x"}
                    ],
                    "aggregatedOutput": None,
                    "exitCode": None,
                    "durationMs": None,
                }
                yield note("item/started", {**base, "item": command, "startedAtMs": clock})
                output = "\n".join(
                    f"optio_codex/protocol/framing.py:{rng.randint(1, 400)}:"
                    + " ".join(rng.choices(_WORDS, k=rng.randint(3, 14)))
                    for _ in range(rng.randint(2, 40))
                )
                command = {
                    **command,
                    "status": "completed",
                    "aggregatedOutput": output,
                    "exitCode": 0,
                    "durationMs": rng.randint(5, 900),
                }
                yield note("item/completed", {**base, "item": command, "completedAtMs": clock})
            yield note("thread/tokenUsage/updated", {**base, "tokenUsage": _usage(rng, total)})
        for _ in range(rng.randint(1, 2)):
            message: dict[str, Any] = {
                "type": "agentMessage",
                "id": _item_id(rng, "msg"),
                "text": "",
                "phase": None,
            }
            yield note("item/started", {**base, "item": message, "startedAtMs": clock})
            parts: list[str] = []
            for _ in range(rng.randint(120, 700)):
                delta = _delta_text(rng)
                parts.append(delta)
                yield note(
                    "item/agentMessage/delta",
                    {**base, "itemId": message["id"], "delta": delta},
                )
            message = {**message, "text": "".join(parts).strip()}
            yield note("item/completed", {**base, "item": message, "completedAtMs": clock})
        yield note("thread/tokenUsage/updated", {**base, "tokenUsage": _usage(rng, total)})
        yield note(
            "turn/completed",
            {
                "threadId": thread_id,
                "turn": {
                    "id": turn_id,
                    "items": [],
                    "status": "completed",
                    "error": None,
                    "startedAt": started_at,
                    "completedAt": clock // 1000,
                    "durationMs": clock - started_at * 1000,
                },
            },
        )


def ensure_blob(count: int) -> tuple[Path, int]:
    """The JSONL file of ``count`` (or slightly more) notifications, cached under .bench/."""
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / f"notifications-v{BLOB_FORMAT}-{count}.jsonl"
    meta = path.with_suffix(".count")
    if path.exists() and meta.exists():
        return path, int(meta.read_text())
    lines = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for message in generate_notifications(count):
            # serde_json's output: compact, UTF-8 (not \u-escaped).
            out.write(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode())
            out.write(b"\n")
            lines += 1
    tmp.replace(path)
    meta.write_text(str(lines))
    return path, lines


def read_chunks(path: Path, chunk_bytes: int) -> list[bytes]:
    with path.open("rb") as f:
        return list(iter(lambda: f.read(chunk_bytes), b""))


def iter_chunks(path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """Lazily, so a memory run does not hold the blob."""
    with path.open("rb") as f:
        yield from iter(lambda: f.read(chunk_bytes), b"")


# -- a tiny app-server: answers the handshake, then streams the blob --------------------------

THREAD_ID = "019a9a4f-3a1c-7b2e-9c4d-5e6f7a8b9c0d"
_RESULTS: dict[str, Any] = {
    "initialize": {
        "userAgent": "optio_codex/0.163.0 (Ubuntu 22.04; x86_64) xterm-256color (optio_codex; 0.5)",
        "codexHome": "/home/dev/.codex",
        "platformFamily": "unix",
        "platformOs": "linux",
    },
    "account/read": {
        "account": {"type": "apiKey"},
        "requiresOpenaiAuth": True,
    },
    "model/list": {
        "data": [
            {
                "id": name,
                "model": name,
                "displayName": name,
                "description": f"{name} for agentic coding",
                "hidden": False,
                "isDefault": name == "gpt-5.5-codex",
                "supportedReasoningEfforts": [
                    {"reasoningEffort": e, "description": e} for e in ("low", "medium", "high")
                ],
                "defaultReasoningEffort": "medium",
            }
            for name in ("gpt-5.5-codex", "gpt-5.5", "gpt-5.5-mini")
        ],
        "nextCursor": None,
    },
    "thread/start": {
        "thread": {"id": THREAD_ID, "preview": "", "turns": [], "cwd": "/home/dev/src/project"},
        "model": "gpt-5.5-codex",
        "modelProvider": "openai",
        "cwd": "/home/dev/src/project",
        "approvalPolicy": "on-request",
        "sandbox": {"type": "workspaceWrite", "writableRoots": [], "networkAccess": False},
        "reasoningEffort": "medium",
    },
}


class FakeAppServer:
    """Reads the client's requests and answers the handshake; ``thread/start`` starts the
    stream. Replies and the start signal go to the callbacks the transport wraps it with."""

    def __init__(self, on_reply: Callable[[bytes], None], on_stream: Callable[[], None]) -> None:
        self._buf = b""
        self._on_reply = on_reply
        self._on_stream = on_stream
        self.stream_started_at: float | None = None

    def client_bytes(self, data: bytes) -> None:
        self._buf += data
        *lines, self._buf = self._buf.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            message = json.loads(line)
            method = message.get("method")
            if "id" not in message:
                continue  # "initialized"
            result = _RESULTS.get(method)
            reply: dict[str, Any] = {"id": message["id"]}
            if result is None:
                reply["error"] = {"code": -32601, "message": f"unsupported: {method}"}
            else:
                reply["result"] = result
            self._on_reply(json.dumps(reply, separators=(",", ":")).encode() + b"\n")
            if method == "thread/start":
                self.stream_started_at = time.perf_counter()
                self._on_stream()


class FakeByteStream:
    """A ByteStream (optio_codex.protocol.streams) over the fake app-server: one chunk per
    read(), and every read yields to the loop first, as reading a real pipe or channel does."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._out: collections.deque[bytes] = collections.deque()
        self._streaming = False
        self._wakeup: asyncio.Future[None] | None = None
        self.server = FakeAppServer(self._reply, self._start)
        self.input_done = asyncio.Event()

    def _reply(self, data: bytes) -> None:
        self._out.append(data)
        self._wake()

    def _start(self) -> None:
        self._streaming = True
        self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def read(self) -> bytes:
        while True:
            if self._out:
                return self._out.popleft()
            if self._streaming:
                await asyncio.sleep(0)
                chunk = next(self._chunks, b"")
                if not chunk:
                    self.input_done.set()
                return chunk
            self._wakeup = asyncio.get_running_loop().create_future()
            await self._wakeup

    async def write(self, data: bytes) -> None:
        self.server.client_bytes(data)

    async def close(self) -> None:
        return None

    def stderr_tail(self) -> str:
        return ""


class FakeServerHandle:
    """What CodexConversation is handed: ``.stream`` and ``async stop(grace)``."""

    def __init__(self, stream: FakeByteStream) -> None:
        self._stream = stream

    @property
    def stream(self) -> FakeByteStream:
        return self._stream

    async def stop(self, grace: float = 3.0) -> int | None:
        return 0


async def feed_reader(reader: asyncio.StreamReader, chunks: Iterator[bytes]) -> None:
    """Feed a StreamReader the way its pipe transport would: a chunk per loop iteration."""
    for chunk in chunks:
        reader.feed_data(chunk)
        await asyncio.sleep(0)
    reader.feed_eof()


# -- workers (each runs in its own subprocess) -------------------------------------------------


@dataclass
class WorkerArgs:
    driver: str
    mode: str  # "time" | "trace" | "rss"
    blob: Path
    count: int
    chunk_bytes: int
    slow_ms: float
    profile: bool


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class MemoryProbe:
    """tracemalloc peak (mode "trace") or RSS high-water delta (mode "rss")."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.rss_before = 0

    def start(self) -> None:
        if self.mode == "trace":
            tracemalloc.start()
        elif self.mode == "rss":
            # Reset the high-water mark to the current RSS (Linux >= 4.0), so a transient peak
            # from start-up does not hide the run's own.
            with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.rss_before = _rss_kib("VmRSS")

    def report(self) -> dict[str, Any]:
        if self.mode == "trace":
            current, peak = tracemalloc.get_traced_memory()
            return {"current_mb": current / 2**20, "peak_mb": peak / 2**20, "measure": "trace"}
        hwm = _rss_kib("VmHWM")
        return {"peak_mb": (hwm - self.rss_before) / 1024, "measure": "rss"}


def _chunk_source(args: WorkerArgs) -> Iterator[bytes]:
    if args.mode == "time":
        return iter(read_chunks(args.blob, args.chunk_bytes))
    return iter_chunks(args.blob, args.chunk_bytes)


def _check_origin(module_file: str, *, ours: bool) -> None:
    """Ours must be this checkout's package, the published one must not."""
    inside = os.path.realpath(module_file).startswith(f"{REPO}/optio_codex/")
    if inside != ours:
        raise SystemExit(f"wrong optio_codex imported: {module_file}")


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.write(RESULT_TAG + json.dumps(result) + "\n")
    sys.stdout.flush()


async def run_bare(args: WorkerArgs) -> dict[str, Any]:
    chunks = _chunk_source(args)
    reader = asyncio.StreamReader(limit=OPTIO_HOST_STREAM_LIMIT)
    count = 0
    start = time.perf_counter()
    feeder = asyncio.create_task(feed_reader(reader, chunks))
    loads = json.loads
    while line := await reader.readline():
        loads(line)
        count += 1
    elapsed = time.perf_counter() - start
    await feeder
    return {"events": count, "elapsed": elapsed}


async def run_ours(args: WorkerArgs) -> dict[str, Any]:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import optio_codex
    from optio_codex.driver.conversation import CodexConversation, ConversationOptions

    _check_origin(optio_codex.__file__, ours=True)
    stream = FakeByteStream(_chunk_source(args))
    probe = MemoryProbe(args.mode)
    probe.start()
    conversation = await CodexConversation.start(
        FakeServerHandle(stream), ConversationOptions(cwd="/home/dev/src/project")
    )
    sub = conversation.subscribe()
    done = asyncio.get_running_loop().create_future()
    target = args.count
    slow = args.slow_ms / 1000

    async def consume() -> None:
        count = 0
        async for _event in sub:
            count += 1
            if count == target:
                done.set_result((time.perf_counter(), count))
                return
            if slow:
                await asyncio.sleep(slow)
        if not done.done():
            done.set_result((time.perf_counter(), count))

    consumer = asyncio.create_task(consume())
    if args.mode != "time":
        await stream.input_done.wait()
        await asyncio.sleep(0)
        memory = probe.report()
        return {
            **memory,
            "dropped": sub.dropped,
            "queued": len(sub),
            "queue_max": sub.maxsize,
            "received": conversation.stats.notifications_received,
        }
    finished, count = await done
    assert stream.server.stream_started_at is not None
    elapsed = finished - stream.server.stream_started_at
    await consumer
    dropped = sub.dropped
    await conversation.close()
    return {"events": count, "elapsed": elapsed, "dropped": dropped}


async def run_published(args: WorkerArgs) -> dict[str, Any]:
    from importlib.metadata import version

    # The published 0.4.8 layout, not ours.
    module: Any = importlib.import_module("optio_codex.conversation")
    installed = version("optio-codex")
    assert installed == PUBLISHED_VERSION, installed
    _check_origin(module.__file__, ours=False)

    chunks = _chunk_source(args)
    reader = asyncio.StreamReader(limit=OPTIO_HOST_STREAM_LIMIT)
    input_done = asyncio.Event()
    feeders: list[asyncio.Task[None]] = []

    def start_stream() -> None:
        feeders.append(asyncio.get_running_loop().create_task(feed_reader(reader, chunks)))

    server = FakeAppServer(reader.feed_data, start_stream)

    class Stdin:
        def write(self, data: bytes) -> None:
            server.client_bytes(data)

        async def drain(self) -> None:
            return None

    async def stdout() -> AsyncIterator[bytes]:
        # optio_host.host.LocalHost.launch_subprocess's _stream(), verbatim.
        while True:
            line = await reader.readline()
            if not line:
                break
            yield line
        input_done.set()

    @dataclass
    class Handle:
        pid_like: object
        stdout: AsyncIterator[bytes]
        stdin: object

    conversation = module.CodexConversation(cwd="/home/dev/src/project")
    conversation.attach(Handle(pid_like=None, stdout=stdout(), stdin=Stdin()))
    probe = MemoryProbe(args.mode)
    probe.start()
    # Every parsed object reaches on_event, the four handshake replies included.
    target = args.count + 4
    done = asyncio.get_running_loop().create_future()
    count = 0
    slow = args.slow_ms / 1000

    def on_event(_obj: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        if count == target and not done.done():
            done.set_result((time.perf_counter(), count))

    async def on_event_slow(_obj: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        await asyncio.sleep(slow)

    conversation.on_event(on_event_slow if args.mode != "time" and slow else on_event)
    reader_task = asyncio.create_task(conversation.run_reader())
    await conversation.bootstrap()
    if args.mode != "time":
        await input_done.wait()
        await asyncio.sleep(0)
        return {
            **probe.report(),
            "dropped": 0,
            "queued": conversation._event_queue.qsize(),
            "queue_max": None,
            "received": count + conversation._event_queue.qsize() - 4,
        }
    finished, counted = await done
    assert server.stream_started_at is not None
    elapsed = finished - server.stream_started_at
    await reader_task
    return {"events": counted - 4, "elapsed": elapsed}


def worker_main(args: WorkerArgs) -> None:
    runner = {"bare": run_bare, "ours": run_ours, "published": run_published}[args.driver]
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, runner(args))
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    else:
        result = asyncio.run(runner(args))
    _emit(result)
    if args.mode != "time":
        # A slow subscriber is still far behind; its backlog is of no interest.
        os._exit(0)


# -- the parent ------------------------------------------------------------------------------


def published_python() -> Path:
    """The published release's venv python, installed once and cached under .bench/."""
    python = PUBLISHED_VENV / "bin" / "python"
    marker = PUBLISHED_VENV / f".installed-optio-codex-{PUBLISHED_VERSION}"
    if python.exists() and marker.exists():
        return python
    print(f"installing optio-codex=={PUBLISHED_VERSION} into {PUBLISHED_VENV} ...", flush=True)
    BENCH_DIR.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PUBLISHED_VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"optio-codex=={PUBLISHED_VERSION}",
        ],
        check=True,
    )
    marker.write_text(PUBLISHED_VERSION)
    return python


def run_worker(python: Path, args: WorkerArgs) -> dict[str, Any]:
    command = [
        str(python),
        str(Path(__file__).resolve()),
        "--worker",
        args.driver,
        "--mode",
        args.mode,
        "--blob",
        str(args.blob),
        "--count",
        str(args.count),
        "--chunk-bytes",
        str(args.chunk_bytes),
        "--slow-ms",
        str(args.slow_ms),
    ]
    if args.profile:
        command.append("--profile")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=str(BENCH_DIR)
    )
    if args.profile:
        sys.stderr.write(done.stderr)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            result: dict[str, Any] = json.loads(line[len(RESULT_TAG) :])
            return result
    raise RuntimeError(
        f"{args.driver} worker ({args.mode}) failed with exit {done.returncode}:\n"
        f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--notifications", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per driver")
    parser.add_argument("--chunk-bytes", type=int, default=CHUNK_BYTES)
    parser.add_argument(
        "--slow-ms", type=float, default=1.0, help="slow subscriber's per-event sleep"
    )
    parser.add_argument(
        "--skip-published-memory",
        action="store_true",
        help="skip the published driver's slow-subscriber memory runs (they hold every event)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile one run of ours (cProfile)"
    )
    # Internal: run one measurement in this process.
    parser.add_argument("--worker", choices=DRIVERS, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="time", help=argparse.SUPPRESS)
    parser.add_argument("--blob", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    if opts.worker:
        worker_main(
            WorkerArgs(
                driver=opts.worker,
                mode=opts.mode,
                blob=opts.blob,
                count=opts.count,
                chunk_bytes=opts.chunk_bytes,
                slow_ms=opts.slow_ms,
                profile=opts.profile,
            )
        )
        return
    if opts.notifications < 1 or opts.repeat < 1:
        raise SystemExit("--notifications and --repeat must be positive")

    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # keep order with a profile on stderr
    began = time.perf_counter()
    pythons = {"bare": Path(sys.executable), "ours": Path(sys.executable)}
    pythons["published"] = published_python()
    blob, count = ensure_blob(opts.notifications)
    size_mb = blob.stat().st_size / 2**20
    print(
        f"blob: {count} notifications, {size_mb:.1f} MiB ({blob.stat().st_size / count:.0f} B/line)"
        f", {opts.chunk_bytes // 1024} KiB chunks; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )

    def job(driver: str, mode: str, slow_ms: float = 0.0, profile: bool = False) -> WorkerArgs:
        return WorkerArgs(driver, mode, blob, count, opts.chunk_bytes, slow_ms, profile)

    rates: dict[str, list[float]] = {d: [] for d in DRIVERS}
    for rep in range(opts.repeat):
        order = DRIVERS if rep % 2 == 0 else tuple(reversed(DRIVERS))
        line = []
        for driver in order:
            result = run_worker(pythons[driver], job(driver, "time"))
            if result["events"] != count or result.get("dropped"):
                raise SystemExit(f"{driver}: counted {result} of {count} events: not comparable")
            rate = result["events"] / result["elapsed"]
            rates[driver].append(rate)
            line.append(f"{driver} {rate:,.0f}/s")
        print(f"run {rep + 1}/{opts.repeat}: " + ", ".join(line), flush=True)

    median = {d: statistics.median(r) for d, r in rates.items()}
    best = {d: max(r) for d, r in rates.items()}
    print()
    print(f"{'driver':<10} {'median ev/s':>14} {'best ev/s':>14} {'µs/event':>9}")
    for driver in DRIVERS:
        print(
            f"{driver:<10} {median[driver]:>14,.0f} {best[driver]:>14,.0f} "
            f"{1e6 / median[driver]:>9.2f}"
        )
    vs_published = median["ours"] / median["published"]
    vs_bare = median["ours"] / median["bare"]
    print(
        f"ours/published = {vs_published:.2f}x (best/best {best['ours'] / best['published']:.2f}x)"
        f"   ours/bare = {vs_bare:.2f}x (best/best {best['ours'] / best['bare']:.2f}x)"
    )

    print()
    print(f"slow subscriber ({opts.slow_ms:g} ms per event), memory once the whole blob is read:")
    memory: dict[tuple[str, str], dict[str, Any]] = {}
    drivers = ("ours",) if opts.skip_published_memory else ("ours", "published")
    for driver in drivers:
        for mode in ("trace", "rss"):
            result = run_worker(pythons[driver], job(driver, mode, opts.slow_ms))
            memory[driver, mode] = result
        trace, rss = memory[driver, "trace"], memory[driver, "rss"]
        bound = f"queue bound {trace['queue_max']}" if trace["queue_max"] else "queue unbounded"
        print(
            f"  {driver:<10} tracemalloc peak {trace['peak_mb']:7.1f} MB, "
            f"RSS high-water delta {rss['peak_mb']:7.1f} MB; "
            f"{trace['queued']} events queued, {trace['dropped']} dropped ({bound})"
        )
    # Bounded means (nearly) flat in the length of the stream: the same run on half of it.
    half_blob, half_count = ensure_blob(max(1, opts.notifications // 2))
    half = run_worker(
        pythons["ours"],
        WorkerArgs("ours", "trace", half_blob, half_count, opts.chunk_bytes, opts.slow_ms, False),
    )
    print(f"  {'ours':<10} tracemalloc peak {half['peak_mb']:7.1f} MB with half the stream")

    if opts.profile:
        print("\ncProfile of one ours run (stderr):", flush=True)
        run_worker(pythons["ours"], job("ours", "time", profile=True))

    print(f"\ntotal wall time {time.perf_counter() - began:.0f}s")
    print(
        f"RESULT events_per_s={median['ours']:.0f} vs_published={vs_published:.2f} "
        f"vs_bare={vs_bare:.2f} slow_subscriber_peak_mb={memory['ours', 'trace']['peak_mb']:.1f}"
    )


if __name__ == "__main__":
    main()
