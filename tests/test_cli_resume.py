"""optio-codex list and resume, as a user runs them: a task run on this machine against a
MongoDB of the user's own is listed with its snapshot, then resumed on another host (a real
sshd) with another task root. The model is scripted (a provider of the user's own)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from motor.motor_asyncio import AsyncIOMotorClient

from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import SshdInfo
from tests.test_snapshot_resume import SECRET_LINE, run_then_read_back
from tests.test_task_engine import model_config

pytestmark = pytest.mark.timeout(150)


async def optio_codex(*args: str, cwd: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "optio_codex.cli.main",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace")


def _said(requests: list[RecordedRequest]) -> str:
    return json.dumps([r.body.get("input") for r in requests])


async def test_list_then_resume_on_another_host(
    tmp_path: Path,
    host_dir: Path,
    mongod: LocalMongod,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
) -> None:
    def agent(request: RecordedRequest) -> Step:
        return run_then_read_back(request)

    model_server.fallback = agent
    settings = tmp_path / "model.toml"
    settings.write_text(tomli_w.dumps(model_config(model_server, tmp_path)))
    common: list[Any] = ["--config", str(settings), "--policy", "allow"]

    code, out = await optio_codex(
        "run", *common, "--mongo-url", mongod.url, "--task-root", str(host_dir / "here"),
        "Write notes.txt, then finish.", cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, out[-3000:]
    # run --mongo-url writes to the optio_codex database; list reads it by default.
    code, listing = await optio_codex("list", "--mongo-url", mongod.url, cwd=tmp_path)
    assert code == 0, listing
    line = next(ln for ln in listing.splitlines() if ln.startswith("codex-"))
    process_id = line.split()[0]
    assert "done" in line and "resumable" in line, listing
    assert f"[task {process_id}: optio-codex resume {process_id} --mongo-url URL]" in out
    assert "snapshot " in listing and "(1 turns)" in listing and "on local" in listing, listing

    asked = len(model_server.responses_requests)
    code, out = await optio_codex(
        "resume", process_id, "--mongo-url", mongod.url,
        "--host", f"{sshd.username}@{sshd.host}:{sshd.port}", "--key", str(sshd.client_key_path),
        "--known-hosts", str(sshd.known_hosts_path), "--task-root", str(host_dir / "there"),
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, out[-3000:]
    assert "resume: restored snapshot" in out, out[-3000:]
    said = _said(model_server.responses_requests[asked:])
    assert "you have been resumed" in said and SECRET_LINE in said
    client: Any = AsyncIOMotorClient(mongod.url)
    try:
        snaps = client["optio_codex"]["optio_codex_cli_codex_snapshots"].find(
            {"process_id": process_id}
        )
        hosts = [s["meta"]["host"] async for s in snaps.sort("created_at", 1)]
    finally:
        await client.drop_database("optio_codex")  # run --mongo-url's: no other test's tasks
        client.close()
    assert hosts == ["local", f"{sshd.username}@{sshd.host}:{sshd.port}"], hosts
