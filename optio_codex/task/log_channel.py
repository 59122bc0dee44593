"""The optio.log keyword channel across a restart: which lines the agent wrote while no run
was reading them must be read again by the resumed run.

Each resumed run's start appends optio.log to ``PREVIOUS_LOG_NAME`` (the host adapter's
ROTATE_LOG); the replay puts the unread lines back into optio.log, and only then empties the
previous log. A run that dies in between leaves both: the next one reads them again, once
(lines are replayed once each, in their first order).
"""

from __future__ import annotations

from collections.abc import Iterable

from optio_agents.protocol.parser import DeliverableEvent, DoneEvent, ErrorEvent, parse_log_line

from optio_codex.hosts.host_scripts import HostOps, read_file, write_file
from optio_codex.hosts.optio_host_adapter import PREVIOUS_LOG_NAME


def lines_to_replay(previous_log: str, delivered: Iterable[str]) -> list[str]:
    """DELIVERABLE lines not yet handed over, and every DONE/ERROR, in their order."""
    delivered = set(delivered)
    keep: list[str] = []
    for line in dict.fromkeys(previous_log.splitlines()):  # a line rotated twice, once
        event = parse_log_line(line)
        if isinstance(event, DeliverableEvent):
            if not any(d.endswith(event.path.lstrip("./")) for d in delivered):
                keep.append(line)
        elif isinstance(event, DoneEvent | ErrorEvent):
            keep.append(line)
    return keep


async def replay_log(ops: HostOps, workspace: str, delivered: Iterable[str]) -> None:
    """On a resume the host appended the old optio.log to ``PREVIOUS_LOG_NAME`` instead of
    emptying it; the lines a run never read go back into the live one, then the previous log
    is emptied (it is read again only if this run dies before that)."""
    path = f"{workspace}/{PREVIOUS_LOG_NAME}"
    previous = await read_file(ops, path)
    if not previous:
        return
    keep = lines_to_replay(previous, delivered)
    if keep:
        data = ("\n".join(keep) + "\n").encode()
        await write_file(ops, f"{workspace}/optio.log", data, append=True)
    await write_file(ops, path, b"")
