"""One task's login kept in step with its seed: the host's auth.json is compared with what
the seed holds, and a rotation codex made is saved back with compare-and-swap on the lineage
the task planted from (SeedStore.save_back renews the lease first; without the lease nothing
is written)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from optio_codex.credentials.auth_file import AuthFacts, read_auth
from optio_codex.credentials.host_auth import poll_auth_file
from optio_codex.credentials.seed_store import Lineage, SeedStore
from optio_codex.hosts.host_scripts import HostOps

log = logging.getLogger(__name__)


@dataclass
class SyncCounts:
    polls: int = 0
    saved: int = 0
    conflicts: int = 0
    lease_lost: int = 0


@dataclass
class SeedSync:
    """What the seed holds (``parent``) and what the host was last seen holding."""

    store: SeedStore
    seed_id: str
    holder: str
    parent: Lineage
    planted: AuthFacts  # the facts of the auth.json the seed holds
    signature: str = ""  # the host file's, at the last read
    counts: SyncCounts = field(default_factory=SyncCounts)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def check(self, ops: HostOps, path: str, *, timeout: float = 20.0) -> str | None:
        """Read the host's auth.json if it changed; save a rotation back. A note for the
        task's progress when something was saved or refused, else None."""
        async with self._lock:
            self.counts.polls += 1
            read = await poll_auth_file(ops, path, self.signature, timeout=timeout)
            if read.content is None:
                return None
            facts = read_auth(read.content)
            if facts is None:
                return None  # caught mid-rewrite: the next poll reads it whole
            self.signature = read.signature
            if not facts.newer_than(self.planted):
                return None
            return await self._save(read.content, facts)

    async def offer(self, content: bytes) -> str | None:
        """An auth.json found elsewhere (a task directory a restart left): saved back if it
        is a newer rotation of this seed's lineage."""
        facts = read_auth(content)
        if facts is None or not facts.newer_than(self.planted):
            return None
        async with self._lock:
            return await self._save(content, facts)

    async def _save(self, content: bytes, facts: AuthFacts) -> str | None:
        outcome = await self.store.save_back(
            self.seed_id, content, parent=self.parent, holder=self.holder
        )
        kind = outcome.kind
        if kind in ("saved", "unchanged"):
            if outcome.lineage is not None:
                self.parent = outcome.lineage
            self.planted = facts
            if kind == "saved":
                self.counts.saved += 1
                return (
                    f"seed: codex's rotated login saved back (generation {self.parent.generation})"
                )
            return None
        if kind == "lease_lost":
            self.counts.lease_lost += 1
            return "seed: the lease was lost; the rotated login could not be saved back"
        self.counts.conflicts += 1
        log.warning("seed %s: save-back conflict: %s", self.seed_id, outcome.detail)
        return f"seed: save-back refused, the seed moved on elsewhere ({outcome.detail})"
