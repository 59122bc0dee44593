"""How the app-server is started: its argv and its explicit, minimal environment."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from pathlib import PurePosixPath

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"

# Names that look like secrets: CodexTaskConfig refuses them in ``env`` (values there are
# visible in the host's process list) and a worker's own children never get them. AUTH too (a
# provider's key may be named FOO_AUTH), but not AUTHOR (GIT_AUTHOR_NAME is no secret).
# Names that look like they hold a secret. A token server's URL is none: codex's
# CODEX_REFRESH_TOKEN_URL_OVERRIDE / CODEX_REVOKE_TOKEN_URL_OVERRIDE may be set in a task's env.
SECRET_NAME = re.compile(
    r"(KEY|TOKEN(?!_URL)|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH(?!OR))", re.IGNORECASE
)


def app_server_argv(binary: str, *, listen: str | None = None) -> list[str]:
    """Always the native binary by absolute path (never a node wrapper, which orphans it)."""
    if not PurePosixPath(binary).is_absolute():
        raise ValueError(f"the codex binary must be an absolute path, got {binary!r}")
    argv = [binary, "app-server"]
    if listen:
        argv += ["--listen", listen]
    return argv


def app_server_env(
    *,
    home: str,
    codex_home: str,
    tmpdir: str,
    path: str = DEFAULT_PATH,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment codex gets: nothing is inherited from the caller or login shell.

    No secret belongs here: over SSH these values are visible in the host's process list.
    """
    env = {
        "HOME": home,
        "CODEX_HOME": codex_home,
        "TMPDIR": tmpdir,
        "XDG_CONFIG_HOME": f"{home}/.config",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_DATA_HOME": f"{home}/.local/share",
        "XDG_STATE_HOME": f"{home}/.local/state",
        "PATH": path,
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",  # no ANSI codes in stderr, which lands in logs
        "RUST_LOG": "warn",
    }
    if extra:
        reserved = set(env) & set(extra)
        if reserved:
            raise ValueError(f"extra environment may not override {sorted(reserved)}")
        env.update(extra)
    return env


def child_environ(
    environ: Mapping[str, str] | None = None, *, also_drop: Collection[str] = ()
) -> dict[str, str]:
    """The worker's environment without its secrets, for every child the worker starts.

    Why: /proc/<pid>/environ of a child (mongod, sshd, a local /bin/sh) is readable by the
    same user for the child's whole life, so OPENAI_API_KEY or a provider's key given to the
    command line must stop at the command line's own process. ``also_drop`` names more
    variables (a provider's ``env_key`` that does not look like a secret).
    """
    source = os.environ if environ is None else environ
    drop = set(also_drop)
    return {k: v for k, v in source.items() if k not in drop and not SECRET_NAME.search(k)}
