"""The host's half of capture and restore: POSIX sh with GNU find, sha256sum, tar and gzip.

A host may have no Python, so nothing here needs more than coreutils, findutils, tar and gzip.
One exec per root does a whole capture in a conversation over its stdin/stdout:

1. it prints ``OPTIO-SCAN ok`` (or ``missing``), then the listing: ``find -printf`` records
   ``"<type> <mode> <size> <mtime> ./<path>\\0<link target>\\0"``, ended by an empty record;
2. it reads ``<n>\\n`` and n bytes of NUL-separated paths, and prints ``sha256sum`` of them
   (files whose size is unchanged but whose mtime moved: their content decides), then ``\\0``;
3. it reads ``<n> <gzip|none>\\n`` and n bytes of NUL-separated paths, and streams ``tar`` of
   exactly those files on stdout (through ``gzip -1`` when asked), then exits.

The worker answers each step at once, so a capture costs the exec and about two round trips
whatever the number of files. Restore is one exec: a gzip stream of a tar on stdin, extracted
by ``tar -x`` into the target directory. Paths and excludes are arguments, never secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from optio_codex.hosts.host_scripts import SCRIPT_PRELUDE, HostProcess
from optio_codex.snapshots.model import SnapshotError

# $1 root, $2 number of excludes, $3 number of files, then the excludes,
# then the files (none: the whole tree). Excludes follow optio-host's meaning: a pattern
# without "/" matches any single path segment (find -name), one with "/" the whole relative
# path (find -path). Builds find's argument list in "$@" (POSIX sh has no arrays).
CAPTURE_SCRIPT = SCRIPT_PRELUDE + (
    'root=$(expand "$1") || fail "root is not absolute: $1"; '
    "ne=$2; nf=$3; shift 3; "
    'cd "$root" 2>/dev/null || { printf "OPTIO-SCAN missing\\n"; exit 0; }; '
    'printf "OPTIO-SCAN ok\\n"; '
    "n=$#; i=0; starts=0; "
    'for a; do i=$((i+1)); if [ $i -gt "$ne" ] && { [ -e "./$a" ] || [ -L "./$a" ]; }; '
    'then set -- "$@" "./$a"; starts=$((starts+1)); fi; done; '
    'if [ "$nf" -eq 0 ]; then set -- "$@" .; starts=1; fi; '
    'set -- "$@" "(" -false; i=0; '
    'for a; do i=$((i+1)); [ $i -gt "$n" ] && break; [ $i -gt "$ne" ] && break; '
    'case "$a" in */*) set -- "$@" -o -path "./$a";; *) set -- "$@" -o -name "$a";; esac; '
    "done; shift $n; "
    'if [ "$starts" -gt 0 ]; then '
    'find "$@" ")" -prune -o -printf \'%y %m %s %T@ %p\\0%l\\0\' 2>/dev/null; fi; '
    "printf '\\0'; "
    'read -r n; if [ "$n" -gt 0 ]; then head -c "$n" | xargs -0 sha256sum -- 2>/dev/null; fi; '
    "printf '\\0'; "
    'read -r n z; if [ "$z" = gzip ]; then '
    'head -c "$n" | tar -c -f - --null --no-recursion -T - | gzip -1; '
    'else head -c "$n" | tar -c -f - --null --no-recursion -T -; fi'
)

# $1 root: another stream of step 3 (a capture's files in several streams at once).
TRANSFER_SCRIPT = SCRIPT_PRELUDE + (
    'root=$(expand "$1") || fail "root is not absolute: $1"; cd "$root" || fail "no $root"; '
    'read -r n z; if [ "$z" = gzip ]; then '
    'head -c "$n" | tar -c -f - --null --no-recursion -T - | gzip -1; '
    'else head -c "$n" | tar -c -f - --null --no-recursion -T -; fi'
)

# $1 target directory; on stdin "gzip" or "none", then a tar (a gzip stream of one for
# "gzip"). -p keeps the modes, --no-same-owner leaves files to the user restoring them (as
# root too).
RESTORE_SCRIPT = SCRIPT_PRELUDE + (
    'dir=$(expand "$1") || fail "target is not absolute: $1"; '
    'mkdir -p "$dir" || fail "cannot create $dir"; cd "$dir" || fail "cannot enter $dir"; '
    "read -r z; "
    'if [ "$z" = gzip ]; then gzip -dc | tar -x -p --no-same-owner -f - || fail "tar -x failed"; '
    'else tar -x -p --no-same-owner -f - || fail "tar -x failed in $dir"; fi; '
    "printf 'OPTIO-RESULT {}\\n'"
)

READ_SIZE = 256 * 1024


async def abandon(process: HostProcess) -> None:
    """Stop a script mid-way and reap it (a killed local child is waited for, not leaked)."""
    process.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(process.finish(2.0), 3.0)


@dataclass(frozen=True)
class Listed:
    """One ``find`` record: type ('f', 'd', 'l', others skipped), mode, size, mtime text."""

    kind: str
    mode: int
    size: int
    mtime: str
    path: str  # relative to the root, no "./"
    link: str


class HostReader:
    """Buffered reads over a host process's stdout, counting every byte that arrived."""

    def __init__(self, process: HostProcess) -> None:
        self.process = process
        self.buffer = bytearray()
        self.received = 0
        self.eof = False

    async def fill(self) -> bool:
        if self.eof:
            return False
        data = await self.process.read(READ_SIZE)
        if not data:
            self.eof = True
            return False
        self.received += len(data)
        self.buffer += data
        return True

    async def until(self, marker: bytes) -> bytes:
        """Bytes up to ``marker`` (consumed, not returned)."""
        start = 0
        while True:
            at = self.buffer.find(marker, start)
            if at >= 0:
                out = bytes(self.buffer[:at])
                del self.buffer[: at + len(marker)]
                return out
            start = max(0, len(self.buffer) - len(marker) + 1)
            if not await self.fill():
                raise SnapshotError("the host stopped before the end of its report")

    async def exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not await self.fill():
                raise SnapshotError("the host's stream ended early")
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    async def some(self) -> bytes:
        """Whatever is buffered, or the next read (b"" at the end)."""
        if not self.buffer and not await self.fill():
            return b""
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


async def read_listing(reader: HostReader) -> list[Listed]:
    """The records of step 1, up to the empty record that ends them."""
    records: list[Listed] = []
    while True:
        head = await reader.until(b"\0")
        if not head:
            return records
        link = await reader.until(b"\0")
        kind, mode, size, mtime, path = head.decode("utf-8", "surrogateescape").split(" ", 4)
        if path == ".":
            continue
        records.append(
            Listed(
                kind,
                int(mode, 8),
                int(size),
                mtime,
                path.removeprefix("./"),
                link.decode("utf-8", "surrogateescape"),
            )
        )


def parse_sums(text: bytes) -> dict[str, str]:
    """``sha256sum`` lines -> {relative path: hex}; names with a newline or backslash come
    escaped (a leading backslash)."""
    sums: dict[str, str] = {}
    for line in text.split(b"\n"):
        if not line:
            continue
        escaped = line.startswith(b"\\")
        if escaped:
            line = line[1:]
        digest, name = line[:64].decode(), line[66:].decode("utf-8", "surrogateescape")
        if escaped:
            name = _unescape(name)
        sums[name.removeprefix("./")] = digest
    return sums


def _unescape(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        ch = name[i]
        if ch == "\\" and i + 1 < len(name):
            nxt = name[i + 1]
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def path_list(paths: Sequence[str], mode: str = "") -> bytes:
    """A request of steps 2 and 3: ``<n>[ mode]\\n`` then the NUL-separated ``./`` paths."""
    body = b"".join(b"./" + p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
    return f"{len(body)} {mode}".strip().encode() + b"\n" + body


def capture_args(host_path: str, exclude: Sequence[str], files: Sequence[str] | None) -> list[str]:
    listed = list(files or ())
    return [
        host_path,
        str(len(exclude)),
        str(len(listed)),
        *exclude,
        *listed,
    ]
