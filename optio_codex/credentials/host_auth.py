"""The task's auth.json on its host, read cheaply and safely.

A poll is one exec of a one-line script: ``stat`` first, the content only when the file's
signature (inode, size, mtime to the nanosecond) differs from the last one seen. The content
travels on the exec's stdout; the path is the only argument. codex rewrites the file in place
(O_TRUNC, then write), so a read may catch it half-written: the caller parses it and, if it
is no JSON yet, reads again at the next poll.
"""

from __future__ import annotations

from dataclasses import dataclass

from optio_codex.hosts.host_scripts import HostOps, HostScriptError, finish

# $1 the file, $2 the signature already seen. Prints "MISSING", "SAME", or "SIG <sig>" and
# then the content.
_POLL_SCRIPT = (
    "set -u; umask 077; f=$1; "
    '[ -f "$f" ] || { echo MISSING; exit 0; }; '
    "s=$(stat -c '%i:%s:%.9Y' \"$f\" 2>/dev/null) || s=; "
    'if [ -n "$s" ] && [ "$s" = "$2" ]; then echo SAME; exit 0; fi; '
    'echo "SIG ${s:-unknown}"; cat "$f"'
)


@dataclass(frozen=True)
class AuthRead:
    """One poll: ``signature`` to pass to the next, ``content`` only when it changed."""

    exists: bool
    signature: str
    content: bytes | None


async def poll_auth_file(
    ops: HostOps, path: str, seen: str = "", *, timeout: float = 20.0
) -> AuthRead:
    """The file at ``path`` if its signature moved on from ``seen`` (or ``seen`` is "")."""
    result = await finish(await ops.start(_POLL_SCRIPT, [path, seen]), timeout)
    head, _sep, rest = result.stdout.partition(b"\n")
    line = head.decode(errors="replace").strip()
    if line == "MISSING":
        return AuthRead(False, "", None)
    if line == "SAME":
        return AuthRead(True, seen, None)
    if line.startswith("SIG "):
        signature = line.removeprefix("SIG ")
        # "unknown" (no GNU stat): never equal to what was seen, so every poll reads.
        return AuthRead(True, "" if signature == "unknown" else signature, rest)
    note = result.stderr.decode(errors="replace").strip()[-300:]
    raise HostScriptError(f"could not read {path}: exit {result.returncode} {note}".strip())
