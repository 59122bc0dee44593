"""Uploads and downloads on the task's host, for the codex view's file buttons and links.

Both run as one /bin/sh script on the host through :class:`HostOps` (SSH or the worker
itself) with coreutils only: the host may have no Python. Paths and names travel in argv as
octal escapes that the script's ``printf`` turns back into bytes, so any name (spaces, ``!``,
non-ASCII) survives the remote login shell; file contents travel on stdin (uploads) or stdout
(downloads), as bytes.

Downloads are resolved ON THE HOST: ``realpath`` of ``<workspace>/<relpath>`` must be the
workspace's own real path or inside it, so a symlink the agent made pointing outside is
refused. The same script checks and reads, through the resolved path, from a descriptor it
opened once; on Linux it then asks ``/proc`` what that descriptor really is, so swapping a
path component for a symlink between the check and the read gains nothing. The size is taken
from ``stat`` before reading and the read stops at ``max_bytes + 1`` whatever the file does.

Uploads keep the basename only and land in ``<workspace>/uploads/`` through a temporary file
and a rename in that directory (readers never see half a file; a same-named file is
replaced). A symlinked ``uploads/`` or target, or an ``uploads/`` that resolves anywhere but
``<workspace>/uploads``, is refused.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import asyncssh
from optio_agents.uploads import safe_upload_relpath

from optio_codex.hosts.errors import OptioCodexError
from optio_codex.hosts.host_scripts import (
    HostOps,
    HostScriptError,
    finish,
    parse_result_line,
    run_script,
)

log = logging.getLogger(__name__)

# A transfer may take a while over a slow link; a bounded wait that grows with the size.
_BASE_TIMEOUT = 30.0
_BYTES_PER_SECOND = 1 << 20


class FileRefused(Exception):
    """A download the listener answers with ``status`` and ``{"ok": false, "reason": ...}``."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


class UploadRefused(HostScriptError, ValueError):
    """The host refused an upload (a symlinked uploads/ or target, a short write, ...)."""


@dataclass(frozen=True)
class Download:
    data: bytes
    name: str  # the last path segment, for Content-Disposition
    size: int


_STATUS = {"bad-path": 400, "forbidden": 403, "not-found": 404, "too-large": 413}
_MESSAGES = {
    "bad-path": "no usable path given",
    "forbidden": "the path leaves the task's workdir",
    "not-found": "no such file in the task's workdir",
    "too-large": "the file is bigger than the download limit",
}


def _refused(reason: str, detail: str = "") -> FileRefused:
    message = _MESSAGES[reason] + (f": {detail}" if detail else "")
    return FileRefused(_STATUS[reason], reason, message)


def _octal(text: str) -> str:
    """``text`` as printf octal escapes: plain ASCII for the exec string, any bytes back."""
    return "".join(f"\\{byte:03o}" for byte in text.encode("utf-8"))


def _timeout(size: int) -> float:
    return _BASE_TIMEOUT + size / _BYTES_PER_SECOND


# --- downloads ----------------------------------------------------------------------------

# $1 workspace, $2 path (octal escapes), $3 fallback path (octal escapes, or ""), $4 max bytes.
# Reports one OPTIO-RESULT line, then (when not refused) at most $4+1 bytes of the file.
# ``{ ...; } 3< "$f"``: a failed redirection of a compound command does not end the shell.
_DOWNLOAD_SCRIPT = (
    "set -u; "
    'r() { printf \'OPTIO-RESULT {"refused":"%s"}\\n\' "$1"; exit 0; }; '
    '[ -d "$1" ] || r not-found; ws=$(realpath "$1" 2>/dev/null) || r not-found; '
    'p=$(printf "$2"); alt=0; '
    'if [ -n "$3" ]; then [ -e "$ws/$p" ] || [ -L "$ws/$p" ] || { p=$(printf "$3"); alt=1; }; fi; '
    'f=$(realpath "$ws/$p" 2>/dev/null) || r not-found; '
    'case "$f" in "$ws"|"$ws"/*) ;; *) r forbidden;; esac; '
    '[ -f "$f" ] || r not-found; '
    's=$(stat -L -c %s "$f" 2>/dev/null || stat -L -f %z "$f" 2>/dev/null || wc -c < "$f") '
    "|| r not-found; "
    's=${s##* }; [ "$s" -le "$4" ] || r too-large; '
    "{ if [ -e /proc/$$/fd/3 ]; then o=$(readlink /proc/$$/fd/3) || r forbidden; "
    'case "$o" in "$ws"/*) ;; *) r forbidden;; esac; [ -f /proc/$$/fd/3 ] || r not-found; fi; '
    'printf \'OPTIO-RESULT {"size":%s,"alt":%s}\\n\' "$s" "$alt"; '
    'head -c "$(($4 + 1))" <&3; exit $?; } 3< "$f" || r not-found'
)

_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}")


def _check_path(relpath: str) -> FileRefused | None:
    """What is wrong with ``relpath`` before asking the host (None: ask the host)."""
    if not relpath or "\0" in relpath or "\n" in relpath:
        return _refused("bad-path")
    if relpath.startswith("/"):
        return _refused("forbidden", "an absolute path")
    normal = posixpath.normpath(relpath)
    if normal == ".." or normal.startswith("../"):
        return _refused("forbidden", "'..' climbs out")
    try:
        relpath.encode("utf-8")
    except UnicodeEncodeError:
        return _refused("bad-path")
    return None


def _fallback(relpath: str) -> str:
    """The path once unquoted, when it holds ``%XX`` escapes ("" when it does not).

    The dashboard's markdown pipeline percent-encodes an ``optio-file:`` link and the view
    encodes it again for the query string, so after one decoding a name with spaces or
    non-ASCII characters still reads ``my%20file.txt``. A file may also really be named with
    a ``%``, so the path as given is tried first and the unquoted one only if that is absent.
    """
    if not _ESCAPED.search(relpath):
        return ""
    unquoted = unquote(relpath)
    return unquoted if unquoted != relpath else ""


def _last_segment(relpath: str) -> str:
    return relpath.rstrip("/").rsplit("/", 1)[-1]


async def read_download(ops: HostOps, workspace: str, relpath: str, max_bytes: int) -> Download:
    """The bytes of ``<workspace>/<relpath>`` on the host, or :class:`FileRefused`."""
    problem = _check_path(relpath)
    if problem is not None:
        raise problem
    fallback = _fallback(relpath)
    fallback_problem = _check_path(fallback) if fallback else None
    if fallback_problem is not None:
        fallback = ""
    try:
        report, data = await _run_download(ops, workspace, relpath, fallback, max_bytes)
    except (HostScriptError, OptioCodexError, asyncssh.Error, OSError, TimeoutError) as exc:
        log.warning("download of %r failed on the host: %s", relpath, exc)
        raise FileRefused(502, "host-error", f"the host did not answer: {exc}") from exc
    refused = report.get("refused")
    if refused == "not-found" and fallback_problem is not None:
        raise fallback_problem
    if isinstance(refused, str):
        raise _refused(refused if refused in _STATUS else "not-found")
    if len(data) > max_bytes:  # it grew after the size check
        raise _refused("too-large", "it grew while being read")
    used = fallback if report.get("alt") else relpath
    return Download(data=data, name=_last_segment(used), size=len(data))


async def _run_download(
    ops: HostOps, workspace: str, relpath: str, fallback: str, max_bytes: int
) -> tuple[dict[str, Any], bytes]:
    args = [workspace, _octal(relpath), _octal(fallback) if fallback else "", str(max_bytes)]
    process = await ops.start(_DOWNLOAD_SCRIPT, args)
    result = await finish(process, _timeout(max_bytes))
    header, _, data = result.stdout.partition(b"\n")
    report = parse_result_line(header, "RESULT", result.stderr)
    if "refused" not in report and result.returncode != 0:
        raise HostScriptError(
            f"reading the file stopped with status {result.returncode}: "
            + result.stderr.decode(errors="replace").strip()[-300:]
        )
    return report, data


# --- uploads ------------------------------------------------------------------------------

# $1 workspace, $2 basename (octal escapes), $3 byte count; the data on stdin. The temporary
# file is opened once for appending (it must be new and empty); on Linux /proc confirms the
# descriptor is that file before a byte is written. umask 022: the agent reads uploads.
_UPLOAD_SCRIPT = (
    "set -u; umask 022; "
    "fail() { printf 'OPTIO-ERROR %s\\n' \"$1\"; exit 3; }; "
    '[ -d "$1" ] || fail "the workdir $1 does not exist"; '
    'ws=$(realpath "$1" 2>/dev/null) || fail "the workdir $1 does not exist"; '
    'n=$(printf "$2"); u="$ws/uploads"; '
    '[ -L "$u" ] && fail "uploads/ is a symbolic link"; '
    '[ -d "$u" ] || mkdir "$u" || fail "cannot create uploads/"; '
    '[ "$(realpath "$u")" = "$u" ] || fail "uploads/ resolves outside the workdir"; '
    't="$u/$n"; [ -L "$t" ] && fail "uploads/$n is a symbolic link"; '
    '[ -d "$t" ] && fail "uploads/$n is a directory"; '
    'tmp="$u/.optio-upload.$$.tmp"; [ -e "$tmp" ] || [ -L "$tmp" ] && rm -f "$tmp"; '
    "{ d=$tmp; if [ -e /proc/$$/fd/4 ]; then d=/proc/$$/fd/4; "
    '[ "$(readlink "$d")" = "$tmp" ] || fail "the temporary file was replaced"; fi; '
    '[ -s "$d" ] && fail "the temporary file was not empty"; '
    'cat >&4 || fail "cannot write uploads/$n"; } 4>> "$tmp" || fail "cannot write uploads/$n"; '
    'w=$(wc -c < "$tmp"); w=${w##* }; '
    '[ "$w" = "$3" ] || { rm -f "$tmp"; fail "short write: $w of $3 bytes arrived"; }; '
    'mv -f "$tmp" "$t" || { rm -f "$tmp"; fail "cannot move the file into uploads/"; }; '
    "printf 'OPTIO-RESULT {}\\n'"
)


def upload_relpath(filename: str) -> str:
    """``uploads/<basename>`` for a client-supplied name; ValueError for an unsafe one."""
    if "\0" in filename or "\n" in filename or "\r" in filename:
        raise ValueError(f"unsafe upload filename: {filename!r} (control characters)")
    relpath: str = safe_upload_relpath(filename)
    return relpath


async def write_upload(
    ops: HostOps, workspace: str, filename: str, data: bytes, max_bytes: int
) -> str:
    """Write ``data`` to ``<workspace>/uploads/<basename>`` on the host; the relative path.

    ValueError (nothing written) for an unsafe name, data over ``max_bytes``, or a refusal
    on the host; a host that cannot be reached raises what the connection raises.
    """
    relpath = upload_relpath(filename)
    name = relpath.removeprefix("uploads/")
    if len(data) > max_bytes:
        raise ValueError(f"{name!r} exceeds the size limit ({max_bytes} bytes)")
    args = [workspace, _octal(name), str(len(data))]
    await run_script(
        ops,
        _UPLOAD_SCRIPT,
        args,
        stdin=data,
        timeout=_timeout(len(data)),
        error=UploadRefused,
    )
    return relpath


__all__ = [
    "Download",
    "FileRefused",
    "UploadRefused",
    "read_download",
    "upload_relpath",
    "write_upload",
]
