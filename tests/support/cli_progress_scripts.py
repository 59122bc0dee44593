"""``optio-codex run --demo`` with other model scripts, for the progress and prompt tests.

    python -m tests.support.cli_progress_scripts SCRIPT run --demo ...

As in cli_scripted.py, one name of the demo is swapped and the command line then runs
unchanged (engine, sshd, codex, the terminal are the real ones). SCRIPT is one of:

- ``patch``: an apply_patch adding two files (codex asks under ``--sandbox read-only``), then
  DONE by an escalated command;
- ``relayed``: the demo's sshd behind a TcpRelay, reached through it; the first answer streams
  slowly and the relay cuts every connection once it is under way; then DONE in the sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from optio_codex.testing import scripted_agent, sshd
from optio_codex.testing.model_server import (
    RecordedRequest,
    Step,
    apply_patch,
    exec_command,
    slow,
    text,
)
from optio_codex.testing.relay import TcpRelay

Script = Callable[[RecordedRequest], Step]

PATCH = (
    "*** Begin Patch\n"
    "*** Add File: notes/plan.txt\n+one\n+two\n+three\n"
    "*** Add File: notes/todo.txt\n+four\n"
    "*** End Patch\n"
)
# Words with numbers: a lost or repeated stretch of the stream shows in the printed text.
SLOW_ANSWER = " ".join(f"word{i:03d}" for i in range(90)) + "."
DONE = "echo DONE >> optio.log"


def _calls(request: RecordedRequest) -> str:
    items = request.body.get("input") or []
    kinds = ("function_call", "custom_tool_call")
    return " ".join(
        str(i.get("arguments") or i.get("input")) for i in items if i.get("type") in kinds
    )


def patch(*_args: Any, **_kw: Any) -> Script:
    def next_step(request: RecordedRequest) -> Step:
        calls = _calls(request)
        if DONE in calls:
            return text("Notes written.")
        if "Add File" in calls:
            return exec_command(DONE, justification="Report completion.")
        return apply_patch(PATCH)

    return next_step


_relay: list[TcpRelay] = []


def relayed(*_args: Any, **_kw: Any) -> Script:
    def next_step(request: RecordedRequest) -> Step:
        if DONE in _calls(request):
            return text("Done.")
        said = " ".join(str(i.get("content")) for i in request.body.get("input") or [])
        if SLOW_ANSWER in said:  # the answer is in, and the run asks for more: DONE
            return exec_command(DONE, escalate=False)
        # The cut lands while the answer streams (9 chunks a second for 10 s).
        asyncio.get_running_loop().call_later(2.0, _cut)
        return slow(SLOW_ANSWER, 0.11, chunk_size=8)

    return next_step


_cuts: set[asyncio.Task[int]] = set()


def _cut() -> None:
    for relay in _relay:
        task = asyncio.ensure_future(relay.cut())
        _cuts.add(task)
        task.add_done_callback(_cuts.discard)


class RelayedSshd:
    """The demo's LoopbackSshd, reached through a TcpRelay (whose port the known_hosts names)."""

    def __init__(self, workdir: Path | None = None, **kw: Any) -> None:
        self._sshd = _LoopbackSshd(workdir, **kw)
        self._relay: TcpRelay | None = None

    async def __aenter__(self) -> sshd.SshdInfo:
        info = await self._sshd.__aenter__()
        self._relay = relay = TcpRelay(info.host, info.port)
        await relay.start()
        _relay.append(relay)
        with info.known_hosts_path.open("a") as known:
            known.write(f"[{info.host}]:{relay.port} {info.host_public_key}\n")
        return dataclasses.replace(info, port=relay.port)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._relay is not None:
            await self._relay.stop()
        await self._sshd.__aexit__(kind, exc, tb)


_LoopbackSshd = sshd.LoopbackSshd
SCRIPTS: dict[str, Callable[..., Script]] = {"patch": patch, "relayed": relayed}


def main(argv: list[str]) -> int:
    from optio_codex.cli.main import main as optio_codex

    scripted_agent.deliverable_agent = SCRIPTS[argv[0]]  # what the demo imports when it runs
    if argv[0] == "relayed":
        sshd.LoopbackSshd = RelayedSshd  # type: ignore[misc,assignment]
    return optio_codex(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
