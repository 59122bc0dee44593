"""Every failure a user can meet ends in plain lines and the documented exit status.

Driven as a person does: ``optio-codex run`` in a subprocess (or on a pty), against real
parts — a port with nothing listening, a name that does not resolve, the loopback sshd with
a wrong user, key or known_hosts, a dead MongoDB port, a dead model endpoint, a host whose
PATH lacks a tool. Each asserts the exit status, the message, and that no traceback shows.
Waits are bounds on waiting (a subprocess timeout), never assertions on time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from optio_codex.hosts.provision import HOST_TOOLS
from optio_codex.testing.sshd import SshdInfo
from tests.support.pty_session import PtySession

ROOT = Path(__file__).resolve().parent.parent
OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
FAKE_KEY = "sk-test-not-a-real-key"


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb", OPENAI_KEY: FAKE_KEY}
    env.update(extra)
    return env


OPENAI_KEY = "OPENAI_API_KEY"


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [OPTIO_CODEX, "run", *args, "Say hello."],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def _failed(done: subprocess.CompletedProcess[str], status: int, *needles: str) -> list[str]:
    """The plain lines it ended with: ``optio-codex: <cause>`` and an indented fix."""
    said = done.stdout + done.stderr
    assert done.returncode == status, said
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("optio-codex: "), said
    assert 1 <= len(lines) <= 2, said
    for needle in needles:
        assert needle in done.stderr, f"{needle!r} not in:\n{said}"
    return lines


def _sshd_args(sshd: SshdInfo, **over: str) -> list[str]:
    given = {
        "host": f"{sshd.username}@{sshd.host}:{sshd.port}",
        "key": str(sshd.client_key_path),
        "known-hosts": str(sshd.known_hosts_path),
        **over,
    }
    args: list[str] = []
    for name, value in given.items():
        args += [f"--{name}", value]
    return args


def test_a_port_with_nothing_listening(tmp_path: Path, sshd: SshdInfo) -> None:
    port = _free_port()
    done = _run(*_sshd_args(sshd, host=f"{sshd.username}@127.0.0.1:{port}"), cwd=tmp_path)
    _failed(done, 2, f"cannot connect to 127.0.0.1:{port}: connection refused", "--host")


def test_a_host_name_that_does_not_resolve(tmp_path: Path, sshd: SshdInfo) -> None:
    done = _run(*_sshd_args(sshd, host="me@nonexistent.invalid"), cwd=tmp_path)
    _failed(done, 2, "nonexistent.invalid", "does not resolve", "check the host name")


def test_a_wrong_user(tmp_path: Path, sshd: SshdInfo) -> None:
    done = _run(*_sshd_args(sshd, host=f"nosuchuser@{sshd.host}:{sshd.port}"), cwd=tmp_path)
    _failed(done, 2, "refused to log in user 'nosuchuser'", "authorized_keys")


def test_a_key_file_that_is_not_there(tmp_path: Path, sshd: SshdInfo) -> None:
    missing = tmp_path / "no_such_key"
    done = _run(*_sshd_args(sshd, key=str(missing)), cwd=tmp_path)
    _failed(done, 2, f"the SSH key {missing} is not there", "--key")


def test_a_key_the_host_does_not_accept(tmp_path: Path, sshd: SshdInfo) -> None:
    other = tmp_path / "other_ed25519"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(other))
    done = _run(*_sshd_args(sshd, key=str(other)), cwd=tmp_path)
    _failed(done, 2, f"refused to log in user {sshd.username!r} with {other}")


def test_an_unknown_host_key(tmp_path: Path, sshd: SshdInfo) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    done = _run(*_sshd_args(sshd, **{"known-hosts": str(empty)}), cwd=tmp_path)
    _failed(
        done,
        2,
        f"the host key of {sshd.host}:{sshd.port} is unknown: {empty}",
        "--accept-new-host-key",
        f"ssh-keyscan -p {sshd.port} {sshd.host} >> {empty}",
    )
    assert empty.read_text() == ""  # nothing recorded without the opt-in


def test_a_changed_host_key_names_the_line_holding_the_old_one(
    tmp_path: Path, sshd: SshdInfo
) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known = tmp_path / "known_hosts"
    known.write_text(f"# a comment\nexample.org {other}\n[{sshd.host}]:{sshd.port} {other}\n")
    done = _run(*_sshd_args(sshd, **{"known-hosts": str(known)}), cwd=tmp_path)
    _failed(
        done,
        2,
        f"does not match the key recorded in {known} line 3",
        f"ssh-keygen -R '[{sshd.host}]:{sshd.port}' -f {known}",
    )


def test_a_changed_host_key_is_refused_even_with_accept_new(tmp_path: Path, sshd: SshdInfo) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known = tmp_path / "known_hosts"
    known.write_text(f"[{sshd.host}]:{sshd.port} {other}\n")
    args = [*_sshd_args(sshd, **{"known-hosts": str(known)}), "--accept-new-host-key"]
    _failed(_run(*args, cwd=tmp_path), 2, f"{known} line 1")


def test_a_mongodb_url_that_does_not_answer(tmp_path: Path, sshd: SshdInfo) -> None:
    port = _free_port()
    url = f"mongodb://someone:s3cret-pw@127.0.0.1:{port}/"
    # The subprocess timeout bounds the wait; pymongo's default would be 30 s per try.
    done = _run(*_sshd_args(sshd), "--mongo-url", url, cwd=tmp_path)
    _failed(done, 2, f"127.0.0.1:{port}", "does not answer", "--mongo-url")
    assert "s3cret-pw" not in done.stdout + done.stderr


def test_debug_shows_the_traceback(tmp_path: Path, sshd: SshdInfo) -> None:
    args = [*_sshd_args(sshd, host=f"me@127.0.0.1:{_free_port()}"), "--debug", "Say hello."]
    done = subprocess.run(
        [OPTIO_CODEX, "run", *args],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "HostUnreachable" in done.stderr, done.stderr


def _path_without(tool: str, into: Path) -> str:
    """A PATH holding every command of this machine's PATH except ``tool``."""
    into.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            link = into / entry.name
            if entry.name != tool and not link.exists() and os.access(entry, os.X_OK):
                link.symlink_to(entry)
    return str(into)


def test_a_host_without_a_tool_the_product_needs(tmp_path: Path, host_dir: Path) -> None:
    """This machine as the host (no --host): its PATH lacks sha256sum."""
    assert "sha256sum" in HOST_TOOLS
    path = _path_without("sha256sum", tmp_path / "bin")
    done = _run("--task-root", str(host_dir / "tasks"), cwd=tmp_path, env=_env(PATH=path))
    _failed(done, 2, "the host lacks tools optio-codex needs: sha256sum", "install")


def test_a_model_endpoint_that_does_not_answer_shows_codex_retrying(host_dir: Path) -> None:
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "tests.support.cli_dead_model",
        str(port),
        "run",
        "--demo",
        "--task-root",
        str(host_dir / "tasks"),
        "--deliverables-dir",
        str(host_dir / "out"),
    ]
    env = _env()
    env.pop(OPENAI_KEY)
    with PtySession(argv, cwd=host_dir, env=env) as run:
        # codex's own notice and reason, numbered as they come.
        first = run.expect(r"\[model endpoint: (.*); codex retries: attempt 1\]\n", within=180)
        assert "Connection failed" in first[1], run.output
        run.expect(r"\[model endpoint: .*; codex retries: attempt 2, \d+\.\d s after the last\]")
        run.interrupt()
        run.wait(within=120)
    assert "Traceback" not in run.output, run.output


@pytest.mark.skip(
    reason="a sandbox that cannot start needs a host where bubblewrap cannot create "
    "namespaces; this machine's can, and no real part can be made to refuse it"
)
def test_a_sandbox_that_cannot_start() -> None:
    raise AssertionError("unreachable")
