"""``optio-codex seeds login NAME``: the pinned codex's device-code login against the
token-server stand-in (the issuer codex's hidden --experimental_issuer takes), the login
stored as a new seed, no token printed; and analyze_account through a real app-server."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from optio_agents.account import EMPTY

from optio_codex.cli.main import _parser
from optio_codex.cli.seeds import seeds_command
from optio_codex.credentials.account import analyze_account
from optio_codex.credentials.device_login import ISSUER_ENV
from optio_codex.credentials.seed_store import SeedStore
from optio_codex.testing.oauth_tokens import Account
from optio_codex.testing.token_server import TokenServer

PREFIX = "t"
pytestmark = pytest.mark.timeout(60)


class Operator(io.StringIO):
    """The terminal: once the code is shown, the operator enters it at the issuer."""

    def __init__(self, token: TokenServer) -> None:
        super().__init__()
        self.token = token

    def write(self, text: str) -> int:
        match = re.search(r"enter the code (\S+)", text)
        if match:
            self.token.approve(match.group(1))
        return super().write(text)


@pytest.fixture
async def token() -> AsyncIterator[TokenServer]:
    account = Account("acct-login", "new@example.com", "user-login", "plus")
    async with TokenServer(device_account=account) as server:
        yield server


async def login(mongod: Any, db: Any, token: TokenServer, *argv: str) -> tuple[int, str, str]:
    url = mongod.url.replace("/?", f"/{db.name}?")
    args = _parser().parse_args(["seeds", "login", *argv, "--mongo-url", url, "--prefix", PREFIX])
    out, err = Operator(token), io.StringIO()
    os.environ[ISSUER_ENV] = token.base_url
    try:
        with contextlib.redirect_stderr(err):
            code = await seeds_command(args, out)
    finally:
        os.environ.pop(ISSUER_ENV, None)
    return code, out.getvalue(), err.getvalue()


async def test_seeds_login_stores_a_new_seed(
    mongod: Any, mongo_db: Any, token: TokenServer
) -> None:
    code, out, err = await login(mongod, mongo_db, token, "fresh", "--pool", "team")
    assert code == 0, err
    assert f"open {token.base_url}/codex/device" in out
    assert "stored seed fresh" in out and "ChatGPT Plus for <new@example.com>" in out
    files = await SeedStore(mongo_db, PREFIX).load("fresh")
    auth = json.loads(files.auth_json)
    [lineage] = token.lineages.values()
    assert auth["tokens"]["refresh_token"] == lineage.current and auth["last_refresh"]
    doc = await SeedStore(mongo_db, PREFIX).find("fresh")
    assert doc["poolKey"] == "team" and doc["metadata"]["accounts"][0]["email"] == "new@example.com"
    for secret in (auth["tokens"]["refresh_token"], auth["tokens"]["access_token"]):
        assert secret not in out + err
    assert not list((Path.home() / ".optio-codex").glob("login-*"))  # the private home is gone

    code, _, err = await login(mongod, mongo_db, token, "fresh")
    assert code == 2 and "a seed named 'fresh' exists" in err
    code, _, err = await login(mongod, mongo_db, token, "bad name!")
    assert code == 2 and "seed name" in err


async def test_analyze_account_asks_codex_and_never_rotates(token: TokenServer) -> None:
    auth = token.new_login(account_id="acct-9", email="who@example.com", plan="pro")
    info = await analyze_account(auth["tokens"], chatgpt_base_url=token.chatgpt_base_url)
    assert info.email == "who@example.com" and info.plan == "ChatGPT Pro"
    assert info.account_id == "acct-9"
    assert {w.label for w in info.windows} >= {"primary"}
    assert token.counts.rotations == 0  # a copy outside the store must not spend the token
    # Near its expiry codex would refresh at start: the refresh goes nowhere, nothing spent.
    soon = token.new_login(account_id="acct-10", access_ttl=60)
    info = await analyze_account(soon, chatgpt_base_url=token.chatgpt_base_url)
    assert info.account_id == "acct-10" and token.counts.rotations == 0
    assert await analyze_account({"nothing": 1}) == EMPTY
