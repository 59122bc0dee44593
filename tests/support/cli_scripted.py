"""``optio-codex run --demo`` with another script for its model, for the terminal tests.

    python -m tests.support.cli_scripted SCRIPT run --demo ...

The demo takes its model's script from ``scripted_agent.deliverable_agent``; this swaps that
one name and then runs the command line unchanged, so everything else (engine, sshd, codex,
the terminal's questions) is the real ``optio-codex run``. SCRIPT is one of:

- ``telling``: the demo's agent, except that after a refused command it says what codex
  told it, so the terminal shows what the agent saw;
- ``twice``: asks for the same escalated command twice, then delivers in the sandbox.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from optio_codex.testing import scripted_agent
from optio_codex.testing.model_server import RecordedRequest, Step, exec_command, text

Script = Callable[[RecordedRequest], Step]
REFUSED = "the agent was told: "
CHECK = "echo checked >> deliverables/checks.txt"


def _calls(request: RecordedRequest) -> list[str]:
    items = request.body.get("input") or []
    return [str(i.get("arguments")) for i in items if i.get("type") == "function_call"]


def _last_output(request: RecordedRequest) -> str | None:
    items = request.body.get("input") or []
    outputs = [i for i in items if i.get("type") == "function_call_output"]
    return str(outputs[-1].get("output")) if outputs else None


def telling(*args: Any, **kw: Any) -> Script:
    demo = _demo_agent(*args, **kw)

    def next_step(request: RecordedRequest) -> Step:
        said = _last_output(request)
        if said is not None and "rejected" in said.lower():
            return text(REFUSED + said)
        return demo(request)

    return next_step


def twice(*_args: Any, **_kw: Any) -> Script:
    deliver = "echo 'DELIVERABLE: deliverables/checks.txt' >> optio.log"

    def next_step(request: RecordedRequest) -> Step:
        calls = " ".join(_calls(request))
        said = str(request.body.get("input"))
        if "echo DONE" in calls:
            return text("Checked twice and delivered.")
        if "deliverable checks.txt: " in said:
            return exec_command("echo DONE >> optio.log", escalate=False)
        if "DELIVERABLE" in calls:
            return text("Delivered; waiting for the acknowledgment.")
        if calls.count("checked >>") >= 2:
            return exec_command(deliver, escalate=False)
        return exec_command(CHECK, justification="Record a check.")

    return next_step


_demo_agent = scripted_agent.deliverable_agent
SCRIPTS: dict[str, Callable[..., Script]] = {"telling": telling, "twice": twice}


def main(argv: list[str]) -> int:
    from optio_codex.cli.main import main as optio_codex

    scripted_agent.deliverable_agent = SCRIPTS[argv[0]]  # what the demo imports when it runs
    return optio_codex(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
