"""One root's capture: the host conversation of :mod:`host_side`, deciding what travels, and
cutting what arrives into chunks for the :class:`~optio_codex.snapshots.writer.ChunkWriter`.

A file travels when it is new, its size changed, or its mtime changed and ``sha256sum`` on the
host says its content did too. Everything else keeps the chunks of the previous manifest (the
store has left out of ``previous`` the files whose chunks it lacks: those travel again).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from optio_codex.hosts.host_scripts import CommandResult, HostOps, finish
from optio_codex.snapshots.chunks import CHUNK_SIZE
from optio_codex.snapshots.host_side import (
    CAPTURE_SCRIPT,
    TRANSFER_SCRIPT,
    HostReader,
    Listed,
    abandon,
    capture_args,
    parse_sums,
    path_list,
    read_listing,
)
from optio_codex.snapshots.model import Entry, Kind, SnapshotError, SnapshotRoot
from optio_codex.snapshots.tar_stream import PlainStream, members, read_data
from optio_codex.snapshots.writer import ChunkRef, ChunkWriter

# The round trip above which the host compresses what it sends. On a fast link gzip costs
# more time than the bytes it saves (random data runs through gzip -1 at about 50 MB/s); on a
# slow one the SSH channel's window (about 2 MB a round trip) makes the bytes the cost. It is
# measured inside the channel, on the hash request (step 2): opening an exec says little about
# the link (sshd forks and starts the login shell, ~100 ms even on loopback), and only when
# more than GZIP_MIN_BYTES are to travel, so a small capture keeps its steps pipelined.
GZIP_ABOVE_S = 0.02
GZIP_MIN_BYTES = 8 << 20
# Over a slow link, more than this much to send goes in STREAMS tar streams at once.
PARALLEL_MIN_BYTES = 32 << 20
STREAMS = 3


@dataclass
class _Arrived:
    """A file that came from the host: its size, whole-file sha256 (set after the writer has
    hashed a one-chunk file: then it is that chunk's id), and its chunks."""

    size: int
    sha256: str
    chunks: list[ChunkRef]

    def entry(self, item: Listed) -> Entry:
        ids = tuple(ref.id for ref in self.chunks)
        whole = self.sha256 or (ids[0] if ids else _EMPTY_SHA)
        return Entry(item.path, "f", item.mode, self.size, item.mtime, "", whole, ids)


_EMPTY_SHA = hashlib.sha256(b"").hexdigest()


@dataclass
class RootResult:
    """One root's capture; :meth:`entries` once the writer is closed (chunk ids are known)."""

    listing: list[Listed] = field(default_factory=list)
    keep: dict[str, Entry] = field(default_factory=dict)
    arrived: dict[str, _Arrived] = field(default_factory=dict)
    missing: bool = False
    transferred: int = 0

    @property
    def changed(self) -> int:
        return len(self.arrived)

    def entries(self) -> list[Entry]:
        out = []
        for item in self.listing:
            if item.kind in ("d", "l"):
                out.append(_entry(item))
            elif item.kind == "f" and item.path in self.keep:
                old = self.keep[item.path]
                out.append(_entry(item, old.sha256, old.chunks))
            elif item.kind == "f" and item.path in self.arrived:
                out.append(self.arrived[item.path].entry(item))
        return out


@dataclass
class _Plan:
    keep: dict[str, Entry]  # path -> entry reused (mtime refreshed)
    hash_first: list[str]
    send: list[str]


def _plan(listing: Sequence[Listed], previous: Mapping[str, Entry]) -> _Plan:
    plan = _Plan({}, [], [])
    for item in listing:
        if item.kind != "f":
            continue
        old = previous.get(item.path)
        if old is None or old.kind != "f" or old.size != item.size:
            plan.send.append(item.path)
        elif old.mtime == item.mtime:
            plan.keep[item.path] = old
        else:
            plan.hash_first.append(item.path)
    return plan


def _entry(item: Listed, sha256: str = "", chunks: tuple[str, ...] = ()) -> Entry:
    kind: Kind = "d" if item.kind == "d" else "l" if item.kind == "l" else "f"
    return Entry(item.path, kind, item.mode, item.size, item.mtime, item.link, sha256, chunks)


# Long: one conversation with the host, step by step.
async def capture_root(
    ops: HostOps,
    root: SnapshotRoot,
    exclude: Sequence[str],
    base: Callable[[], Awaitable[Mapping[str, Entry]]],
    writer: ChunkWriter,
    *,
    gzip: bool | None,
) -> RootResult:
    process = await ops.start(CAPTURE_SCRIPT, capture_args(root.host_path, exclude, root.files))
    reader = HostReader(process)
    side: list[asyncio.Task[tuple[dict[str, _Arrived], int]]] = []
    try:
        status = (await reader.until(b"\n")).decode(errors="replace")
        if status == "OPTIO-SCAN missing":
            await finish(process, 30.0)
            return RootResult(missing=True, transferred=reader.received)
        if status != "OPTIO-SCAN ok":
            raise SnapshotError(f"capture of {root.name!r}: host said {status[:200]!r}")
        listing = await read_listing(reader)
        previous = await base()
        plan = _plan(listing, previous)
        sizes = {item.path: item.size for item in listing}
        large = sum(sizes[p] for p in plan.send) > GZIP_MIN_BYTES
        if plan.hash_first or (gzip is None and large):
            asked = time.monotonic()
            await process.write(path_list(plan.hash_first))
            sums = parse_sums(await reader.until(b"\0"))
            if gzip is None:
                gzip = large and time.monotonic() - asked > GZIP_ABOVE_S
            for path in plan.hash_first:
                old = previous[path]
                if sums.get(path) == old.sha256:
                    plan.keep[path] = old
                else:
                    plan.send.append(path)
            groups = _groups(plan.send, sizes, bool(gzip))
            await process.write(path_list(groups[0], "gzip" if gzip else "none"))
        else:  # nothing to hash or measure: both requests at once, a round trip saved
            gzip = bool(gzip)
            groups = _groups(plan.send, sizes, gzip)
            await process.write(path_list([]) + path_list(groups[0], "gzip" if gzip else "none"))
            await reader.until(b"\0")
        side += [asyncio.create_task(_side_stream(ops, root, g, gzip, writer)) for g in groups[1:]]
        arrived = await _receive(PlainStream(reader, gzip), writer)
        result = await finish(process, None)
        _check(root, result)
        transferred = reader.received
        for got, received in await asyncio.gather(*side):
            arrived.update(got)
            transferred += received
    except BaseException:
        for task in side:
            task.cancel()
        await asyncio.shield(abandon(process))
        raise
    return RootResult(listing, plan.keep, arrived, False, transferred)


def _check(root: SnapshotRoot, result: CommandResult) -> None:
    if result.returncode not in (0, 1):  # 1: tar saw a file change while reading it
        raise SnapshotError(
            f"capture of {root.name!r} failed on the host: "
            f"{result.stderr.decode(errors='replace')[-500:]}"
        )


def _groups(paths: list[str], sizes: Mapping[str, int], gzip: bool) -> list[list[str]]:
    """The files to send, in one group per stream: several over a slow link when there is
    much to send (each stream has its own SSH window, and the host a gzip per stream)."""
    total = sum(sizes[p] for p in paths)
    if not gzip or total < PARALLEL_MIN_BYTES:
        return [paths]
    groups: list[list[str]] = [[] for _ in range(STREAMS)]
    loads = [0] * STREAMS
    for path in sorted(paths, key=lambda p: -sizes[p]):
        least = loads.index(min(loads))
        groups[least].append(path)
        loads[least] += sizes[path]
    return [g for g in groups if g] or [[]]


async def _side_stream(
    ops: HostOps, root: SnapshotRoot, paths: list[str], gzip: bool, writer: ChunkWriter
) -> tuple[dict[str, _Arrived], int]:
    """One more tar stream of ``paths``, on an exec of its own."""
    process = await ops.start(TRANSFER_SCRIPT, [root.host_path])
    reader = HostReader(process)
    try:
        await process.write(path_list(paths, "gzip" if gzip else "none"))
        arrived = await _receive(PlainStream(reader, gzip), writer)
        _check(root, await finish(process, None))
    except BaseException:
        await asyncio.shield(abandon(process))
        raise
    return arrived, reader.received


async def _receive(stream: PlainStream, writer: ChunkWriter) -> dict[str, _Arrived]:
    """Each regular file of the tar, cut into chunks handed to the writer. A file of several
    chunks gets its whole-file hash here; one of a single chunk shares that chunk's id."""
    arrived: dict[str, _Arrived] = {}
    async for member in members(stream):
        if not member.regular:
            continue
        whole = hashlib.sha256() if member.size > CHUNK_SIZE else None
        chunks: list[ChunkRef] = []
        pending = bytearray()
        async for data in read_data(stream, member.size, CHUNK_SIZE):
            if whole is not None:
                whole.update(data)
            pending += data
            if len(pending) >= CHUNK_SIZE:
                chunks.append(await writer.add(bytes(pending[:CHUNK_SIZE])))
                del pending[:CHUNK_SIZE]
        if pending:
            chunks.append(await writer.add(bytes(pending)))
        digest = whole.hexdigest() if whole is not None else ""
        arrived[member.path] = _Arrived(member.size, digest, chunks)
    return arrived
