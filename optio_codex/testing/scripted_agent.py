"""A scripted model that plays an agent following AGENTS.md: deliver a file, wait for the
harness's acknowledgment, then write DONE. Used by the offline demo and the tests."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from optio_codex.testing.model_server import RecordedRequest, Step, exec_command, text


def deliverable_agent(
    name: str = "hello.txt", content: str = "Hello from codex!"
) -> Callable[[RecordedRequest], Step]:
    """A ``ScriptedModelServer.fallback`` that decides each answer from the conversation so far.

    The file is written by an escalated command, so codex asks for approval first.
    """
    write = (
        f"printf '%s\\n' {shlex.quote(content)} > deliverables/{name} && "
        f"echo 'DELIVERABLE: deliverables/{name}' >> optio.log"
    )

    def next_step(request: RecordedRequest) -> Step:
        items = request.body.get("input") or []
        calls = " ".join(str(i.get("arguments")) for i in items if i.get("type") == "function_call")
        said = " ".join(str(i.get("content")) for i in items if i.get("role") == "user")
        if "echo DONE" in calls:
            return text(f"All done: deliverables/{name} is written and acknowledged.")
        if f"deliverable {name}: " in said:
            return exec_command("echo DONE >> optio.log", justification="Report completion.")
        if f"deliverables/{name}" in calls:
            return text(f"I wrote deliverables/{name}; waiting for the acknowledgment.")
        return exec_command(write, justification=f"Write deliverables/{name}.")

    return next_step
