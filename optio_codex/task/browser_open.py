"""BROWSER lines: a URL the agent's tools want opened reaches the operator's browser.

The agent may write ``BROWSER: <url>`` to optio.log itself (AGENTS.md says so), and a tool
that opens a browser through ``$BROWSER`` (Python's webbrowser, xdg-open, gh) runs the task's
opener, which writes that line for it. The opener lives in the task's home, outside every
writable root of codex's sandbox, so the agent cannot change what it runs; codex hands
``BROWSER`` to the commands it runs (``shell_environment_policy.set``), not to itself.
"""

from __future__ import annotations

import shlex

from optio_codex.mappings import deep_merge
from optio_codex.task.companions import LaunchPlan, PrepareView, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig

OPENER = "home/.local/bin/optio-browser-open"  # relative to the task dir


def opener_script(optio_log: str) -> bytes:
    """A ``$BROWSER`` program: each URL it is given becomes one BROWSER line."""
    log = shlex.quote(optio_log)
    return (
        "#!/bin/sh\n"
        "# optio-codex: a URL opened here is shown to the operator (optio.log BROWSER line)\n"
        f'for url in "$@"; do printf \'BROWSER: "%s"\\n\' "$url" >> {log}; done\n'
    ).encode()


class BrowserOpen:
    """Plants the opener and names it to codex's commands; nothing runs beside the task."""

    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        task_dir = view.paths.task_dir
        plan.files.append((OPENER, opener_script(f"{view.paths.workspace}/optio.log"), 0o755))
        entry = {"shell_environment_policy": {"set": {"BROWSER": f"{task_dir}/{OPENER}"}}}
        plan.codex_config = deep_merge(plan.codex_config, entry)

    async def start(self, run: RunView) -> None:
        return None

    async def stop(self, ending: RunEnding) -> None:
        return None


def browser_open_for(config: CodexTaskConfig) -> BrowserOpen | None:
    # The line is read from optio.log: without the keyword channel nobody would see it.
    return BrowserOpen() if config.host_protocol else None
