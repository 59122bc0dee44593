"""Interrupts that always work: ``optio-codex run --demo`` on a real pseudo-terminal, stopped
by Ctrl-C (or SIGTERM, or its terminal closing) in each state a run can be in, then a scan for
what it left: codex processes of the task, its task directory, the command's children (the
embedded mongod, the demo's sshd) and its temporary directories.

Everything is real (command line, engine, mongod, sshd, codex); the model is the demo's
script, held where the state needs it (tests/support/cli_interrupt_scripts.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_demo import demo_args
from tests.support.cli_interrupt_scripts import MARKS
from tests.support.cli_leftovers import ClosablePty, children_of, still_alive, temp_dirs_of
from tests.support.procs import processes_holding

ROOT = Path(__file__).resolve().parent.parent
OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
STOPPING = r"stopping codex and cleaning up"
QUESTION = r"allow\? \[y\]es / \[n\]o / \[a\]lways: "


def _in_state(state: str, host_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tests.support.cli_interrupt_scripts",
        state,
        *demo_args(host_dir),
    ]


def _session(argv: list[str], cwd: Path) -> ClosablePty:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    env.pop("OPENAI_API_KEY", None)
    return ClosablePty(argv, cwd=cwd, env=env)


def _host_leftovers(host_dir: Path) -> list[str]:
    tasks = host_dir / "tasks"
    dirs = [str(p) for p in tasks.iterdir() if p.is_dir()] if tasks.exists() else []
    return processes_holding(str(tasks).encode()) + [f"task dir {d}" for d in dirs]


def _worker_leftovers(children: dict[int, bytes]) -> list[str]:
    dirs = [f"temp dir {d}" for d in temp_dirs_of(children) if d.exists()]
    return still_alive(children) + dirs


@contextlib.contextmanager
def _reaping_the_host(host_dir: Path) -> Iterator[None]:
    """For runs whose host was unreachable at the end: stop what they had to leave there."""
    try:
        yield
    finally:
        for line in processes_holding(str(host_dir / "tasks").encode()):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(line.split()[0]), signal.SIGKILL)


def _interrupted(run: ClosablePty, mark: str) -> tuple[int, dict[int, bytes]]:
    """Wait for ``mark``, note the children, press Ctrl-C; the exit status and children."""
    run.expect(mark)
    children = children_of(run.pid)
    assert children, "the command started no children (mongod, sshd)?"
    run.interrupt()
    run.expect(STOPPING, within=30)
    return run.wait(within=90), children


@pytest.mark.parametrize("state", ["turn", "provisioning"])
def test_ctrl_c_stops_the_run_and_leaves_nothing(state: str, host_dir: Path) -> None:
    with _session(_in_state(state, host_dir), host_dir) as run:
        status, children = _interrupted(run, re.escape(MARKS[state]))
    assert status == 130, run.output
    assert "=== cancelled ===" in run.output
    assert "Traceback" not in run.output, run.output
    assert not _host_leftovers(host_dir), _host_leftovers(host_dir)
    assert not _worker_leftovers(children), _worker_leftovers(children)


def test_ctrl_c_while_an_approval_waits_stops_the_run(host_dir: Path) -> None:
    with _session([OPTIO_CODEX, *demo_args(host_dir)], host_dir) as run:
        status, children = _interrupted(run, QUESTION)
    assert status == 130, run.output
    assert "Traceback" not in run.output, run.output
    assert not _host_leftovers(host_dir), _host_leftovers(host_dir)
    assert not _worker_leftovers(children), _worker_leftovers(children)
    assert not (host_dir / "out").exists()  # nothing was delivered


def test_ctrl_c_during_an_ssh_outage_stops_the_run(host_dir: Path) -> None:
    with _reaping_the_host(host_dir), _session(_in_state("outage", host_dir), host_dir) as run:
        status, children = _interrupted(run, re.escape(MARKS["outage"]))
    assert status == 130, run.output
    assert "Traceback" not in run.output, run.output
    # Nothing could be stopped on the unreachable host (a later run's reaper does that);
    # on the worker nothing is left.
    assert not _worker_leftovers(children), _worker_leftovers(children)


def test_a_second_ctrl_c_quits_at_once(host_dir: Path) -> None:
    # The outage state: the first Ctrl-C's clean-up waits for the host a while.
    with _reaping_the_host(host_dir), _session(_in_state("outage", host_dir), host_dir) as run:
        run.expect(re.escape(MARKS["outage"]))
        children = children_of(run.pid)
        run.interrupt()
        run.expect(STOPPING, within=30)
        run.interrupt()
        status = run.wait(within=30)
    assert status == 130, run.output
    assert "quitting at once" in run.output, run.output
    assert "Traceback" not in run.output, run.output
    assert not _worker_leftovers(children), _worker_leftovers(children)


def test_sigterm_cleans_up_like_ctrl_c(host_dir: Path) -> None:
    with _session(_in_state("turn", host_dir), host_dir) as run:
        run.expect(re.escape(MARKS["turn"]))
        children = children_of(run.pid)
        os.kill(run.pid, signal.SIGTERM)
        run.expect(STOPPING, within=30)
        status = run.wait(within=90)
    assert status == 130, run.output
    assert not _host_leftovers(host_dir), _host_leftovers(host_dir)
    assert not _worker_leftovers(children), _worker_leftovers(children)


def test_a_closed_terminal_cleans_up_like_ctrl_c(host_dir: Path) -> None:
    with _session(_in_state("turn", host_dir), host_dir) as run:
        run.expect(re.escape(MARKS["turn"]))
        children = children_of(run.pid)
        run.hang_up()  # the window closed: SIGHUP, and nothing can be printed any more
        status = run.wait(within=90)
    assert status == 130, run.output
    assert not _host_leftovers(host_dir), _host_leftovers(host_dir)
    assert not _worker_leftovers(children), _worker_leftovers(children)
