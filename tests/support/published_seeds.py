"""Seeds made exactly as the published optio-codex 0.4.8 makes them (optio_agents.seeds
.capture_seed): a tar.gz of ``.codex/auth.json`` and ``.codex/config.toml``, optionally passed
through an encrypt hook, in GridFS's default bucket, and a document from ``insert_seed``."""

from __future__ import annotations

import io
import tarfile
from typing import Any

from motor.motor_asyncio import AsyncIOMotorGridFSBucket
from optio_agents import seeds

from optio_codex.credentials.manifest import CODEX_SEED_SUFFIX


def published_tar(auth_json: bytes, config: bytes) -> bytes:
    """What capture_seed's ``tar -czf ... .codex/auth.json .codex/config.toml`` makes."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in ((".codex/auth.json", auth_json), (".codex/config.toml", config)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


async def published_seed(db: Any, payload: bytes, *, prefix: str = "t") -> str:
    """A seed document and blob as capture_seed stores them; the seed's id."""
    blob_id = await AsyncIOMotorGridFSBucket(db).upload_from_stream("seed", payload)
    seed_id: str = await seeds.insert_seed(
        db, prefix=prefix, suffix=CODEX_SEED_SUFFIX, blob_id=blob_id, manifest_version=1
    )
    return seed_id
