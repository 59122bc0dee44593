"""What a person sees of ``optio-codex run``, on a real pseudo-terminal: the setup steps as they
happen, approval questions that carry what the decision needs, a reconnect on lines of its own
with the text whole, and the summary at the end.

Everything is real (command line, embedded engine and mongod, loopback sshd, codex); the model
is a script (the demo's, or one of tests/support/cli_progress_scripts.py).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from optio_codex.hosts.provision import ProvisionSpec, provision
from optio_codex.task.setup_report import provisioned
from tests.support.cli_demo import demo_args
from tests.support.cli_progress_scripts import SLOW_ANSWER
from tests.support.pty_session import PtySession

ROOT = Path(__file__).resolve().parent.parent
OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
ASK = r"  allow\? \[y\]es / \[n\]o / \[a\]lways: "
SETUP = [
    r"· connecting to \S+@127\.0\.0\.1:\d+",
    r"· host key verified: ssh-ed25519 SHA256:\S+ \(known_hosts: \S+known_hosts\)",
    r"· codex provisioned: (cached on the host|pushed [\d.]+ MB) .*",
    r"· sandbox checked \(workspace-write\): allowed a write in the workspace; refused a write "
    r"outside it, a write in /tmp, a write in \$TMPDIR, a network connection",
    r"· thread started: \S+, model mock-model",
]


def _session(argv: list[str], cwd: Path) -> PtySession:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    env.pop("OPENAI_API_KEY", None)
    return PtySession(argv, cwd=cwd, env=env)


def _scripted(script: str, host_dir: Path, *extra: str) -> list[str]:
    module = "tests.support.cli_progress_scripts"
    return [sys.executable, "-m", module, script, *demo_args(host_dir, *extra)]


def _lines_in_order(output: str, patterns: list[str]) -> None:
    """Each pattern matches a whole line, after the previous one's line."""
    at = 0
    for pattern in patterns:
        found = re.compile(rf"^{pattern}$", re.MULTILINE).search(output, at)
        assert found, f"no line {pattern!r} after offset {at}; it printed:\n{output}"
        at = found.end()


def test_setup_progress_question_details_and_summary(host_dir: Path) -> None:
    with _session([OPTIO_CODEX, *demo_args(host_dir)], host_dir) as run:
        asked = run.expect(r"\? command: (.*)\n((?:    .*\n)*)" + ASK)
        run.send_line("y")
        run.expect(ASK)  # then DONE is asked for
        run.send_line("y")
        run.expect("=== done ===")
        status = run.wait()
    assert status == 0, run.output
    # The setup steps come first, each on a line of its own, in the order they happen.
    _lines_in_order(run.output, [*SETUP, r"\[codex app-server: detached\]"])
    assert run.output.index("· thread started") < run.output.index("? command:")
    assert "> deliverables/hello.txt" in asked[1]
    details = dict(re.findall(r"^    (\w+): +(.*)$", asked[2], re.MULTILINE))
    assert details["cwd"].startswith(str(host_dir / "tasks")), details
    assert details["cwd"].endswith("/workdir"), details
    assert re.fullmatch(r"\S+@127\.0\.0\.1:\d+", details["host"]), details
    assert details["reason"] == "Write deliverables/hello.txt.", details
    assert details["sandbox"].startswith("OUTSIDE the sandbox"), details
    assert "network" in details["sandbox"], details
    saved = host_dir / "out" / "hello.txt"
    _lines_in_order(
        run.output,
        [
            "summary:",
            r"  turns: +2",
            r"  duration: +[\d.]+ s",
            r"  tokens: +\d+ total \(\d+ in, \d+ of them cached; \d+ out, \d+ of them reasoning\)",
            r"  approvals: +2 approved",
            # One line per approval, from the audit trail the task stored in MongoDB.
            r" {16}command `/bin/bash -lc .*hello.*`: approved by terminal after [\d.]+ s",
            r" {16}command `/bin/bash -lc .*DONE.*`: approved by terminal after [\d.]+ s",
            rf"  deliverables: +1 \({re.escape(str(saved))}\)",
            "=== done ===",
        ],
    )


def test_file_change_question_lists_files_with_line_counts(host_dir: Path) -> None:
    argv = _scripted("patch", host_dir, "--sandbox", "read-only")
    with _session(argv, host_dir) as run:
        asked = run.expect(r"\? file change: (.*)\n((?:    .*\n)*)" + ASK)
        run.send_line("a")
        done = run.expect(r"\? command: (.*)\n(?:    .*\n)*" + ASK)
        run.send_line("y")
        run.expect("=== done ===")
        status = run.wait()
    assert status == 0, run.output
    assert asked[1] == "2 files (+4 -0)", asked[0]
    lines = asked[2].splitlines()
    assert any(re.fullmatch(r"    \S*notes/plan\.txt \(add\)  \+3 -0", ln) for ln in lines), lines
    assert any(re.fullmatch(r"    \S*notes/todo\.txt \(add\)  \+1 -0", ln) for ln in lines), lines
    details = dict(re.findall(r"^    (\w+): +(.*)$", asked[2], re.MULTILINE))
    assert re.fullmatch(r"\S+@127\.0\.0\.1:\d+", details["host"]), details
    assert details["sandbox"].startswith("writes where the sandbox does not allow"), details
    assert "echo DONE >> optio.log" in done[1]
    _lines_in_order(
        run.output,
        [
            r"  approvals: +1 approved, 1 approved for session",
            r" {16}file change `plan\.txt, todo\.txt \(\+4 -0\)`: "
            r"approved for session by terminal after [\d.]+ s",
            r" {16}command `.*DONE.*`: approved by terminal after [\d.]+ s",
        ],
    )


def test_reconnect_lines_of_their_own_and_no_hole_in_the_text(host_dir: Path) -> None:
    # One nudge after the answer's turn: the script then writes DONE.
    with _session(_scripted("relayed", host_dir, "--max-nudges", "1"), host_dir) as run:
        run.expect(r"\[connection lost[^\n]*, reconnecting…\]")
        run.expect(r"\[reconnected after [\d.]+ s\]")
        run.expect("=== done ===", within=240)
        status = run.wait()
    assert status == 0, run.output
    output = run.output
    for status_line in ("[connection lost", "[reconnected after"):
        start = output.index(status_line)
        assert start == 0 or output[start - 1] == "\n", output  # never glued to the text
        assert output.index("\n", start) > start, output
    assert not re.search(r"word\d{3}\S* *optio-codex:", output), output  # nor a log line
    # The answer reads whole: either the stream went on where it stopped (the gap held no
    # text, or the rest was added at the item's end), or it is printed once more in full.
    link_lines = r"\n\[connection lost[^\n]*\]\n\[reconnected after[^\n]*\]\n"
    joined = re.sub(link_lines, "", output)
    assert SLOW_ANSWER in joined, output


@pytest.fixture
def cold_cache() -> Iterator[Path]:
    root = Path("/var/tmp/optio-codex-tests") / f"cold-{uuid.uuid4().hex[:10]}"
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


async def test_a_cold_host_reports_bytes_and_speed_a_warm_one_the_cache(
    ssh_conn: asyncssh.SSHClientConnection, cold_cache: Path
) -> None:
    def spec() -> ProvisionSpec:
        return ProvisionSpec(
            task_id=f"t-{uuid.uuid4().hex[:8]}",
            consumer_instructions="Say hello.",
            task_root=str(cold_cache / "tasks"),
            cache_root=str(cold_cache / "bin"),
        )

    cold = await provision(ssh_conn, spec())
    assert cold.pushed_bytes > 0
    said = provisioned(cold)
    assert re.fullmatch(
        r"codex provisioned: pushed [\d.]+ MB in [\d.]+ s(, [\d.]+ MB/s)? \(.+\)", said
    )
    warm = await provision(ssh_conn, spec())
    assert warm.pushed_bytes == 0
    assert provisioned(warm).startswith("codex provisioned: cached on the host (codex-")
