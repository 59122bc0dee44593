"""The codex terminal UI in tmux on the task's host: its files, its start, input, and its end.

Everything lives in ``<task dir>/home/.optio-tui/`` (never a shared /tmp): the tmux socket,
tmux's own config, the environment (a 0600 file read by the shell that starts tmux, so no
value is on a command line) and ``codex.sh``, the pane's program. codex.sh runs the pinned
codex with ``--no-daemon`` (no background daemon outliving the task) and, when codex exits,
writes the end to optio.log: ``DONE`` after a clean exit, else ``ERROR`` with the pane's last
lines. The files travel in the provisioning tar (see :func:`tui_files`); each operation below
is one exec on the host.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optio_agents.tmux_input import NAV_KEYS

from optio_codex.hosts.host_scripts import SCRIPT_PRELUDE, HostOps, HostScriptError, run_script
from optio_codex.hosts.task_spec import TaskPaths

TUI_DIR = "home/.optio-tui"  # relative to the task dir; out of codex's writable roots
SESSION = "codex"
# Unix socket paths are limited to 107 bytes (sun_path); tmux refuses longer ones.
MAX_SOCKET_PATH = 100
# Typed text is pasted, then Enter follows as a keypress of its own once the TUI took it in.
SUBMIT_SETTLE = "0.3"
_THREAD_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{7,63}$")

# Read by tmux before the pane starts, so codex sees the right TERM from its first frame.
TMUX_CONF = b"""\
# optio-codex: the tmux of one task's codex terminal UI (optio_codex/tui/)
set -g status off
set -s escape-time 0
set -g default-terminal xterm-256color
set -ga terminal-overrides ",xterm-256color:Tc"
set -g history-limit 5000
set -g window-size latest
set -g remain-on-exit off
"""


class TuiHostError(HostScriptError):
    """The terminal UI could not be started or reached on the host."""


@dataclass(frozen=True)
class TuiPaths:
    """Where the task's terminal UI lives on its host."""

    task_dir: str
    workspace: str

    @property
    def dir(self) -> str:
        return f"{self.task_dir}/{TUI_DIR}"

    @property
    def socket(self) -> str:
        return f"{self.dir}/tmux.sock"

    @classmethod
    def of(cls, paths: TaskPaths) -> TuiPaths:
        tui = cls(paths.task_dir, paths.workspace)
        if len(tui.socket.encode()) > MAX_SOCKET_PATH:
            raise ValueError(
                f"task_root: the tmux socket {tui.socket!r} would be longer than "
                f"{MAX_SOCKET_PATH} bytes; choose a shorter task_root for mode='iframe'"
            )
        return tui


def codex_script(workspace: str) -> bytes:
    log = shlex.quote(f"{workspace}/optio.log")
    return f"""#!/bin/sh
# optio-codex: the pane's program. $1 is codex; the rest are its arguments (resume <thread>).
codex=$1; shift
"$codex" --no-daemon "$@"
rc=$?
if [ "$rc" -eq 0 ]; then echo DONE >> {log}; exit 0; fi
last=$(tmux capture-pane -p -J -S -200 -t "$TMUX_PANE" 2>/dev/null \\
  | sed -e 's/[[:space:]]*$//' | grep -v '^$' | tail -n 15 | paste -s -d '|' -)
printf 'ERROR: codex exited with status %s; its last lines: %s\\n' "$rc" "$last" >> {log}
exit "$rc"
""".encode()


def env_file(env: Mapping[str, str]) -> bytes:
    """The pane's whole environment as shell assignments (the file is 0600)."""
    lines = ["# optio-codex: the environment of the task's codex terminal UI"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in sorted(env.items())]
    return ("\n".join(lines) + "\n").encode()


def tui_env(
    paths: TaskPaths, extra: Mapping[str, str] | None, browser: str | None
) -> dict[str, str]:
    """codex's environment (the app-server's) for a terminal: colours and a TERM."""
    env = dict(paths.env(extra))
    env.pop("NO_COLOR", None)  # the app-server's logs want none; a terminal wants colours
    env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor"})
    if browser:
        env["BROWSER"] = browser  # a login's browser step becomes a BROWSER line
    return env


def tui_files(paths: TaskPaths, env: Mapping[str, str]) -> list[tuple[str, bytes, int]]:
    """The files of the provisioning tar (relative to the task dir)."""
    return [
        (f"{TUI_DIR}/codex.sh", codex_script(paths.workspace), 0o700),
        (f"{TUI_DIR}/env", env_file(env), 0o600),
        (f"{TUI_DIR}/tmux.conf", TMUX_CONF, 0o600),
    ]


def codex_args(resume_thread_id: str | None) -> list[str]:
    if resume_thread_id is None:
        return []
    if not _THREAD_ID.fullmatch(resume_thread_id):
        raise ValueError(f"not a codex thread id: {resume_thread_id!r}")
    return ["resume", resume_thread_id]


# $1 tui dir, $2 workspace, $3 columns, $4 rows, $5 codex, $6.. codex's arguments. The
# environment is the file's alone (env -i), so the tmux server, and the sweep that finds a
# task's processes by CODEX_HOME, see the task's HOME, CODEX_HOME and TMPDIR.
_LAUNCH = (
    SCRIPT_PRELUDE + "dir=$1; ws=$2; cols=$3; rows=$4; shift 4; "
    'tmux=$(command -v tmux) || fail "tmux is not installed on the host (mode=iframe runs '
    'the codex terminal UI in tmux)"; '
    '[ -f "$dir/env" ] || fail "$dir/env is missing: the task was not provisioned for the TUI"; '
    '"$tmux" -S "$dir/tmux.sock" kill-server 2>/dev/null; rm -f "$dir/tmux.sock"; '
    'env -i /bin/sh -c \'. "$0/env" || exit 3; d=$0; t=$1; c=$2; r=$3; w=$4; shift 4; '
    'exec "$t" -S "$d/tmux.sock" -f "$d/tmux.conf" new-session -d -s codex -x "$c" -y "$r" '
    '-c "$w" /bin/sh "$d/codex.sh" "$@"\' "$dir" "$tmux" "$cols" "$rows" "$ws" '
    '"$@" 2>"$dir/tmux.err" || fail "tmux did not start: $(head -c 500 "$dir/tmux.err")"; '
    'printf \'OPTIO-RESULT {"tmux":"%s"}\\n\' "$tmux"'
)
# $1 socket; 0 while the session exists.
_ALIVE = (
    'if tmux -S "$1" has-session -t codex 2>/dev/null; then s=alive; else s=gone; fi; '
    'printf \'OPTIO-RESULT {"state":"%s"}\\n\' "$s"'
)
# $1 socket: returns once the session is gone (codex ended), polling on the host itself.
_WAIT_GONE = (
    'while tmux -S "$1" has-session -t codex 2>/dev/null; do sleep 1; done; '
    "printf 'OPTIO-RESULT {}\\n'"
)
# $1 CODEX_HOME: the newest rollout's name (codex names it after its thread), or nothing.
_NEWEST_ROLLOUT = (
    'ls -t "$1"/sessions/*/*/*/rollout-*.jsonl 2>/dev/null | head -n 1; '
    "printf '\\nOPTIO-RESULT {}\\n'"
)
_ROLLOUT_THREAD = re.compile(
    r"rollout-.*-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$"
)
# $1 socket, $2 seconds to settle; the text on stdin (never on a command line).
_PASTE = (
    'set -u; tmux -S "$1" load-buffer -b optio-input - && '
    'tmux -S "$1" paste-buffer -p -d -b optio-input -t codex && sleep "$2" && '
    "tmux -S \"$1\" send-keys -t codex Enter && printf 'OPTIO-RESULT {}\\n'"
)
# $1 socket, $2 key name (one of NAV_KEYS, checked before).
_KEY = 'tmux -S "$1" send-keys -t codex "$2" && printf \'OPTIO-RESULT {}\\n\''
# $1 socket: the visible screen as text.
_CAPTURE = "tmux -S \"$1\" capture-pane -p -t codex 2>/dev/null; printf '\\nOPTIO-RESULT {}\\n'"
# $1 socket.
_KILL = 'tmux -S "$1" kill-server 2>/dev/null; rm -f "$1"; printf \'OPTIO-RESULT {}\\n\''


async def launch(
    ops: HostOps, tui: TuiPaths, codex: str, args: Sequence[str], size: tuple[int, int]
) -> None:
    cols, rows = size
    script_args = [tui.dir, tui.workspace, str(cols), str(rows), codex, *args]
    await run_script(ops, _LAUNCH, script_args, timeout=30.0, error=TuiHostError)


async def alive(ops: HostOps, tui: TuiPaths) -> bool:
    report = await run_script(ops, _ALIVE, [tui.socket], timeout=30.0, error=TuiHostError)
    return bool(report.get("state") == "alive")


async def wait_gone(ops: HostOps, tui: TuiPaths) -> None:
    """Until codex's session ends: one exec for the whole run, not one per poll. A cut
    connection ends the exec; it is asked again once the host answers (``alive`` waits for
    the reconnect), and an unreachable host's error propagates."""
    while True:
        try:
            await run_script(ops, _WAIT_GONE, [tui.socket], timeout=None, error=TuiHostError)
            return
        except Exception:
            if not await alive(ops, tui):
                return
            await asyncio.sleep(1.0)


async def type_text(ops: HostOps, tui: TuiPaths, text: str) -> None:
    """Type ``text`` into the TUI's composer and submit it."""
    await run_script(
        ops, _PASTE, [tui.socket, SUBMIT_SETTLE], stdin=text.encode(), error=TuiHostError
    )


async def press(ops: HostOps, tui: TuiPaths, key: str) -> None:
    if key not in NAV_KEYS:
        raise ValueError(f"key {key!r} is not one of {sorted(NAV_KEYS)}")
    await run_script(ops, _KEY, [tui.socket, key], error=TuiHostError)


async def screen(ops: HostOps, tui: TuiPaths) -> str:
    """What the pane shows now, as plain text."""
    process = await ops.start(_CAPTURE, [tui.socket])
    result = await process.finish(30.0)
    return result.stdout.decode(errors="replace").rsplit("OPTIO-RESULT", 1)[0]


async def thread_id(ops: HostOps, codex_home: str) -> str | None:
    """The TUI's thread, once codex has written its rollout (at the first turn)."""
    process = await ops.start(_NEWEST_ROLLOUT, [codex_home])
    result = await process.finish(30.0)
    name = result.stdout.decode(errors="replace").split("OPTIO-RESULT")[0].strip()
    found = _ROLLOUT_THREAD.search(name)
    return found.group(1) if found else None


async def kill(ops: HostOps, tui: TuiPaths) -> None:
    await run_script(ops, _KILL, [tui.socket], timeout=15.0, error=TuiHostError)


def attach_command(tui: TuiPaths) -> str:
    """What the browser's terminal runs on the host, in a pty: a tmux client."""
    # -u: the client speaks UTF-8 whatever the login shell's locale says (else codex's
    # prompt mark shows as "_").
    return f"exec tmux -u -S {shlex.quote(tui.socket)} attach-session -t {SESSION}"
