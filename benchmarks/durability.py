"""Durability under network cuts: the detached transport against the attached one.

The same plan of seeded cuts (:mod:`optio_codex.testing.cuts`) runs twice against a real
codex behind a real OpenSSH sshd, with a ``TcpRelay`` between client and sshd:

* ``detached``: the app-server runs detached on the host and is reached over SSH
  direct-streamlocal (WebSocket); the conversation has ``RecoverySettings``, so after a cut it
  reconnects the SSH session, reopens the socket, initializes, resumes the thread and
  reconciles with ``thread/read``;
* ``attached``: the app-server is an SSH exec channel's process (stdio) and the conversation
  has no recovery, as with a plain tool: the cut ends the app-server and the conversation,
  and the next turn goes to a fresh app-server and conversation (a new thread).

Every cut is an outage: ``set_down(True)`` resets the live connections and refuses new ones
for ``--outage-ms``, then ``set_down(False)`` is the moment the network is back. The reconnect
time runs from that moment to the conversation's ``x-optio-reconnected``; it is split into the
SSH reconnect (to ``SshSession``'s restore), the direct-streamlocal channel open, the
WebSocket upgrade, and the JSON-RPC part (initialize, thread/resume, thread/read).

A turn is lost when it did not complete with its full scripted text; items are lost when an
expected ``item/completed`` (the full agent message, an approved command) never reached the
client; a turn is duplicated when ``thread/read`` shows its input in more than one turn.

Run it as ``.venv/bin/python benchmarks/durability.py [--cuts 20] [--seed N]`` (from any
directory). The last line printed is
``RESULT cuts=... lost_items=... duplicated_turns=... reconnect_p50_ms=... reconnect_p95_ms=...
attached_lost_turns=...`` (all but the last for the detached transport).
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from optio_codex.binary import pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.recovery import RecoverySettings
from optio_codex.hosts.detached_server import SshDialer, start_detached_app_server
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.reconnect import SshSession
from optio_codex.hosts.ssh import SSHTarget
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.cuts import (
    CutPlan,
    CutReport,
    TurnRecord,
    answer_text,
    instrument,
    label,
    run_cuts,
)
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import LoopbackSshd, ssh_target
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

BENCH_PARENT = Path("/var/tmp")  # outside /tmp: codex refuses helper binaries under it
PHASES = ("ssh_ms", "channel_ms", "websocket_ms", "rpc_ms")
PHASE_NAMES = {
    "ssh_ms": "SSH reconnect (network back -> session restored)",
    "channel_ms": "direct-streamlocal channel open",
    "websocket_ms": "WebSocket upgrade",
    "rpc_ms": "initialize + thread/resume + thread/read",
}


@dataclass
class Task:
    """One task's directories and codex environment (the sshd is local: same paths)."""

    root: Path
    codex_home: Path
    workspace: Path
    env: dict[str, str]

    @classmethod
    def create(cls, root: Path, model_url: str) -> Task:
        home, workspace, tmpdir = root / "home", root / "workspace", root / "tmp"
        for d in (home, workspace, tmpdir):
            d.mkdir(parents=True)
        codex_home = home / ".codex"
        write_test_codex_home(codex_home, model_url)
        env = app_server_env(home=str(home), codex_home=str(codex_home), tmpdir=str(tmpdir))
        return cls(root, codex_home, workspace, env)

    @property
    def command_log(self) -> Path:
        return self.workspace / "commands.log"

    def options(self) -> ConversationOptions:
        return ConversationOptions(cwd=str(self.workspace), close_grace=1.0)


def _session(target: SSHTarget) -> SshSession:
    return SshSession(target, reconnect_timeout=60, backoff_initial=0.05, backoff_max=0.5)


def _progress(name: str) -> Callable[[TurnRecord], None]:
    def show(record: TurnRecord) -> None:
        reconnect = record.reconnect_ms if record.reconnect_ms is not None else record.reopen_ms
        timing = "-" if reconnect is None else f"{reconnect:.0f} ms"
        state = "lost" if record.lost else "ok"
        print(
            f"  {name:<8} {label(record.index)} {record.kind:<8} {record.status:<11} {state:<4} "
            f"back->ready {timing}",
            flush=True,
        )

    return show


async def run_detached(
    task: Task,
    binary: str,
    target: SSHTarget,
    relay: TcpRelay,
    model: ScriptedModelServer,
    plan: CutPlan,
) -> CutReport:
    session = _session(target)
    await session.connect()
    conversation: CodexConversation | None = None
    try:
        server = await start_detached_app_server(
            SshDialer(session),
            app_server_argv(binary),
            env=task.env,
            cwd=str(task.workspace),
            socket_path=str(task.root / "app.sock"),
            log_path=str(task.root / "app.log"),
        )
        timeline = instrument(server)
        conversation = await CodexConversation.start(
            server,
            task.options(),
            GateSettings(human=True),
            RecoverySettings(backoff_max=0.5, reconnect_timeout=60),
        )
        return await run_cuts(
            conversation,
            relay,
            model,
            command_log=task.command_log,
            plan=plan,
            session=session,
            timeline=timeline,
            on_turn=_progress("detached"),
        )
    finally:
        relay.set_down(False)
        if conversation is not None:
            await conversation.close()
        await session.close()


async def run_attached(
    task: Task,
    binary: str,
    target: SSHTarget,
    relay: TcpRelay,
    model: ScriptedModelServer,
    plan: CutPlan,
) -> CutReport:
    session = _session(target)
    await session.connect()
    opened: list[CodexConversation] = []

    async def open_conversation() -> CodexConversation:
        """What a user of a plain tool does after a drop: start it again."""
        server = await spawn_ssh_app_server(
            await session.connection(),
            app_server_argv(binary),
            env=task.env,
            cwd=str(task.workspace),
        )
        conversation = await CodexConversation.start(
            server, task.options(), GateSettings(human=True)
        )
        opened.append(conversation)
        return conversation

    try:
        first = await open_conversation()
        return await run_cuts(
            first,
            relay,
            model,
            command_log=task.command_log,
            plan=plan,
            session=session,
            reopen=open_conversation,
            on_turn=_progress("attached"),
        )
    finally:
        relay.set_down(False)
        for conversation in opened:
            with contextlib.suppress(Exception):
                await conversation.close()
        await session.close()


# -- reporting ---------------------------------------------------------------------------------


def _values(report: CutReport, attr: str) -> list[float]:
    return [v for t in report.turns if (v := getattr(t, attr)) is not None]


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_comparison(detached: CutReport, attached: CutReport) -> None:
    rows = [
        ("cuts", detached.cuts, attached.cuts),
        ("  of which during an approval", detached.approval_cuts, attached.approval_cuts),
        ("  landed while the turn ran", detached.cuts_landed, attached.cuts_landed),
        ("turns lost (not completed in full)", detached.lost_turns, attached.lost_turns),
        ("items lost", detached.lost_items, attached.lost_items),
        ("turns duplicated", detached.duplicated_turns, attached.duplicated_turns),
        ("commands run twice", detached.commands_repeated, attached.commands_repeated),
        (
            "commands run (of approval turns)",
            sum(t.command_runs or 0 for t in detached.turns),
            sum(t.command_runs or 0 for t in attached.turns),
        ),
        ("extra model calls", detached.extra_model_calls, attached.extra_model_calls),
        ("reconnects (same thread)", detached.reconnects, attached.reconnects),
        ("conversations used", detached.conversations, attached.conversations),
    ]
    print(f"\n{'':<38}{'detached':>10}{'attached':>10}")
    for name, d, a in rows:
        print(f"{name:<38}{d:>10}{a:>10}")
    for name, report, attr in (
        ("network back -> reconnected (ms)", detached, "reconnect_ms"),
        ("network back -> fresh conversation (ms)", attached, "reopen_ms"),
    ):
        values = _values(report, attr)
        if values:
            print(
                f"{name:<42} p50 {_fmt(report.percentile(50, attr)):>5}  "
                f"p95 {_fmt(report.percentile(95, attr)):>5}  "
                f"min {min(values):.0f}  max {max(values):.0f}"
            )
    print(
        "(the attached figure is only how soon the next turn could start: the cut turn is "
        "gone, and the new conversation is a new thread)"
    )


def print_lost(report: CutReport) -> None:
    """What went wrong with the turns the detached transport lost (if any)."""
    for t in report.turns:
        if not t.lost and not t.items_lost and not t.duplicated:
            continue
        print(
            f"detached {label(t.index)} ({t.kind}): status {t.status}, final text "
            f"{len(t.final_text)}/{len(t.expected_text)} chars, items lost {t.items_lost}, "
            f"in {t.occurrences} turns; cut {t.cut_delay_ms:.0f} ms after the first delta "
            f"({t.streamed_chars} chars streamed), network down {t.outage_ms:.0f} ms, back -> "
            f"reconnected {_fmt(t.reconnect_ms)} ms" + (f"; {t.error}" if t.error else "")
        )


def print_split(report: CutReport) -> None:
    complete = [t for t in report.turns if all(getattr(t, p) is not None for p in PHASES)]
    if not complete:
        print("\nreconnect split: not measured")
        return
    total = statistics.median(t.reconnect_ms or 0.0 for t in complete)
    print(f"\nwhere the detached reconnect time goes (medians of {len(complete)} cuts):")
    for phase in PHASES:
        values = [float(getattr(t, phase)) for t in complete]
        median = statistics.median(values)
        share = median / total * 100 if total else 0.0
        print(
            f"  {PHASE_NAMES[phase]:<52} {median:6.0f} ms  ({share:3.0f}%)  "
            f"p95 {_fmt(report.percentile(95, phase))}"
        )
    rest = total - sum(statistics.median(float(getattr(t, p)) for t in complete) for p in PHASES)
    print(
        f"  {'total (network back -> x-optio-reconnected)':<52} {total:6.0f} ms  (rest {rest:.0f})"
    )
    attempts = [t.attempts for t in complete if t.attempts is not None]
    if attempts:
        print(f"  conversation reconnect attempts per cut: max {max(attempts)}")


def leftover_processes(codex_home: Path) -> list[str]:
    """Live processes (zombies excluded) whose environment names this CODEX_HOME."""
    needle = f"CODEX_HOME={codex_home}\0".encode()
    found: list[str] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            if needle in (entry / "environ").read_bytes():
                found.append(entry.name)
        except (OSError, IndexError):
            continue
    return found


async def wait_no_processes(codex_home: Path, within: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := leftover_processes(codex_home)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return left


# -- the run -----------------------------------------------------------------------------------


async def run(opts: argparse.Namespace) -> None:
    began = time.perf_counter()
    codex = pinned_codex()
    plan = CutPlan(
        turns=opts.cuts,
        approval_share=opts.approval_share,
        outage_ms=(opts.outage_ms, opts.outage_ms),
        seed=opts.seed,
    )
    base = Path(tempfile.mkdtemp(prefix="optio-codex-durability-", dir=BENCH_PARENT))
    try:
        async with ScriptedModelServer() as model:
            daemon = LoopbackSshd(base / "sshd")
            info = await daemon.start()
            try:
                async with TcpRelay(info.host, info.port, latency_ms=opts.latency_ms) as relay:
                    target = ssh_target(info, relay.port)
                    print(
                        f"codex {codex.version} · sshd {info.host}:{info.port} via relay "
                        f":{relay.port} (+{opts.latency_ms:g} ms each way) · {plan.turns} cuts, "
                        f"outage {opts.outage_ms:g} ms, seed {plan.seed}, approvals "
                        f"{plan.approval_turns} · answers {len(_answer(plan))} chars in "
                        f"{plan.chunk_size}-char chunks every {plan.chunk_delay_s * 1000:g} ms "
                        f"· python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
                        flush=True,
                    )
                    results: dict[str, CutReport] = {}
                    for name, runner in (("detached", run_detached), ("attached", run_attached)):
                        task = Task.create(base / name, model.base_url)
                        print(f"\n{name}:", flush=True)
                        results[name] = await runner(
                            task, str(codex.path), target, relay, model, plan
                        )
                        left = await wait_no_processes(task.codex_home)
                        if left:
                            print(f"warning: {name}: codex processes left: {left}")
            finally:
                await daemon.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)

    detached, attached = results["detached"], results["attached"]
    for name, report in results.items():
        print(f"\n{name}:\n{report.table()}\n{report.summary()}")
        for note in report.notes:
            print(f"  note: {note}")
    print_comparison(detached, attached)
    print_lost(detached)
    print_split(detached)
    print(f"\ntotal wall time {time.perf_counter() - began:.0f}s")
    print(
        f"RESULT cuts={detached.cuts} lost_items={detached.lost_items} "
        f"duplicated_turns={detached.duplicated_turns} "
        f"reconnect_p50_ms={_fmt(detached.percentile(50))} "
        f"reconnect_p95_ms={_fmt(detached.percentile(95))} "
        f"attached_lost_turns={attached.lost_turns}"
    )


def _answer(plan: CutPlan) -> str:
    return answer_text(0, plan.answer_words)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cuts", type=int, default=20, help="turns, one cut each")
    parser.add_argument("--seed", type=int, default=20_250_611, help="seed of the cut plan")
    parser.add_argument("--outage-ms", type=float, default=200.0, help="network down per cut")
    parser.add_argument(
        "--approval-share", type=float, default=0.25, help="share of cuts during approvals"
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added by the relay in each direction"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    if opts.cuts < 1:
        raise SystemExit("--cuts must be positive")
    asyncio.run(run(opts))


if __name__ == "__main__":
    main()
