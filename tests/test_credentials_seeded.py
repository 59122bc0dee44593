"""Seeded tasks in a real engine: a ChatGPT login planted from the seed store over a real sshd,
used by the real codex against a model that checks its bearer, rotated at the token-server
stand-in, saved back, leased so that two tasks never run one login at once."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from optio_core import Optio

from optio_codex.credentials.seed_store import SeedQuarantined, seed_pool
from optio_codex.factory import create_codex_task
from optio_codex.task.config import SSHConfig
from optio_codex.testing import model_server as ms
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.oauth_tokens import CLIENT_ID
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from optio_codex.testing.token_server import TokenServer
from tests.support.engine_runs import launch, log_messages, process_end, process_when
from tests.support.seeded import (
    SeedRig,
    documents_with,
    finish_when_told,
    processes_with,
    text_with,
)

pytestmark = pytest.mark.timeout(120)

Engine = tuple[Optio, list[Any]]


@pytest.fixture
async def rig(
    sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path, mongo_db: Any
) -> AsyncIterator[SeedRig]:
    async with TokenServer() as token:
        model_server.fallback = finish_when_told
        yield SeedRig(token, model_server, sshd, host_dir, mongo_db)


async def run_tasks(
    engine: Engine, configs: dict[str, Any], *, within: float = 60.0
) -> list[dict[str, Any]]:
    fw, tasks = engine
    for pid, config in configs.items():
        tasks.append(create_codex_task(pid, pid, config))
    await fw.resync()
    for pid in configs:
        await fw.launch(pid, session_id=None)
    return [await process_end(fw, pid, within=within) for pid in configs]


async def seed_doc(rig: SeedRig, seed_id: str) -> dict[str, Any]:
    return await rig.store.find(seed_id)  # type: ignore[no-any-return]


async def test_a_named_seed_is_planted_used_and_released(engine: Engine, rig: SeedRig) -> None:
    seed_config = (
        b'model_reasoning_summary = "concise"\n'
        b'[projects."/home/someone/elsewhere"]\ntrust_level = "trusted"\n'
    )
    auth = rig.token.new_login(email="team@example.com")
    rig.logins.append(auth)
    seed_id = await rig.store.create(json.dumps(auth).encode(), seed_config, name="team")
    [proc] = await run_tasks(engine, {"seeded-1": rig.config("team")})
    assert proc["status"]["state"] == "done", proc["status"]
    # codex used the planted login: every model request carried its access token.
    bearers = set(rig.bearers())
    assert bearers == {f"Bearer {auth['tokens']['access_token']}"}, bearers
    codex_home = rig.base / "tasks" / "seeded-1" / "home" / ".codex"
    assert stat.S_IMODE((codex_home / "auth.json").stat().st_mode) == 0o600
    config_text = (codex_home / "config.toml").read_text()
    assert 'model_reasoning_summary = "concise"' in config_text
    assert "/home/someone/elsewhere" not in config_text  # the seed's trust stays behind
    doc = await seed_doc(rig, seed_id)
    assert doc.get("lease") is None  # released at the end
    assert doc["lineage"]["generation"] == 0  # nothing rotated, nothing saved
    assert any("seed team: login planted" in m for m in log_messages(proc))


async def test_two_tasks_on_one_seed_take_turns_and_the_lineage_survives(
    engine: Engine, rig: SeedRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Each access token expires after one model-server request: codex refreshes it (the
    # single-use refresh token rotates) mid-session, in each task, several times.
    rig.access_budget = 1
    seed_id = await rig.seed("shared")
    holders: list[str | None] = []
    exposed: list[str] = []
    stop = asyncio.Event()

    async def watch_leases() -> None:
        while not stop.is_set():
            lease = (await seed_doc(rig, seed_id)).get("lease") or {}
            holders.append(lease.get("holder"))
            exposed.extend(processes_with(rig.secrets()))  # while codex runs with them
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch_leases())
    try:
        first, second = await run_tasks(
            engine, {"shared-a": rig.config("shared"), "shared-b": rig.config("shared")}
        )
    finally:
        stop.set()
        await watcher
    assert first["status"]["state"] == second["status"]["state"] == "done"
    # One holder at a time: once the second task held the seed, the first never did again.
    seen = [h for i, h in enumerate(holders) if h and (i == 0 or holders[i - 1] != h)]
    assert sorted(set(seen)) == ["shared-a", "shared-b"] and len(seen) == 2, seen
    counts = rig.token.counts
    assert counts.reuses == 0 and counts.rotations >= 2
    doc = await seed_doc(rig, seed_id)
    # Save-backs, one per task at least (two rotations between polls make one save-back).
    assert 2 <= doc["lineage"]["generation"] <= counts.rotations
    # The seed holds the lineage's current token: the next task could use it.
    files = await rig.store.load(seed_id)
    [lineage] = rig.token.lineages.values()
    assert json.loads(files.auth_json)["tokens"]["refresh_token"] == lineage.current
    assert lineage.revoked is None
    # No token in any process's argv or environment, any log, progress line or document.
    assert exposed == []
    assert await documents_with(rig.db, rig.secrets()) == []
    assert text_with([r.getMessage() for r in caplog.records], rig.secrets()) == []
    messages = log_messages(first) + log_messages(second)
    assert text_with(messages, rig.secrets()) == []


async def test_a_pool_gives_two_tasks_two_seeds(engine: Engine, rig: SeedRig) -> None:
    # One seed of ours, one as the published package stored it (an encrypting hook pair).
    seeds = {
        await rig.seed(pool="p", account_id="acct-0"),
        await rig.published_seed(pool="p", account_id="acct-1"),
    }
    provider = seed_pool(rig.store, "p", wait=30)
    a, b = await run_tasks(engine, {"pool-a": rig.config(provider), "pool-b": rig.config(provider)})
    assert a["status"]["state"] == b["status"]["state"] == "done"
    planted = {rig.auth_on_host(pid)["tokens"]["account_id"] for pid in ("pool-a", "pool-b")}
    assert planted == {"acct-0", "acct-1"}
    for seed_id in seeds:
        assert (await seed_doc(rig, seed_id)).get("lease") is None


async def test_a_reused_token_quarantines_the_seed_once(engine: Engine, rig: SeedRig) -> None:
    seed_id = await rig.seed("spent")
    # Someone else used the seed's refresh token (a copy outside the store): it is spent.
    [auth] = rig.logins
    async with aiohttp.ClientSession() as http:
        answer = await http.post(
            rig.token.token_url,
            json={
                "client_id": CLIENT_ID,
                "grant_type": "refresh_token",
                "refresh_token": auth["tokens"]["refresh_token"],
            },
        )
        assert answer.status == 200
    rig.access_budget = 1  # the second model request makes codex refresh: with the spent token
    fw, tasks = engine
    tasks.append(create_codex_task("spent-1", "spent-1", rig.config("spent", max_nudges=0)))
    await fw.resync()
    await fw.launch("spent-1", session_id=None)
    proc = await process_when(
        fw, "spent-1", lambda p: any("quarantined" in m for m in log_messages(p)), within=60
    )
    doc = await seed_doc(rig, seed_id)
    assert doc["status"] == "dead"
    assert doc["quarantine"]["reason"] == "refresh token reused (refresh_token_reused)"
    assert any("seed spent quarantined: refresh token reused" in m for m in log_messages(proc))
    await fw.cancel_and_wait("spent-1")
    assert rig.token.counts.reuses == 1  # codex tried once; nothing retried it
    with pytest.raises(SeedQuarantined, match="refresh_token_reused"):
        await rig.store.load("spent")
    assert (await seed_doc(rig, seed_id)).get("lease") is None


async def test_a_published_env_api_key_reaches_codex_in_auth_json_only(
    engine: Engine, rig: SeedRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    key = "sk-published-style-" + "9" * 24
    rig.model.auth_check = lambda header: header == f"Bearer {key}"
    saved: list[tuple[str, str | None]] = []

    async def on_seed_saved(seed_id: str, info: str | None) -> None:
        saved.append((seed_id, info))

    config = rig.config(
        None, env={"OPENAI_API_KEY": key, **rig.token.codex_env()}, on_seed_saved=on_seed_saved
    )
    assert config.api_key == key and "OPENAI_API_KEY" not in (config.env or {})
    conversation = await launch(engine, "keyed-1", config)
    exposed = processes_with([key])  # codex is up: its argv and environment hold no key
    proc = await process_end(engine[0], "keyed-1")
    assert proc["status"]["state"] == "done", proc["status"]
    assert exposed == []
    assert rig.model.requests and all(r.step != "unauthorized" for r in rig.model.requests)
    # on_seed_saved: the run's login captured as a new seed (encrypted at rest by the hooks).
    [(seed_id, info)] = saved
    assert info is None  # an API key names no account
    captured = await rig.store.load(seed_id)
    assert json.loads(captured.auth_json)["OPENAI_API_KEY"] == key
    assert await documents_with(rig.db, [key]) == []
    assert text_with([r.getMessage() for r in caplog.records], [key]) == []
    assert any("taken as api_key" in r.getMessage() for r in caplog.records)
    replayed = conversation.subscribe(replay=True).get_nowait_batch()
    events = [json.dumps(e, default=str) for e in replayed]
    assert events and text_with(events, [key]) == []


async def test_a_rotation_during_an_ssh_outage_is_saved_at_the_reconnect(
    engine: Engine, rig: SeedRig, relay: TcpRelay
) -> None:
    seed_id = await rig.seed("cut")
    rig.access_budget = 1
    gate = rig.model.hold()
    rig.model.script(
        ms.exec_command("echo one", escalate=False),
        ms.exec_command("echo two", escalate=False).held(gate),
    )
    known = rig.base / "known_hosts_relay"
    known.write_text(f"[{rig.sshd.host}]:{relay.port} {rig.sshd.host_public_key}\n")
    ssh = SSHConfig(
        host=rig.sshd.host,
        port=relay.port,
        user=rig.sshd.username,
        key_path=str(rig.sshd.client_key_path),
        known_hosts=str(known),
    )
    fw, tasks = engine
    tasks.append(create_codex_task("cut-1", "cut-1", rig.config("cut", ssh=ssh)))
    await fw.resync()
    await fw.launch("cut-1", session_id=None)
    async with asyncio.timeout(60):
        while rig.token.counts.rotations == 0:
            await asyncio.sleep(0.005)
    relay.set_down(True)  # codex goes on rotating on the host; the run cannot read it
    try:
        assert (await seed_doc(rig, seed_id))["lineage"]["generation"] == 0
        await gate.wait_reached(timeout=30)  # a second rotation happened behind the cut
        await asyncio.sleep(4.0)  # polls fail meanwhile
    finally:
        relay.set_down(False)
    [lineage] = rig.token.lineages.values()
    async with asyncio.timeout(60):  # saved at the reconnect, with the turn still held
        while (
            json.loads((await rig.store.load(seed_id)).auth_json)["tokens"]["refresh_token"]
            != lineage.current
        ):
            await asyncio.sleep(0.2)
    assert (await fw.get_process("cut-1") or {})["status"]["state"] == "running"
    gate.release()
    proc = await process_end(fw, "cut-1", within=60)
    assert proc["status"]["state"] == "done", proc["status"]
    assert rig.token.counts.reuses == 0 and lineage.revoked is None
