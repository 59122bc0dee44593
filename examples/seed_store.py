"""Seeds, as an operator keeps them: store a ChatGPT login encrypted with the worker's key,
verify it (one refresh, saved back with compare-and-swap), see a stale copy refused, and see a
login whose token was spent elsewhere put in quarantine. docs/credentials.md explains each step.

Offline: a throwaway mongod and the token-server stand-in in place of auth.openai.com (reached
through CODEX_REFRESH_TOKEN_URL_OVERRIDE, as codex reaches it). Run:
  .venv/bin/python examples/seed_store.py
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient

from optio_codex import SeedStore, list_seeds, verify_and_refresh_seed
from optio_codex.credentials.verify import refresh_grant
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.token_server import TokenServer


class Binding:
    """What optio's store binding offers the published helpers: the database and prefix."""

    def __init__(self, db: Any, prefix: str) -> None:
        self.db, self.prefix = db, prefix


async def operate(db: Any, tokens: TokenServer) -> None:
    store = SeedStore(db, "optio")  # encrypts with OPTIO_CODEX_BLOB_KEY_FILE's key
    login = tokens.new_login(account_id="acct-1", email="dev@example.com")
    await store.create(json.dumps(login).encode(), name="dev", pool_key="team")
    print("seeds stored:", len(await list_seeds(Binding(db, "optio"))))

    planted = (await store.load("dev")).lineage  # what a task would plant from
    result = await verify_and_refresh_seed(db, prefix="optio", seed_id="dev")
    print("verify:", result["status"], "-", result["reason"], "-", result["accounts"][0].summary)

    # A task still holding the login planted before verify rotated it cannot overwrite it.
    stale = json.dumps({**login, "last_refresh": "2020-01-01T00:00:00Z"}).encode()
    outcome = await store.save_back("dev", stale, parent=planted, holder=None)
    print("stale save-back:", outcome.kind, "-", outcome.newer, "is newer")

    # A copy of a login was used outside optio: it spent the refresh token the seed holds,
    # so the seed's next refresh presents a used token, and the server revokes the login.
    other = tokens.new_login(account_id="acct-2", email="ops@example.com")
    await store.create(json.dumps(other).encode(), name="ops")
    await refresh_grant(other["tokens"]["refresh_token"])  # the copy's refresh
    result = await verify_and_refresh_seed(db, prefix="optio", seed_id="ops")
    doc = await store.find("ops")
    print("verify:", result["status"], "-", result["reason"], "- status", doc["status"])
    print("token server: rotations", tokens.counts.rotations, "reuses", tokens.counts.reuses)


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        key = Path(tmp) / "blob.key"
        key.write_bytes(os.urandom(32))
        key.chmod(0o600)
        os.environ["OPTIO_CODEX_BLOB_KEY_FILE"] = str(key)
        async with LocalMongod(Path(tmp)) as mongod, TokenServer() as tokens:
            os.environ.update(tokens.codex_env())
            client: Any = AsyncIOMotorClient(mongod.url)
            try:
                await operate(client["example"], tokens)
            finally:
                client.close()


if __name__ == "__main__":
    asyncio.run(main())
