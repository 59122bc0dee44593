"""Library users meet the same failures as typed exceptions, and optio records the same text
as the task's failure reason (the process record's ``status.error``).

Real parts: the loopback sshd with an empty known_hosts, and a port with nothing listening,
run through the optio engine of the tests.
"""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any

import pytest
from optio_core.exceptions import ResultNotPublished

import optio_codex
from optio_codex import CodexTaskConfig, OptioCodexError, create_codex_task
from optio_codex.hosts.ssh import SSHTarget, connect_ssh
from optio_codex.testing.sshd import SshdInfo
from tests.support.engine_runs import Engine, process_end, ssh_to


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _failure_reason(engine: Engine, process_id: str, config: CodexTaskConfig) -> str:
    fw, tasks = engine
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()
    with pytest.raises(ResultNotPublished):
        await fw.launch_and_await_result(process_id, session_id=None, timeout=60)
    proc = await process_end(fw, process_id, within=60)
    assert proc["status"]["state"] == "failed", proc["status"]
    return str(proc["status"]["error"])


async def _raised(target: SSHTarget) -> OptioCodexError:
    with pytest.raises(OptioCodexError) as caught:
        await connect_ssh(target)
    return caught.value


async def test_an_unknown_host_key_is_the_same_in_optio(
    engine: Engine, sshd: SshdInfo, tmp_path: Path, host_dir: Path
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    ssh = dataclasses.replace(ssh_to(sshd), known_hosts=str(empty))
    config = CodexTaskConfig(consumer_instructions="x", ssh=ssh, task_root=str(host_dir))
    reason = await _failure_reason(engine, "unknown-key", config)
    error = await _raised(ssh.target())
    assert isinstance(error, optio_codex.HostKeyUnknown)
    assert reason == str(error) == f"{error.message}\n{error.hint}"
    assert "--accept-new-host-key" in error.hint and str(empty) in error.message


async def test_a_refused_port_is_the_same_in_optio(
    engine: Engine, sshd: SshdInfo, host_dir: Path
) -> None:
    ssh = dataclasses.replace(ssh_to(sshd), port=_free_port())
    config = CodexTaskConfig(consumer_instructions="x", ssh=ssh, task_root=str(host_dir))
    reason = await _failure_reason(engine, "refused", config)
    error = await _raised(ssh.target())
    assert isinstance(error, optio_codex.HostUnreachable)
    assert isinstance(error, ConnectionError)  # what callers caught before still works
    assert reason == str(error)
    assert "connection refused" in reason


def test_the_typed_failures_share_one_base() -> None:
    names = [
        "HostKeyUnknown",
        "HostKeyChanged",
        "HostUnreachable",
        "HostNotFound",
        "AuthenticationFailed",
        "KeyFileMissing",
        "HostToolsMissing",
        "SandboxUnavailable",
        "MongoUnavailable",
    ]
    kinds: list[Any] = [getattr(optio_codex, name) for name in names]
    assert all(issubclass(kind, OptioCodexError) for kind in kinds)
