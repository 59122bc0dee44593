"""The optio-codex command, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def optio_codex(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optio_codex.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_run_demo_goes_end_to_end_offline(tmp_path: Path) -> None:
    done = optio_codex("run", "--demo", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "=== done ===" in done.stdout
    assert "[codex app-server: detached]" in done.stdout  # the default over SSH
    saved = tmp_path / "optio-codex-deliverables" / "hello.txt"
    assert saved.read_text() == "Hello from codex!\n"
    assert f"deliverable: {saved}" in done.stdout


def test_run_demo_attached_runs_codex_on_the_exec_channel(tmp_path: Path) -> None:
    done = optio_codex("run", "--demo", "--transport", "attached", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "[codex app-server: attached]" in done.stdout
    assert "=== done ===" in done.stdout


def test_run_without_credentials_says_how_to_provide_them(tmp_path: Path) -> None:
    done = optio_codex("run", "fix the bug", cwd=tmp_path, env={"OPENAI_API_KEY": ""})
    assert done.returncode == 2
    assert "export OPENAI_API_KEY=" in done.stdout and "--demo" in done.stdout


def test_run_rejects_bad_input_clearly(tmp_path: Path) -> None:
    done = optio_codex("run", "x", "--host", "no-user-here", cwd=tmp_path)
    assert done.returncode == 2 and "user@host" in done.stderr
    done = optio_codex("run", "--prompt-file", str(tmp_path / "missing.md"), cwd=tmp_path)
    assert done.returncode == 2 and "cannot read --prompt-file" in done.stderr
    done = optio_codex("run", cwd=tmp_path)
    assert done.returncode == 2 and "give a prompt" in done.stderr
