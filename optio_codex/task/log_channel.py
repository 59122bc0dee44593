"""The optio.log keyword channel across a restart: which lines the agent wrote while no run
was reading them must be read again by the resumed run."""

from __future__ import annotations

from collections.abc import Iterable

from optio_agents.protocol.parser import DeliverableEvent, DoneEvent, ErrorEvent, parse_log_line

from optio_codex.hosts.host_scripts import HostOps, read_file, write_file
from optio_codex.hosts.optio_host_adapter import PREVIOUS_LOG_NAME


def lines_to_replay(previous_log: str, delivered: Iterable[str]) -> list[str]:
    """DELIVERABLE lines not yet handed over, and every DONE/ERROR, in their order."""
    delivered = set(delivered)
    keep = []
    for line in previous_log.splitlines():
        event = parse_log_line(line)
        if isinstance(event, DeliverableEvent):
            if not any(d.endswith(event.path.lstrip("./")) for d in delivered):
                keep.append(line)
        elif isinstance(event, DoneEvent | ErrorEvent):
            keep.append(line)
    return keep


async def replay_log(ops: HostOps, workspace: str, delivered: Iterable[str]) -> None:
    """On a resume the host moved the old optio.log aside (``PREVIOUS_LOG_NAME``) instead of
    emptying it; the lines a run never read go back into the live one."""
    previous = await read_file(ops, f"{workspace}/{PREVIOUS_LOG_NAME}")
    keep = lines_to_replay(previous, delivered)
    if keep:
        data = ("\n".join(keep) + "\n").encode()
        await write_file(ops, f"{workspace}/optio.log", data, append=True)
