"""Every example runs and does what it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_local_turn_example() -> None:
    out = run_example("local_turn.py")
    assert "answer: Hi! I am codex, running locally." in out
    assert "answer: Created hello.txt." in out
    assert "hello.txt exists: True" in out


def test_main_job_demo_streams_the_answer_over_ssh() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "optio_codex.cli.main", "demo", "Say hello."],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Hello from codex app-server!" in done.stdout
    assert "[turn completed;" in done.stdout


def test_durable_session_example() -> None:
    out = run_example("durable_session.py")
    assert "after a cut: completed - A long answer, streamed word by word" in out
    assert "reconnects: 1" in out
    assert "the killed turn: interrupted" in out
    assert "the resent turn: completed - Picked up again." in out
    assert "relaunches: 1" in out
