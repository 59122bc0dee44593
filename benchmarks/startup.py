"""Launch latency: from "we have an SSH target" to "the codex thread is ready".

Every launch is timed from before the SSH connect (included) until
``CodexConversation.start`` returns, and its SSH round trips are counted: channel opens plus
SFTP operations, as provision's ``RoundTrips`` counts them, plus the app-server's own exec
channel (counted here). A spy on the connection counts the channels actually opened, as a
cross-check of that arithmetic.

Cases, each through a ``TcpRelay`` (in a child process, so its copying does not compete with
the client's event loop) with 0 ms and 50 ms of added latency (each way):

* ``floor``: connect, exec the already-cached codex app-server with a ready CODEX_HOME (the
  files provisioning would write, prepared beforehand, untimed), handshake. Nothing else.
* ``warm-stamp`` / ``warm-sha256``: connect, ``provision`` against a cache that already holds
  the bundle (``verify="stamp"`` / ``"sha256"``), exec, handshake.
* ``cold``: the same with a fresh cache root, so the bundle (~300 MB) is pushed over SFTP.

The handshake is ``CodexConversation.start`` everywhere (initialize, initialized, account/read,
model/list, thread/start), so it is the same work in every case. Everything runs against a
loopback OpenSSH sshd started here (real host-key check) and a ``ScriptedModelServer`` the
config points codex at; no turn is run. Task and cache roots live in a fresh directory under
/var/tmp (codex refuses helper binaries under /tmp), removed at the end.

Cases are interleaved within each repetition; medians are reported (and the best). One untimed
launch of each kind comes first, so page cache and sshd warm-up are the same for all.

Run it as ``.venv/bin/python benchmarks/startup.py`` (from any directory). The last line printed
is ``RESULT warm_round_trips=... warm_vs_floor=... warm_vs_floor_50ms=... cold_s=...``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

from optio_codex.binary import pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.hosts.detached_server import SshDialer, start_detached_app_server
from optio_codex.hosts.host_scripts import LocalOps, SshOps
from optio_codex.hosts.launch import app_server_argv
from optio_codex.hosts.provision import (
    ProvisionSpec,
    TaskPaths,
    VerifyMode,
    provision,
    wheel_bundle,
)
from optio_codex.hosts.ssh import SSHTarget, connect_ssh
from optio_codex.testing.catalog import write_mock_model_catalog
from optio_codex.testing.codex_home import mock_codex_config
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.processes import descendant_pids
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import LoopbackSshd, ssh_target
from optio_codex.transport.socket import FixedConnection
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

SCRIPT = Path(__file__).resolve()
BENCH_PARENT = Path("/var/tmp")  # outside /tmp, as in production
RELAY_TAG = "RELAY-PORT "
# Targets from the issue.
WARM_MAX_ROUND_TRIPS = 4
WARM_MAX_VS_FLOOR = 1.3
WARM_CASES = ("floor", "warm-stamp", "warm-sha256", "warm-detached")
LATENCIES_MS = (0.0, 50.0)  # added by the relay in each direction: +100 ms round-trip time
PHASES = ("connect", "provision", "check", "push", "finalize", "exec", "handshake")


# -- the relay, in a child process -----------------------------------------------------------


async def relay_worker(target_port: int, latency_ms: float) -> None:
    """Child process: relay 127.0.0.1:<free port> to sshd until stdin reaches EOF."""
    async with TcpRelay("127.0.0.1", target_port, latency_ms=latency_ms) as relay:
        print(f"{RELAY_TAG}{relay.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)


class RelayProcess:
    """A TcpRelay with a fixed latency, running in a child process of this script."""

    def __init__(self, target_port: int, latency_ms: float) -> None:
        self.target_port = target_port
        self.latency_ms = latency_ms
        self.port = 0
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> int:
        self._proc = proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--relay-worker",
            str(self.target_port),
            str(self.latency_ms),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        async with asyncio.timeout(15):
            line = (await proc.stdout.readline()).decode()
        if not line.startswith(RELAY_TAG):
            await self.stop()
            raise RuntimeError(f"relay worker did not start: {line!r}")
        self.port = int(line[len(RELAY_TAG) :])
        return self.port

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the worker exits at EOF
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            proc.kill()  # by its pid: it is our child
            await proc.wait()


# -- one launch ------------------------------------------------------------------------------


@dataclass
class Launch:
    case: str
    latency_ms: float
    total: float
    phases: dict[str, float]
    round_trips: int  # provision's RoundTrips.total + the app-server's exec channel
    trips_detail: str
    exchanges: int  # waits inside an open channel: round trips, but not channel opens
    channels: int  # exec, SFTP and socket channels the spy saw opened before "thread ready"
    pushed: bool


@dataclass
class ChannelSpy:
    """Counts channel opens (exec, SFTP, unix-socket) on one asyncssh connection."""

    opened: int = 0

    def attach(self, conn: asyncssh.SSHClientConnection) -> None:
        for name in ("create_process", "start_sftp_client", "open_unix_connection"):
            setattr(conn, name, self._counting(getattr(conn, name)))

    def _counting(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.opened += 1
            return original(*args, **kwargs)  # a coroutine or an async context manager

        return wrapper


@dataclass
class Prepared:
    """A task directory made ready beforehand (untimed), for the floor."""

    binary: str
    paths: TaskPaths


@dataclass
class Bench:
    base: Path
    task_root: Path
    warm_cache: Path
    codex_config: dict[str, Any]
    sshd_pid: int = 0

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until sshd has no session processes left: every launch meets an idle host."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not descendant_pids(self.sshd_pid):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)

    def spec(self, task_id: str, cache_root: Path, verify: VerifyMode) -> ProvisionSpec:
        return ProvisionSpec(
            task_id=task_id,
            consumer_instructions="Say hello.",
            task_root=str(self.task_root),
            cache_root=str(cache_root),
            verify=verify,
            codex_config=self.codex_config,
        )

    async def prepare_floor(self) -> Prepared:
        """The very files a warm launch would provision, written locally (sshd is local)."""
        spec = self.spec(_task_id("floor"), self.warm_cache, "stamp")
        result = await provision(LocalOps(), spec)
        if result.pushed:
            raise RuntimeError("the warm cache was not warm")
        return Prepared(binary=result.binary, paths=result.paths)


def _task_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def launch_once(
    bench: Bench,
    target: SSHTarget,
    case: str,
    latency_ms: float,
    *,
    floor: Prepared | None = None,
    cache_root: Path | None = None,
) -> Launch:
    """One timed launch: SSH connect → (provision) → exec app-server → handshake."""
    phases: dict[str, float] = {}
    spy = ChannelSpy()
    conversation: CodexConversation | None = None
    started = time.perf_counter()
    conn = await connect_ssh(target)
    try:
        spy.attach(conn)
        mark = time.perf_counter()
        phases["connect"] = mark - started
        pushed = False
        if floor is not None:
            binary, paths = floor.binary, floor.paths
            provision_trips, exchanges, detail = 0, 0, "exec=0"
        else:
            verify: VerifyMode = "sha256" if case == "warm-sha256" else "stamp"
            spec = bench.spec(_task_id(case), cache_root or bench.warm_cache, verify)
            result = await provision(SshOps(conn), spec)
            binary, paths, pushed = result.binary, result.paths, result.pushed
            now = time.perf_counter()
            phases["provision"] = now - mark
            mark = now
            for name in ("check", "push", "finalize"):
                if name in result.timings:
                    phases[name] = result.timings[name]
            trips = result.round_trips
            provision_trips, exchanges = trips.total, trips.exchanges
            detail = f"exec={trips.execs} sftp={trips.sftp_sessions} exch={trips.exchanges}"
        server: Any
        if case == "warm-detached":
            # The durable default for remote tasks: a launcher exec that waits for the socket,
            # then a direct-streamlocal channel and a WebSocket upgrade.
            server = await start_detached_app_server(
                SshDialer(FixedConnection(conn)),
                app_server_argv(binary),
                env=paths.env(),
                cwd=paths.workspace,
                socket_path=f"{paths.task_dir}/app-server.sock",
                log_path=f"{paths.task_dir}/app-server.log",
            )
            app_server_execs = 2  # the launcher exec and the socket channel
        else:
            server = await spawn_ssh_app_server(
                conn, app_server_argv(binary), env=paths.env(), cwd=paths.workspace
            )
            app_server_execs = 1  # the app-server's exec channel, which provision does not count
        now = time.perf_counter()
        phases["exec"] = now - mark
        mark = now
        conversation = await CodexConversation.start(
            server, ConversationOptions(cwd=paths.workspace, close_grace=1.0)
        )
        finished = time.perf_counter()
        phases["handshake"] = finished - mark
        channels = spy.opened
    finally:
        if conversation is not None:
            await conversation.close()
        conn.close()
        with contextlib.suppress(Exception):
            await conn.wait_closed()
    shutil.rmtree(paths.task_dir, ignore_errors=True)
    return Launch(
        case=case,
        latency_ms=latency_ms,
        total=finished - started,
        phases=phases,
        round_trips=provision_trips + app_server_execs,
        trips_detail=f"{detail} +app-server exec",
        exchanges=exchanges,
        channels=channels,
        pushed=pushed,
    )


# -- the run ---------------------------------------------------------------------------------


async def probe_costs(bench: Bench, targets: dict[float, SSHTarget]) -> dict[str, float]:
    """What one more exec channel costs (login shell included), and the check script alone."""
    probes: dict[str, float] = {}
    for latency, target in targets.items():
        await bench.settle()  # before connecting: the connection's own sshd process stays
        conn = await connect_ssh(target)
        try:
            times = []
            for _ in range(5):
                await asyncio.sleep(0.1)
                started = time.perf_counter()
                await conn.run("exec /bin/sh -c true", check=True)
                times.append(time.perf_counter() - started)
            probes[f"empty exec channel at {latency:g} ms"] = statistics.median(times)
        finally:
            conn.close()
            await conn.wait_closed()
    for verify in ("stamp", "sha256"):
        times = []
        for _ in range(3):
            spec = bench.spec(_task_id("probe"), bench.warm_cache, verify)
            await bench.settle()
            result = await provision(LocalOps(), spec)
            times.append(result.timings["total"])
            shutil.rmtree(result.paths.task_dir, ignore_errors=True)
        probes[f"warm check script, no SSH (LocalOps), verify={verify}"] = statistics.median(times)
    return probes


def print_probes(probes: dict[str, float]) -> None:
    print("\nwhere the warm overhead comes from (medians):")
    for label, seconds in probes.items():
        print(f"  {label:<55} {seconds * 1000:7.0f} ms")


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f}"  # NaN check


def print_table(runs: Sequence[Launch], latencies: Sequence[float]) -> None:
    print()
    header = (
        f"{'latency':>7}  {'case':<12} {'n':>2} {'median ms':>9} {'best ms':>8} "
        f"{'vs floor':>8} {'trips':>5} {'chans':>5}  " + " ".join(f"{p:>9}" for p in PHASES)
    )
    print(header)
    print("-" * len(header))
    for latency in latencies:
        cases = [r for r in runs if r.latency_ms == latency]
        floor = _median([r.total for r in cases if r.case == "floor"])
        for case in (*WARM_CASES, "cold"):
            rows = [r for r in cases if r.case == case]
            if not rows:
                continue
            total = _median([r.total for r in rows])
            phase_cells = " ".join(
                f"{_ms(_median([r.phases[p] for r in rows if p in r.phases])):>9}" for p in PHASES
            )
            print(
                f"{latency:>5g}ms  {case:<12} {len(rows):>2} {_ms(total):>9} "
                f"{_ms(min(r.total for r in rows)):>8} {total / floor:>7.2f}x "
                f"{statistics.median(r.round_trips for r in rows):>5g} "
                f"{statistics.median(r.channels for r in rows):>5g}  {phase_cells}"
            )
    print("(phases are medians in ms; check/push/finalize are inside provision)")
    details = sorted({(r.case, r.trips_detail) for r in runs})
    print("round trips: " + "; ".join(f"{case}: {d}" for case, d in details))


async def run(opts: argparse.Namespace) -> None:
    began = time.perf_counter()
    latencies = LATENCIES_MS
    codex = pinned_codex()
    # Hashing the wheel's bundle happens once per worker process; keep it out of every case.
    bundle = await asyncio.to_thread(wheel_bundle)
    size_mb = sum(f.local.stat().st_size for f in bundle.files) / 2**20
    base = Path(tempfile.mkdtemp(prefix="optio-codex-bench-", dir=BENCH_PARENT))
    runs: list[Launch] = []
    probes: dict[str, float] = {}
    try:
        async with ScriptedModelServer() as model:
            catalog = write_mock_model_catalog(base / "mock-model-catalog.json")
            bench = Bench(
                base=base,
                task_root=base / "tasks",
                warm_cache=base / "warm-cache",
                codex_config=mock_codex_config(model.base_url, catalog),
            )
            seeded = await provision(LocalOps(), bench.spec("seed", bench.warm_cache, "stamp"))
            if not seeded.pushed:
                raise RuntimeError("the fresh warm cache already held the bundle")
            daemon = LoopbackSshd(base / "sshd")
            info = await daemon.start()
            bench.sshd_pid = daemon.pid or 0
            relays: dict[float, RelayProcess] = {}
            try:
                targets: dict[float, SSHTarget] = {}
                for latency in latencies:
                    relays[latency] = relay = RelayProcess(info.port, latency)
                    targets[latency] = ssh_target(info, await relay.start())
                print(
                    f"codex {codex.version} bundle {size_mb:.0f} MB · sshd {info.host}:{info.port}"
                    f" · relays {', '.join(f'{lat:g} ms' for lat in latencies)} · "
                    f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs · {base}",
                    flush=True,
                )
                probes = await probe_costs(bench, targets)
                runs = await _measure(bench, targets, opts)
            finally:
                for relay in relays.values():
                    await relay.stop()
                await daemon.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print_table(runs, latencies)
    print_probes(probes)
    report(runs, latencies, time.perf_counter() - began)


async def _measure(
    bench: Bench, targets: dict[float, SSHTarget], opts: argparse.Namespace
) -> list[Launch]:
    runs: list[Launch] = []

    async def one(case: str, latency: float, *, record: bool = True) -> Launch:
        floor = await bench.prepare_floor() if case == "floor" else None
        await bench.settle()
        cache_root: Path | None = None
        if case == "cold":
            cache_root = bench.base / _task_id("cold-cache")
        try:
            launch = await launch_once(
                bench, targets[latency], case, latency, floor=floor, cache_root=cache_root
            )
        finally:
            if cache_root is not None:
                shutil.rmtree(cache_root, ignore_errors=True)
        expected_push = case == "cold"
        if launch.pushed != expected_push:
            raise RuntimeError(f"{case}: pushed={launch.pushed}, expected {expected_push}")
        if record:
            runs.append(launch)
            phases = " ".join(f"{k}={v * 1000:.0f}" for k, v in launch.phases.items())
            print(
                f"  {latency:>3g} ms {case:<12} {launch.total * 1000:7.0f} ms  "
                f"trips={launch.round_trips} channels={launch.channels}  [{phases}]",
                flush=True,
            )
        return launch

    print("warm-up (untimed) ...", flush=True)
    for latency in targets:
        for case in WARM_CASES:
            await one(case, latency, record=False)
    for rep in range(opts.warm_repeat):
        print(f"repetition {rep + 1}/{opts.warm_repeat}", flush=True)
        for latency in targets:
            cases = WARM_CASES if rep % 2 == 0 else tuple(reversed(WARM_CASES))
            for case in cases:
                await one(case, latency)
    for latency in targets:
        repeat = opts.cold_repeat if latency == 0 else opts.cold_repeat_latency
        for _ in range(repeat):
            await one("cold", latency)
    return runs


def report(runs: Sequence[Launch], latencies: Sequence[float], wall: float) -> None:
    def median_total(case: str, latency: float) -> float:
        return _median([r.total for r in runs if r.case == case and r.latency_ms == latency])

    base_latency, high_latency = LATENCIES_MS
    warm = [r for r in runs if r.case == "warm-stamp"]
    warm_trips = max(r.round_trips for r in warm)
    vs_floor = median_total("warm-stamp", base_latency) / median_total("floor", base_latency)
    vs_floor_high = median_total("warm-stamp", high_latency) / median_total("floor", high_latency)
    cold_s = median_total("cold", base_latency)
    print()

    def best_total(case: str, latency: float) -> float:
        return min(r.total for r in runs if r.case == case and r.latency_ms == latency)

    detached_vs_floor = [
        median_total("warm-detached", lat) / median_total("floor", lat) for lat in LATENCIES_MS
    ]
    for latency in latencies:
        floor = median_total("floor", latency)
        for case in ("warm-stamp", "warm-sha256", "warm-detached"):
            total = median_total(case, latency)
            ratio = total / floor
            best_ratio = best_total(case, latency) / best_total("floor", latency)
            trips = max(r.round_trips for r in runs if r.case == case)
            ok = trips <= WARM_MAX_ROUND_TRIPS and ratio <= WARM_MAX_VS_FLOOR
            print(
                f"target {case:<11} at {latency:>3g} ms: {trips} round trips "
                f"(≤ {WARM_MAX_ROUND_TRIPS}), {ratio:.2f}x floor (≤ {WARM_MAX_VS_FLOOR}x): "
                f"{'met' if ok else 'MISSED'}  [+{(total - floor) * 1000:.0f} ms over the floor;"
                f" best/best {best_ratio:.2f}x]"
            )
    mismatched = [r for r in runs if r.channels != r.round_trips - r.exchanges]
    if mismatched:
        print(f"warning: {len(mismatched)} launches opened a different number of channels")
    print(f"\ntotal wall time {wall:.0f}s")
    print(
        f"RESULT warm_round_trips={warm_trips} warm_vs_floor={vs_floor:.2f} "
        f"warm_vs_floor_50ms={vs_floor_high:.2f} cold_s={cold_s:.2f} "
        f"detached_vs_floor={detached_vs_floor[0]:.2f} "
        f"detached_vs_floor_50ms={detached_vs_floor[1]:.2f}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--warm-repeat", type=int, default=5, help="timed runs per warm case")
    parser.add_argument("--cold-repeat", type=int, default=2, help="cold runs at 0 ms")
    parser.add_argument(
        "--cold-repeat-latency",
        type=int,
        default=1,
        help="cold runs at each added latency above 0 ms",
    )
    # Internal: the relay's child process.
    parser.add_argument("--relay-worker", nargs=2, metavar=("PORT", "MS"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    if opts.relay_worker:
        port, latency = opts.relay_worker
        asyncio.run(relay_worker(int(port), float(latency)))
        return
    if opts.warm_repeat < 1 or opts.cold_repeat < 1:
        raise SystemExit("--warm-repeat and --cold-repeat must be positive")
    asyncio.run(run(opts))


if __name__ == "__main__":
    main()
