"""The token-server stand-in: rotation, reuse revoking the lineage, scripted faults, the
device-code login; and the real codex app-server refreshing a ChatGPT login through it."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import tomli_w

from optio_codex.testing.catalog import write_mock_model_catalog
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.oauth_tokens import CLIENT_ID
from optio_codex.testing.token_server import TokenServer


@pytest.fixture
async def tokens() -> AsyncIterator[TokenServer]:
    async with TokenServer() as server:
        yield server


async def refresh(
    session: aiohttp.ClientSession, server: TokenServer, token: str
) -> tuple[int, dict[str, Any]]:
    body = {"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": token}
    async with session.post(server.token_url, json=body) as answer:
        return answer.status, await answer.json()


async def test_rotation_and_reuse_revokes_the_lineage(tokens: TokenServer) -> None:
    login = tokens.new_login(account_id="acct-a", email="a@example.com")
    first = login["tokens"]
    assert tokens.is_valid_access(first["access_token"])
    async with aiohttp.ClientSession() as session:
        status, second = await refresh(session, tokens, first["refresh_token"])
        assert status == 200 and second["refresh_token"] != first["refresh_token"]
        assert tokens.is_valid_access(second["access_token"])
        status, third = await refresh(session, tokens, second["refresh_token"])
        assert status == 200
        # The second token again: reuse. The whole lineage dies, its newest token too.
        status, body = await refresh(session, tokens, second["refresh_token"])
        assert (status, body) == (401, {"error": {"code": "refresh_token_reused"}})
        assert not tokens.is_valid_access(third["access_token"])
        status, body = await refresh(session, tokens, third["refresh_token"])
        assert status == 400 and body == {"code": "refresh_token_invalidated"}
        status, body = await refresh(session, tokens, "rt_never_issued")
        assert (status, body) == (401, {"error": "invalid_grant"})
    assert (tokens.counts.calls, tokens.counts.rotations, tokens.counts.reuses) == (5, 2, 1)


async def test_short_access_ttl_expires(tokens: TokenServer) -> None:
    login = tokens.new_login(access_ttl=0.2)
    assert tokens.bearer_check(f"Bearer {login['tokens']['access_token']}")
    await asyncio.sleep(0.3)
    assert not tokens.bearer_check(f"Bearer {login['tokens']['access_token']}")
    assert not tokens.bearer_check(None)


async def test_scripted_faults(tokens: TokenServer) -> None:
    token = tokens.new_login()["tokens"]["refresh_token"]
    expected = [
        ("500", 500),
        ("429", 429),
        ("invalid_grant", 400),
        ("refresh_token_expired", 400),
        ("refresh_token_invalidated", 400),
    ]
    async with aiohttp.ClientSession() as session:
        for kind, status in expected:
            tokens.fail_next(kind)
            assert (await refresh(session, tokens, token))[0] == status, kind
        tokens.fail_next("hang")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await refresh(session, tokens, token)
        # The faults consumed nothing: the token still rotates.
        status, _ = await refresh(session, tokens, token)
        assert status == 200
    assert tokens.counts.faults == 6 and tokens.counts.rotations == 1
    with pytest.raises(ValueError, match="fault"):
        tokens.fail_next("teapot")


async def test_device_code_login(tokens: TokenServer) -> None:
    base = tokens.base_url
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/api/accounts/deviceauth/usercode", json={"client_id": CLIENT_ID}
        ) as answer:
            started = await answer.json()
        poll = {"device_auth_id": started["device_auth_id"], "user_code": started["user_code"]}
        async with session.post(f"{base}/api/accounts/deviceauth/token", json=poll) as answer:
            assert answer.status == 404  # pending: codex keeps polling
        tokens.approve(started["user_code"])
        async with session.post(f"{base}/api/accounts/deviceauth/token", json=poll) as answer:
            granted = await answer.json()
        form = {
            "grant_type": "authorization_code",
            "code": granted["authorization_code"],
            "redirect_uri": f"{base}/deviceauth/callback",
            "code_verifier": granted["code_verifier"],
            "client_id": CLIENT_ID,
        }
        async with session.post(tokens.token_url, data=form) as answer:
            issued = await answer.json()
        assert tokens.is_valid_access(issued["access_token"]) and issued["refresh_token"]
        async with session.post(tokens.token_url, data=form) as answer:
            assert answer.status == 400  # a code is single-use


async def test_real_codex_refreshes_through_the_stand_in(
    tokens: TokenServer, model_server: ScriptedModelServer, codex_env: Any, start_local: Any
) -> None:
    """codex 0.163.0 on a ChatGPT auth.json: ``account/read {refreshToken: true}`` rotates the
    token here, codex rewrites auth.json, and the model server sees the new bearer."""
    model_server.auth_check = tokens.bearer_check
    home = codex_env.codex_home
    catalog = write_mock_model_catalog(home / "mock-model-catalog.json")
    config = tokens.chatgpt_codex_config(model_server.base_url, catalog)
    (home / "config.toml").write_text(tomli_w.dumps(config))
    login = tokens.new_login(account_id="acct-real", email="real@example.com")
    auth_path = home / "auth.json"
    auth_path.write_text(json.dumps(login))
    os.chmod(auth_path, 0o600)
    codex_env.env.update(tokens.codex_env())

    conversation = await start_local()
    first = await conversation.run_turn("hello", timeout=60)
    assert first.status == "completed", first.error
    before = model_server.responses_requests[-1].headers["authorization"]
    assert before == f"Bearer {login['tokens']['access_token']}"

    read = await conversation.request("account/read", {"refreshToken": True}, timeout=30)
    assert read["account"]["email"] == "real@example.com"
    assert read["account"]["planType"] == "pro"
    assert tokens.counts.rotations == 1
    rewritten = json.loads(auth_path.read_text())
    assert rewritten["tokens"]["refresh_token"] != login["tokens"]["refresh_token"]
    assert rewritten["tokens"]["account_id"] == "acct-real"
    assert rewritten["last_refresh"] != login["last_refresh"]

    second = await conversation.run_turn("again", timeout=60)
    assert second.status == "completed", second.error
    after = model_server.responses_requests[-1].headers["authorization"]
    assert after == f"Bearer {rewritten['tokens']['access_token']}" != before
    assert tokens.is_valid_access(after.removeprefix("Bearer "))
    assert not [r for r in model_server.requests if r.step == "unauthorized"]


async def test_real_codex_device_login_through_the_stand_in(
    tokens: TokenServer, codex_binary: Any, tmp_path: Path
) -> None:
    """``codex login --device-auth --experimental_issuer`` (hidden flag of 0.163.0): it polls
    while the stand-in answers 404, and writes a 0600 auth.json once the code is approved."""
    home = tmp_path / "codex-home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "CODEX_HOME": str(home)}
    argv = [str(codex_binary.path), "login", "--device-auth"]
    process = await asyncio.create_subprocess_exec(
        *argv,
        "--experimental_issuer",
        tokens.base_url,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    polls = ("POST", "/api/accounts/deviceauth/token")
    async with asyncio.timeout(30):
        while tokens.requests.count(polls) < 2:  # pending at least once
            await asyncio.sleep(0.1)
    (code,) = tokens.pending_user_codes
    tokens.approve(code)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, output
    assert code in output.decode() and f"{tokens.base_url}/codex/device" in output.decode()
    auth = json.loads((home / "auth.json").read_text())
    assert (home / "auth.json").stat().st_mode & 0o777 == 0o600
    assert auth["tokens"]["account_id"] == "acct-test-1" and auth["last_refresh"]
    assert tokens.is_valid_access(auth["tokens"]["access_token"])
