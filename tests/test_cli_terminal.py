"""``optio-codex run --demo`` on a real pseudo-terminal: the operator answers approvals.

Everything is real (the command line, its embedded engine and mongod, a loopback sshd, codex);
the model is the demo's script, or a variant of it (tests/support/cli_scripted.py).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from tests.support.cli_demo import demo_args
from tests.support.cli_scripted import CHECK, REFUSED
from tests.support.procs import processes_holding
from tests.support.pty_session import PtySession

ROOT = Path(__file__).resolve().parent.parent
OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
# The command, then its details (cwd, host, reason, sandbox) on indented lines.
QUESTION = r"\? command: (.*)\n(?:    .*\n)*  allow\? \[y\]es / \[n\]o / \[a\]lways: "
WRITE_HELLO = "> deliverables/hello.txt"


def _session(argv: list[str], cwd: Path) -> PtySession:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    env.pop("OPENAI_API_KEY", None)
    return PtySession(argv, cwd=cwd, env=env)


def _scripted(script: str, host_dir: Path) -> list[str]:
    return [sys.executable, "-m", "tests.support.cli_scripted", script, *demo_args(host_dir)]


def _nothing_left(host_dir: Path) -> None:
    left = processes_holding(str(host_dir / "tasks").encode())
    assert not left, left


def test_yes_runs_the_command_and_the_deliverable_is_saved(host_dir: Path) -> None:
    with _session([OPTIO_CODEX, *demo_args(host_dir)], host_dir) as run:
        asked = run.expect(QUESTION)
        assert WRITE_HELLO in asked[1], asked[1]
        run.send_line("y")
        run.expect(r"\[deliverable saved: ")
        done = run.expect(QUESTION)  # the agent then asks to write DONE
        assert "echo DONE >> optio.log" in done[1], done[1]
        run.send_line("yes")
        run.expect("=== done ===")
        status = run.wait()
    assert status == 0, run.output
    saved = host_dir / "out" / "hello.txt"
    assert saved.read_text() == "Hello from codex!\n"
    assert f"deliverable: {saved}" in run.output
    _nothing_left(host_dir)


def test_no_refuses_the_command_and_the_run_waits_for_the_operator(host_dir: Path) -> None:
    with _session(_scripted("telling", host_dir), host_dir) as run:
        asked = run.expect(QUESTION)
        assert WRITE_HELLO in asked[1], asked[1]
        run.send_line("n")
        run.expect(r"→ declined\n")  # a command that never ran has no exit code
        told = run.expect(re.escape(REFUSED) + r"(.*)\n")
        run.expect(r"\[turn completed\]")
        # The agent has nothing more to do and a person is at the terminal: the run waits
        # for them (no idle end on a terminal). Ctrl-C is how they end it.
        run.interrupt()
        run.expect("=== cancelled ===")
        status = run.wait()
    assert "rejected" in told[1].lower(), told[1]
    assert status == 130, run.output  # an interrupt
    assert run.output.count("allow?") == 1  # nothing else was asked
    assert "[deliverable saved" not in run.output
    assert not (host_dir / "out").exists()
    _nothing_left(host_dir)


def test_always_allows_the_same_command_again_without_asking(host_dir: Path) -> None:
    with _session(_scripted("twice", host_dir), host_dir) as run:
        asked = run.expect(QUESTION)
        assert CHECK in asked[1], asked[1]
        run.send_line("a")
        run.expect("=== done ===")
        status = run.wait()
    assert status == 0, run.output
    assert run.output.count("allow?") == 1, run.output  # the second request was not asked
    ran = [line for line in run.output.splitlines() if line.startswith("$ ") and CHECK in line]
    assert len(ran) == 2 and all(line.endswith("→ completed 0") for line in ran), ran
    assert (host_dir / "out" / "checks.txt").read_text() == "checked\nchecked\n"
    _nothing_left(host_dir)
