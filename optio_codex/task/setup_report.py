"""The lines a task writes to optio's progress log while it sets up: where it connects, which
host key it trusted, how codex got onto the host, what the sandbox preflight proved, and which
thread it started.

They go through ``ctx.report_progress`` rather than a callback: the lines then land in the
process's log in MongoDB, where the optio dashboard, ``engine.get_process`` and the command line
(which polls it) all read the same words, in another process too, and after the run.
"""

from __future__ import annotations

from typing import Any

from optio_codex.hosts.provision import ProvisionResult
from optio_codex.hosts.sandbox import PreflightResult
from optio_codex.hosts.ssh import SSHTarget

_MB = 1_000_000
# How the line that ends the setup begins: the command line waits for it before the
# conversation's own output, so that the setup reads in the order it happened.
THREAD_READY = ("thread started", "thread resumed")

# What each preflight probe tried, in words a person reads (see hosts/sandbox.py's probes).
_PROBES = {
    "write-workspace": "a write in the workspace",
    "write-outside": "a write outside it",
    "write-slash-tmp": "a write in /tmp",
    "write-tmpdir": "a write in $TMPDIR",
    "network": "a network connection",
}


def connecting(target: SSHTarget | None) -> str:
    if target is None:
        return "running codex on this machine"
    user = f"{target.username}@" if target.username else ""
    return f"connecting to {user}{target.host}:{target.port}"


def host_key_verified(connection: Any, target: SSHTarget) -> str:
    """Which key the host showed and where it was found trusted (asyncssh's connection)."""
    key = connection.get_server_host_key()
    if key is None:
        return f"connected to {target.host}:{target.port}"
    return (
        f"host key verified: {key.get_algorithm()} {key.get_fingerprint()} "
        f"(known_hosts: {target.known_hosts})"
    )


def provisioned(result: ProvisionResult) -> str:
    if result.cache_state == "install_dir":
        return f"codex {result.version} provisioned: the install_dir one at {result.bundle_dir}"
    bundle = result.bundle_dir.rsplit("/", 1)[-1]
    if not result.pushed:
        return f"codex provisioned: cached on the host ({bundle})"
    seconds = result.timings.get("push", 0.0)
    size = result.pushed_bytes / _MB
    speed = f", {size / seconds:.1f} MB/s" if seconds > 0 else ""
    why = "" if result.cache_state == "missing" else f"; the cache was {result.cache_state}"
    return f"codex provisioned: pushed {size:.1f} MB in {seconds:.1f} s{speed} ({bundle}{why})"


def sandbox_checked(result: PreflightResult) -> str:
    settings = result.settings
    if not result.sandboxed:
        return f"sandbox: {settings.mode} (no sandbox, nothing to check)"
    allowed = [_PROBES.get(c.name, c.name) for c in result.checks if c.observed == "allowed"]
    refused = [_PROBES.get(c.name, c.name) for c in result.checks if c.observed == "blocked"]
    parts = []
    if allowed:
        parts.append("allowed " + ", ".join(allowed))
    if refused:
        parts.append("refused " + ", ".join(refused))
    return f"sandbox checked ({settings.mode}): " + "; ".join(parts)


def thread_started(conversation: Any, model: str | None, *, resumed: bool = False) -> str:
    """``model``: the one the task asked for; else codex's default from ``model/list``."""
    if not model:
        default = next((m for m in conversation.models if m.get("isDefault")), None)
        model = str(default.get("model") or default.get("id")) if default else "codex's default"
    return f"{THREAD_READY[resumed]}: {conversation.thread_id}, model {model}"
