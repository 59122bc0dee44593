"""``optio-codex seeds list | show | delete | verify`` as an operator runs them: the real
command in a child process, a real mongod, the token-server stand-in; no secret printed."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from optio_codex.cli.main import _parser
from optio_codex.cli.seeds import seeds_command
from optio_codex.credentials.seed_store import SeedStore
from optio_codex.testing.token_server import TokenServer

PREFIX = "optio"


async def cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The command in this process (a child per call costs seconds of imports on a loaded
    machine); the environment as given."""
    args = _parser().parse_args(["seeds", *argv])
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stderr(err):
            code = await seeds_command(args, out)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return code, out.getvalue(), err.getvalue()


async def command_line(*argv: str, env: dict[str, str]) -> tuple[int, str, str]:
    """The installed ``optio-codex`` in a child process."""
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "optio-codex"),
        "seeds",
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def tokens() -> AsyncIterator[TokenServer]:
    async with TokenServer() as server:
        yield server


async def test_list_show_verify_delete(mongod: Any, mongo_db: Any, tokens: TokenServer) -> None:
    store = SeedStore(mongo_db, PREFIX)
    login = tokens.new_login(account_id="acct-cli", email="ops@example.com")
    await store.create(json.dumps(login).encode(), name="ops", pool_key="team")
    dead = await store.create(json.dumps(tokens.new_login()).encode(), name="old")
    await store.quarantine(dead, "refresh_token_reused")
    base = ["--mongo-url", mongod.url.replace("/?", f"/{mongo_db.name}?")]  # the URL names the db
    env = {"CODEX_REFRESH_TOKEN_URL_OVERRIDE": tokens.token_url}
    outputs: list[str] = []

    code, out, err = await cli("list", *base)
    outputs.append(out + err)
    assert code == 0, err
    assert "ops " in out and "team" in out and "ops@example.com [ChatGPT Pro]" in out
    assert "dead (refresh_token_reused)" in out

    code, out, err = await cli("verify", "ops", *base, env=env)
    outputs.append(out + err)
    assert code == 0 and "ops: alive: refreshed (lineage generation 1)" in out, out + err
    code, out, err = await cli("verify", "old", *base, env=env)
    outputs.append(out + err)
    assert code == 1 and "dead" in out and "refresh_token_reused" in out

    code, out, err = await cli("show", "ops", *base)
    outputs.append(out + err)
    assert code == 0, err
    assert "lineage generation:  1" in out and "ops@example.com" in out
    assert "status:              alive" in out and "last verified:" in out

    await store.lease("ops", "run-7")
    code, out, err = await cli("delete", "ops", *base)
    assert code == 2 and "leased by run-7" in err
    code, out, err = await cli("verify", "ops", *base, env=env)
    assert code == 2 and "run-7" in err
    code, out, err = await cli("delete", "ops", "--force", *base)
    assert code == 0 and "deleted seed ops" in out
    assert await mongo_db["fs.files"].count_documents({}) == 1  # the dead seed's blob only

    secrets = [v for t in (login["tokens"],) for k, v in t.items() if k != "account_id"]
    secrets += [lin.current for lin in tokens.lineages.values()]
    for text in outputs:
        assert not [s for s in secrets if s in text]


async def test_clear_errors(mongod: Any, mongo_db: Any) -> None:
    code, _, err = await command_line("list", env={"OPTIO_CODEX_MONGO_URL": ""})
    assert code == 2 and "--mongo-url" in err
    code, out, _ = await command_line("list", env={"OPTIO_CODEX_MONGO_URL": mongod.url})
    assert code == 0 and "no seeds in optio_codex.optio_codex_seeds" in out
    code, _, err = await cli("list", "--mongo-url", "mongodb://127.0.0.1:9/x")
    assert code == 2 and "does not answer" in err
    code, _, err = await cli("show", "nobody", env={"OPTIO_CODEX_MONGO_URL": mongod.url})
    assert code == 2 and "no seed 'nobody'" in err
    code, out, _ = await cli("list", "--mongo-url", mongod.url, "--db", mongo_db.name)
    assert code == 0 and "no seeds" in out
