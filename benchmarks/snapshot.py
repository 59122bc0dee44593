"""Snapshots: full capture, incremental capture and restore, against the published way.

A generated workspace (default 100 MB in 5,000 files: small text and binary files in 50
directories, and 8 large files, half random bytes, half text) sits on this machine behind a
loopback OpenSSH sshd; every case reaches it over SSH through a ``TcpRelay`` (in a child process,
so its copying does not compete with the client) with 0 ms and 50 ms of added latency (each
way). MongoDB is a local mongod. Per latency, in this order:

* ``published full``: optio-host's ``RemoteHost.archive_workdir`` (``tar | gzip -1`` of the
  whole workdir over SSH) streamed into a GridFS file, as optio-codex 0.4.8 stores a snapshot;
* ``published restore``: that GridFS file streamed into ``RemoteHost.restore_workdir``
  (``tar xzf -``) of an empty workdir;
* ``full``: ``SnapshotStore.capture`` of the workspace into an empty store;
* ``incremental``: one small text file changed, captured again;
* ``restore``: ``SnapshotStore.restore`` of the incremental snapshot into an empty directory.

Before ours, one trivial exec (``:``) is timed: the floor any capture pays for its exec (on the
test machine about 0.15-0.3 s, as root's ``.bashrc`` runs ``pyenv init`` for every sshd command).

Times are wall clock from the call to its return (connections are open beforehand); bytes are
what came from the host (ours: ``transferred_bytes``; published: the tar.gz). Both use optio-
host's default excludes. ``--repeat`` runs each latency several times (medians reported).

Run it as ``.venv/bin/python benchmarks/snapshot.py`` (from any directory). The last line is
``RESULT incr_time_ratio=... incr_bytes_ratio=... full_vs_published=... restore_vs_published=...``,
each the worse of the two latencies (targets: the first two at most 0.05, the last two at most 1).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent.parent))

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorGridFSBucket  # noqa: E402
from optio_host.host import RemoteHost  # noqa: E402
from optio_host.types import SSHConfig  # noqa: E402

from optio_codex.hosts.host_scripts import SshOps  # noqa: E402
from optio_codex.hosts.ssh import connect_ssh  # noqa: E402
from optio_codex.snapshots import SnapshotRoot, SnapshotStore  # noqa: E402
from optio_codex.snapshots.excludes import FRAMEWORK_EXCLUDE  # noqa: E402
from optio_codex.testing.mongod import LocalMongod  # noqa: E402
from optio_codex.testing.relay import TcpRelay  # noqa: E402
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo, ssh_target  # noqa: E402

BENCH_PARENT = Path("/var/tmp")
RELAY_TAG = "RELAY-PORT "
MB = 1024 * 1024
WORDS = (
    "def class return self import from async await yield lambda value index result error "
    "config thread snapshot chunk manifest restore capture host path file data stream"
).split()


# -- the workspace ---------------------------------------------------------------------------


def text_pool(rng: random.Random, size: int) -> bytes:
    lines = []
    total = 0
    while total < size:
        indent = "    " * rng.randrange(4)
        line = f"{indent}{' '.join(rng.choices(WORDS, k=rng.randrange(3, 12)))} = {rng.random()}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def generate(workdir: Path, size_mb: int, files: int, seed: int = 7) -> tuple[int, Path]:
    """Write the workspace; returns its size and the small text file the benchmark changes."""
    rng = random.Random(seed)
    pool = text_pool(rng, 4 * MB)
    large_total = size_mb * MB * 2 // 5
    large = 8
    small = files - large
    small_avg = (size_mb * MB - large_total) // small
    total = 0
    changed = workdir / "d00" / "f0000.txt"
    for i in range(small):
        folder = workdir / f"d{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        size = max(1, int(rng.expovariate(1 / small_avg)))
        size = min(size, 8 * small_avg)
        if i % 2 == 0:
            start = rng.randrange(len(pool) - size) if size < len(pool) else 0
            data = pool[start : start + size]
            path = folder / f"f{i:04d}.txt"
        else:
            data = rng.randbytes(size)
            path = folder / f"f{i:04d}.bin"
        path.write_bytes(data)
        total += len(data)
    (workdir / "big").mkdir(exist_ok=True)
    for i in range(large):
        size = large_total // large
        data = rng.randbytes(size) if i % 2 == 0 else (pool * (size // len(pool) + 1))[:size]
        (workdir / "big" / f"large{i}.dat").write_bytes(data)
        total += size
    return total, changed


# -- the relay, in a child process -----------------------------------------------------------


async def relay_worker(target_port: int, latency_ms: float) -> None:
    async with TcpRelay("127.0.0.1", target_port, latency_ms=latency_ms) as relay:
        print(f"{RELAY_TAG}{relay.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)


class RelayProcess:
    def __init__(self, target_port: int, latency_ms: float) -> None:
        self.target_port, self.latency_ms = target_port, latency_ms
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> int:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--relay-worker",
            str(self.target_port),
            str(self.latency_ms),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        async with asyncio.timeout(15):
            line = (await self.proc.stdout.readline()).decode()
        if not line.startswith(RELAY_TAG):
            raise RuntimeError(f"relay worker did not start: {line!r}")
        return int(line[len(RELAY_TAG) :])

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            proc.kill()  # our own child, by its pid
            await proc.wait()


# -- the cases -------------------------------------------------------------------------------


@dataclass
class Round:
    latency_ms: float
    times: dict[str, float] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)


async def timed(round_: Round, case: str, work: Any) -> Any:
    start = time.perf_counter()
    result = await work
    round_.times[case] = time.perf_counter() - start
    return result


async def published(round_: Round, info: SshdInfo, port: int, base: Path, db: Any, n: int) -> None:
    config = SSHConfig(info.host, info.username, str(info.client_key_path), port)
    source = RemoteHost(config, str(base / "task"))
    await source.connect()
    bucket = AsyncIOMotorGridFSBucket(db)
    try:

        async def archive() -> Any:
            upload = bucket.open_upload_stream(f"workdir-{n}.tar.gz")
            total = 0
            async for chunk in source.archive_workdir(list(FRAMEWORK_EXCLUDE)):
                total += len(chunk)
                await upload.write(chunk)
            await upload.close()
            round_.bytes["published full"] = total
            return upload._id

        blob = await timed(round_, "published full", archive())
    finally:
        await source.disconnect()
    (base / f"pub-restore-{n}" / "workdir").mkdir(parents=True)
    target = RemoteHost(config, str(base / f"pub-restore-{n}"))
    await target.connect()
    try:

        async def stream() -> AsyncIterator[bytes]:
            download = await bucket.open_download_stream(blob)
            while chunk := await download.read(MB):
                yield chunk

        await timed(round_, "published restore", target.restore_workdir(stream()))
    finally:
        await target.disconnect()


async def ours(
    round_: Round, info: SshdInfo, port: int, base: Path, db: Any, n: int, changed: Path
) -> None:
    conn = await connect_ssh(ssh_target(info, port=port))
    try:
        ops = SshOps(conn)
        # The least any exec costs here: open, sshd's start of the login shell, exit.
        await timed(round_, "exec floor", _trivial_exec(ops))
        store = SnapshotStore(db, f"bench{n}")
        roots = [SnapshotRoot("workspace", str(base / "task" / "workdir"))]
        exclude = list(FRAMEWORK_EXCLUDE)
        full = await timed(
            round_,
            "full",
            store.capture(ops, roots, process_id="p", meta={}, exclude=exclude),
        )
        round_.bytes["full"] = full.transferred_bytes
        with changed.open("a") as f:
            f.write(f"changed in round {n}\n")
        incr = await timed(
            round_,
            "incremental",
            store.capture(ops, roots, process_id="p", meta={}, exclude=exclude),
        )
        round_.bytes["incremental"] = incr.transferred_bytes
        target = str(base / f"restore-{n}")
        await timed(round_, "restore", store.restore(ops, incr.id, {"workspace": target}))
    finally:
        conn.close()


async def _trivial_exec(ops: SshOps) -> None:
    process = await ops.start(":", [])
    await process.finish(30.0)


async def one_round(
    info: SshdInfo, latency: float, base: Path, db: Any, n: int, changed: Path
) -> Round:
    relay = RelayProcess(info.port, latency)
    port = await relay.start()
    round_ = Round(latency)
    try:
        await published(round_, info, port, base, db, n)
        await ours(round_, info, port, base, db, n, changed)
    finally:
        await relay.stop()
    for name in (f"restore-{n}", f"pub-restore-{n}"):
        shutil.rmtree(base / name, ignore_errors=True)
    return round_


# -- the report ------------------------------------------------------------------------------


def median(rounds: list[Round], case: str, what: str = "times") -> float:
    return statistics.median(getattr(r, what)[case] for r in rounds)


def report(by_latency: dict[float, list[Round]], size: int) -> str:
    print(f"workspace {size / MB:.1f} MB")
    cases = ("published full", "full", "incremental", "published restore", "restore")
    print(f"{'latency':>8} " + " ".join(f"{c:>18}" for c in cases))
    worst = {"incr_time_ratio": 0.0, "incr_bytes_ratio": 0.0, "full_vs": 0.0, "restore_vs": 0.0}
    for latency, rounds in by_latency.items():
        cells = [f"{median(rounds, c):>17.2f}s" for c in cases]
        print(f"{latency:>6.0f}ms " + " ".join(cells))
        sent = [
            f"{median(rounds, c, 'bytes') / MB:>16.2f}MB"
            for c in ("published full", "full", "incremental")
        ]
        print(f"{'bytes':>8} " + " ".join(sent))
        ratios = {
            "incr_time_ratio": median(rounds, "incremental") / median(rounds, "full"),
            "incr_bytes_ratio": median(rounds, "incremental", "bytes")
            / median(rounds, "full", "bytes"),
            "full_vs": median(rounds, "full") / median(rounds, "published full"),
            "restore_vs": median(rounds, "restore") / median(rounds, "published restore"),
        }
        print("         " + " ".join(f"{k}={v:.4f}" for k, v in ratios.items()))
        print(f"         exec floor {median(rounds, 'exec floor'):.2f}s (one trivial exec)")
        worst = {k: max(worst[k], v) for k, v in ratios.items()}
    return (
        f"RESULT incr_time_ratio={worst['incr_time_ratio']:.4f} "
        f"incr_bytes_ratio={worst['incr_bytes_ratio']:.6f} "
        f"full_vs_published={worst['full_vs']:.3f} "
        f"restore_vs_published={worst['restore_vs']:.3f}"
    )


async def main(opts: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="optio-snapshot-bench-", dir=BENCH_PARENT))
    daemon = LoopbackSshd(base / "sshd")
    mongod = LocalMongod(base / "mongod")
    try:
        (base / "sshd").mkdir()
        (base / "mongod").mkdir()
        size, changed = generate(base / "task" / "workdir", opts.size_mb, opts.files)
        info = await asyncio.to_thread(daemon.start_sync)
        await asyncio.to_thread(mongod.start_sync)
        client: Any = AsyncIOMotorClient(mongod.url)
        db = client["bench"]
        by_latency: dict[float, list[Round]] = {}
        n = 0
        for _ in range(opts.repeat):
            for latency in opts.latencies:
                n += 1
                rnd = await one_round(info, latency, base, db, n, changed)
                by_latency.setdefault(latency, []).append(rnd)
                print(
                    f"round {n} ({latency:.0f} ms): "
                    + ", ".join(f"{k} {v:.2f}s" for k, v in rnd.times.items()),
                    flush=True,
                )
        client.close()
        print(report(by_latency, size))
    finally:
        await asyncio.to_thread(mongod.stop_sync)
        await asyncio.to_thread(daemon.stop_sync)
        if not opts.keep:
            shutil.rmtree(base, ignore_errors=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--latencies", type=lambda s: [float(x) for x in s.split(",")], default=[0.0, 50.0]
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    return parser.parse_args(argv)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--relay-worker":
        asyncio.run(relay_worker(int(sys.argv[2]), float(sys.argv[3])))
    else:
        asyncio.run(main(parse(sys.argv[1:])))
