"""The codex seed manifests and the store helpers, in the published package's terms.

A seed is a document in ``{prefix}_codex_seeds`` and a GridFS blob: a tar.gz holding
``.codex/auth.json`` and, optionally, ``.codex/config.toml`` (the published layout: CODEX_HOME
is ``home/.codex`` under the task's workdir). The helpers take an optio store binding (any
object with ``.db`` and ``.prefix``), as the published ones do.
"""

from __future__ import annotations

from typing import Any, Protocol

from optio_agents import seeds
from optio_agents.seeds import SeedManifest

CODEX_SEED_SUFFIX = "_codex_seeds"
CODEX_SEED_MANIFEST_VERSION = 1
AUTH_MEMBER = ".codex/auth.json"
CONFIG_MEMBER = ".codex/config.toml"

# What a save-back rewrites: the login alone, never the seed's config.toml.
CODEX_CRED_MANIFEST = SeedManifest(
    home_subdir="home",
    include=[AUTH_MEMBER],
    version=CODEX_SEED_MANIFEST_VERSION,
    consume_transform=None,
)
# What a seed holds.
CODEX_SEED_MANIFEST = SeedManifest(
    home_subdir="home",
    include=[AUTH_MEMBER, CONFIG_MEMBER],
    version=CODEX_SEED_MANIFEST_VERSION,
    consume_transform=None,
)


class StoreBinding(Protocol):
    """optio's store binding (``optio.mongo_store``): the database and the name prefix."""

    @property
    def db(self) -> Any: ...

    @property
    def prefix(self) -> str: ...


async def list_seeds(store: StoreBinding) -> list[dict[str, Any]]:
    """``[{seedId, createdAt}, ...]`` for every codex seed, as published."""
    found: list[dict[str, Any]] = await seeds.list_seeds(
        store.db, prefix=store.prefix, suffix=CODEX_SEED_SUFFIX
    )
    return found


async def delete_seed(store: StoreBinding, seed_id: str) -> Any:
    """Delete a seed's document; its GridFS blob id (the caller removes the blob), or None."""
    return await seeds.delete_seed(
        store.db, prefix=store.prefix, suffix=CODEX_SEED_SUFFIX, seed_id=seed_id
    )


async def purge_seed(store: StoreBinding, seed_id: str) -> None:
    """Delete a seed's document and its blob; KeyError if there is no such seed."""
    await seeds.purge_seed(store.db, prefix=store.prefix, suffix=CODEX_SEED_SUFFIX, seed_id=seed_id)
