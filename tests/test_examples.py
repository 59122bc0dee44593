"""Every example runs and does what it says."""

from __future__ import annotations

import re
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


def test_engine_task_example() -> None:
    out = run_example("engine_task.py")
    assert "state: done" in out
    assert "deliverable report.txt: all checks passed" in out


def test_rule_policy_example() -> None:
    out = run_example("rule_policy.py")
    # "<verdict, 12 wide> <command>" per line
    verdicts = {line[13:]: line[:12].strip() for line in out.splitlines() if line.strip()}
    assert verdicts["git status --short"] == "allow"
    assert verdicts["/bin/bash -lc 'git status && curl https://example.com'"] == "not decided"
    assert verdicts["/bin/bash -lc 'rm -rf build'"] == "deny"


def test_custom_provider_example() -> None:
    out = run_example("custom_provider.py")
    assert "state: done" in out
    assert "the endpoint was sent the key: True" in out


def test_host_ui_example() -> None:
    out = run_example("host_ui.py")
    assert "view controls: model, reasoning_effort" in out
    assert "send: Create hello.txt. (200, {'ok': True})" in out
    assert "approval asked: /bin/bash -lc 'touch hello.txt'" in out
    assert "answered: allow by ui" in out
    assert "agent: Created hello.txt, and reported DONE." in out
    assert "state: done" in out


def test_seed_store_example() -> None:
    out = run_example("seed_store.py")
    assert "verify: alive - refreshed (lineage generation 1) - Plan: ChatGPT Pro" in out
    assert "stale save-back: conflict - seed is newer" in out
    assert "verify: dead - refresh_token_reused - status dead" in out


def test_every_example_is_run_here() -> None:
    source = Path(__file__).read_text()
    names = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert names and not [n for n in names if f'"{n}"' not in source]


def test_task_md_quotes_the_examples_as_they_are() -> None:
    """Each code block of docs/task.md that names an example file is that file's text."""
    doc = (EXAMPLES.parent / "docs" / "task.md").read_text()
    blocks = re.findall(r"```python\n# (examples/\S+\.py)\n(.*?)```", doc, re.DOTALL)
    assert len(blocks) >= 3, "docs/task.md quotes no examples"
    for name, code in blocks:
        assert code in (EXAMPLES.parent / name).read_text(), f"docs/task.md: {name} differs"


def test_terminal_ui_example() -> None:
    out = run_example("terminal_ui.py")
    assert "widget: iframe-input" in out
    assert "iframe: {widgetProxyUrl}/" in out
    assert "terminal shows: Would you like to run" in out
    assert "approve: (200, {'ok': True})" in out
    assert "terminal closed: 1001 the task ended" in out
    assert "state: done" in out


def test_snapshot_resume_example() -> None:
    out = run_example("snapshot_resume.py")
    assert "after the run, on the host: []" in out  # the default cleanup removed the task
    assert "the resumed agent read: written before the move" in out
    assert "thread of 2 turn(s), task root host-b" in out
    assert "thread of 1 turn(s), task root host-a" in out
