"""``optio-codex run --demo`` stopped in a chosen state, for the interrupt tests.

    python -m tests.support.cli_interrupt_scripts STATE run --demo ...

Everything is the real command line (engine, mongod, sshd, codex); this only arranges the
state and prints a marker line once the run is in it:

- ``turn``: the model holds the first turn (a gate never released): mid-turn;
- ``outage``: SSH goes through a relay; when the model gets the first request the relay goes
  down (connections cut, new ones reset) and the turn is held: codex is unreachable;
- ``provisioning``: provisioning does its work, then hangs before it returns (a slow push);
- ``silent``: the agent answers every turn with words, never with DONE (no marker).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from optio_codex.testing import scripted_agent, sshd
from optio_codex.testing.model_server import Gate, RecordedRequest, Step, text
from optio_codex.testing.relay import TcpRelay

MARKS = {
    "turn": "[test: the model holds the turn]",
    "outage": "[test: the host is unreachable]",
    "provisioning": "[test: provisioning hangs]",
}
SILENT = "I had a look around; that is all."
_RELAYS: list[TcpRelay] = []


def _mark(state: str) -> None:
    print(f"\n{MARKS[state]}", flush=True)


def _holding(state: str, before: Callable[[], None] = lambda: None) -> Any:
    def agent(*_args: Any, **_kw: Any) -> Callable[[RecordedRequest], Step]:
        gate = Gate()

        def next_step(request: RecordedRequest) -> Step:
            before()
            _mark(state)
            return text("never").held(gate)

        return next_step

    return agent


def _cut_the_relay() -> None:
    for relay in _RELAYS:
        relay.set_down(True)


class _RelayedSshd(sshd.LoopbackSshd):
    """The demo's sshd, reached through a relay the script can take down."""

    async def __aenter__(self) -> sshd.SshdInfo:
        info = await super().__aenter__()
        relay = TcpRelay(info.host, info.port)
        await relay.start()
        _RELAYS.append(relay)
        known = info.known_hosts_path.with_name(f"known_hosts-{relay.port}")
        known.write_text(f"[{info.host}]:{relay.port} {info.host_public_key}\n")
        return dataclasses.replace(info, port=relay.port, known_hosts_path=known)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for relay in _RELAYS:
            await relay.stop()
        await super().__aexit__(kind, exc, tb)


def _hang_in_provisioning() -> None:
    import optio_codex.task.run as task_run

    real = task_run.provision_codex

    async def provision_codex(*args: Any, **kw: Any) -> Any:
        result = await real(*args, **kw)
        _mark("provisioning")
        await asyncio.Event().wait()
        return result

    task_run.provision_codex = provision_codex  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    from optio_codex.cli.main import main as optio_codex

    state = argv[0]
    if state == "turn":
        scripted_agent.deliverable_agent = _holding("turn")
    elif state == "outage":
        sshd.LoopbackSshd = _RelayedSshd  # type: ignore[misc]
        scripted_agent.deliverable_agent = _holding("outage", before=_cut_the_relay)
    elif state == "provisioning":
        _hang_in_provisioning()
    elif state == "silent":
        scripted_agent.deliverable_agent = lambda *_a, **_k: text(SILENT)
    else:
        raise SystemExit(f"unknown state {state!r}")
    return optio_codex(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
