"""Seeded codex tasks against the token-server stand-in: a ChatGPT login planted from the seed
store, codex refreshing it at the local token server, the scripted model checking its bearer."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bson
from motor.motor_asyncio import AsyncIOMotorGridFSBucket
from optio_agents import seeds

from optio_codex.blob_crypto import BlobCipher
from optio_codex.credentials.manifest import CODEX_SEED_SUFFIX
from optio_codex.credentials.seed_store import SeedStore
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing import model_server as ms
from optio_codex.testing.catalog import write_mock_model_catalog
from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step
from optio_codex.testing.sshd import SshdInfo
from optio_codex.testing.token_server import TokenServer
from tests.support.engine_runs import ssh_to

PREFIX = "t"  # the test engine's


def finish_when_told(request: RecordedRequest) -> Step:
    """A model that ends the task: DONE into optio.log, then a last word."""
    calls = " ".join(
        str(i.get("arguments"))
        for i in request.body.get("input") or []
        if i.get("type") == "function_call"
    )
    if "echo DONE" in calls:
        return ms.text("Done.")
    return ms.exec_command("echo DONE >> optio.log", escalate=False)


@dataclass
class SeedRig:
    """The parts of a seeded task: token server, bearer-checking model, sshd, a cipher."""

    token: TokenServer
    model: ScriptedModelServer
    sshd: SshdInfo
    base: Path
    db: Any
    cipher: BlobCipher | None = field(default_factory=lambda: BlobCipher(b"k" * 32))
    logins: list[dict[str, Any]] = field(default_factory=list)
    # Each access token is good for this many model-server requests, then it is expired (the
    # token server's access TTL cannot do it: under codex's 5-minute margin every backend
    # call refreshes). None: good until its TTL.
    access_budget: int | None = None
    _uses: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.model.auth_check = self._check_bearer

    def _check_bearer(self, authorization: str | None) -> bool:
        if not self.token.bearer_check(authorization):
            return False
        if self.access_budget is None:
            return True
        bearer = (authorization or "").partition(" ")[2].strip()
        used = self._uses.get(bearer, 0)
        if used >= self.access_budget:
            return False  # expired mid-session: codex reloads, then refreshes
        self._uses[bearer] = used + 1
        return True

    @property
    def store(self) -> SeedStore:
        if self.cipher is None:
            return SeedStore(self.db, PREFIX)
        return SeedStore(self.db, PREFIX, encrypt=self.cipher.encrypt, decrypt=self.cipher.decrypt)

    async def seed(self, name: str | None = None, *, pool: str | None = None, **login: Any) -> str:
        """A new seed holding a fresh login of the token server."""
        auth = self.token.new_login(**login)
        self.logins.append(auth)
        return await self.store.create(json.dumps(auth).encode(), name=name, pool_key=pool)

    async def published_seed(self, *, pool: str, **login: Any) -> str:
        """A seed exactly as the published package's capture_seed stores it: a tar.gz of
        ``.codex/auth.json`` and ``.codex/config.toml``, through the seed_blob_encrypt hook, in
        the default GridFS bucket; a document without our name or lineage."""
        auth = self.token.new_login(**login)
        self.logins.append(auth)
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            for name, data in (
                (".codex/auth.json", json.dumps(auth, indent=2).encode()),
                (".codex/config.toml", b'model_verbosity = "low"\n'),
            ):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        payload = self.cipher.encrypt(out.getvalue()) if self.cipher else out.getvalue()
        blob_id = await AsyncIOMotorGridFSBucket(self.db).upload_from_stream("seed", payload)
        seed_id: str = await seeds.insert_seed(
            self.db, prefix=PREFIX, suffix=CODEX_SEED_SUFFIX, blob_id=blob_id, manifest_version=1
        )
        await seeds.assign_to_pool(
            self.db, prefix=PREFIX, suffix=CODEX_SEED_SUFFIX, seed_id=seed_id, poolKey=pool
        )
        return seed_id

    def codex_config(self) -> dict[str, Any]:
        catalog = write_mock_model_catalog(self.base / "catalog.json")
        config = self.token.chatgpt_codex_config(self.model.base_url, catalog)
        config.pop("sandbox_workspace_write", None)
        return config

    def config(self, seed_id: Any, **overrides: Any) -> CodexTaskConfig:
        values: dict[str, Any] = {
            "consumer_instructions": "Do the scripted job, then write DONE to optio.log.",
            "ssh": ssh_to(self.sshd),
            "task_root": str(self.base / "tasks"),
            "codex_config": self.codex_config(),
            "env": self.token.codex_env(),
            "seed_id": seed_id,
            "auto_start": True,
            "cleanup": "never",
        }
        if self.cipher is not None:
            values["seed_blob_encrypt"] = self.cipher.encrypt
            values["seed_blob_decrypt"] = self.cipher.decrypt
        values.update(overrides)
        return CodexTaskConfig(**values)

    def secrets(self) -> Iterator[str]:
        """Every token the token server issued, and every login's."""
        for lineage in self.token.lineages.values():
            yield lineage.current
            yield from lineage.used
        yield from self.token._access  # the access tokens it issued
        for auth in self.logins:
            yield from (auth["tokens"][k] for k in ("access_token", "refresh_token", "id_token"))

    def auth_on_host(self, task_id: str) -> dict[str, Any]:
        path = self.base / "tasks" / task_id / "home" / ".codex" / "auth.json"
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def bearers(self) -> list[str | None]:
        return [
            r.headers.get("authorization")
            for r in self.model.requests
            if r.path.endswith("/responses")
        ]


def processes_with(needles: Iterable[str]) -> list[str]:
    """Live processes whose command line or environment holds any of ``needles``."""
    wanted = [n.encode() for n in needles if n]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        for part in ("cmdline", "environ"):
            try:
                data = (entry / part).read_bytes()
            except OSError:
                continue
            if any(n in data for n in wanted):
                found.append(f"{entry.name} ({part}): {data[:120]!r}")
    return found


async def documents_with(db: Any, needles: Iterable[str]) -> list[str]:
    """Documents of every collection of ``db`` (GridFS chunks included) holding any needle."""
    wanted = [n.encode() for n in needles if n]
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find():
            raw = bson.encode(doc)
            if any(n in raw for n in wanted):
                found.append(f"{name}: {doc.get('_id')}")
    return found


def text_with(texts: Iterable[str], needles: Iterable[str]) -> list[str]:
    wanted = [n for n in needles if n]
    return [t[:120] for t in texts if any(n in t for n in wanted)]
