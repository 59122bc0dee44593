"""The snapshot store against a real mongod, on the worker itself and over a real sshd.

The host is this machine (the loopback sshd logs in as the same user), so the tests lay out
and inspect the host's directories with the file system directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from optio_codex.hosts.host_scripts import (
    CommandResult,
    HostOps,
    HostProcess,
    LiveSshOps,
    LocalOps,
)
from optio_codex.hosts.ssh import connect_ssh
from optio_codex.snapshots import (
    SnapshotCorrupt,
    SnapshotRoot,
    SnapshotStore,
    capture,
    restore,
)
from optio_codex.testing.sshd import SshdInfo, ssh_target
from optio_codex.transport.socket import FixedConnection

EXCLUDE = [".git", "node_modules", "__pycache__", ".venv", "*.pyc", ".DS_Store", "home/.cache"]


@pytest.fixture(params=["local", "ssh"])
async def ops(request: pytest.FixtureRequest) -> AsyncIterator[HostOps]:
    if request.param == "local":
        yield LocalOps()
        return
    sshd: SshdInfo = request.getfixturevalue("sshd")
    conn = await connect_ssh(ssh_target(sshd))
    try:
        yield LiveSshOps(FixedConnection(conn))
    finally:
        conn.close()


def make_tree(root: Path) -> None:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "mod.py").write_text("print('hello')\n" * 200)
    (root / "src" / "pkg" / "mod.pyc").write_bytes(b"compiled")
    (root / "data.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # several chunks
    (root / "copy.bin").write_bytes((root / "data.bin").read_bytes())  # same chunks
    (root / "empty").write_bytes(b"")
    (root / "script.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "script.sh").chmod(0o750)
    (root / "odd name\nwith newline").write_text("odd")
    (root / "link").symlink_to("src/pkg/mod.py")
    (root / "emptydir").mkdir()
    (root / "private").mkdir(mode=0o700)
    (root / "readonly").mkdir()
    (root / "readonly" / "inside").write_text("set before its directory turns read-only")
    (root / "readonly").chmod(0o555)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: main\n")
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "i.js").write_text("x")
    (root / "home" / ".cache").mkdir(parents=True)
    (root / "home" / ".cache" / "junk").write_text("junk")
    (root / "home" / "keep").write_text("keep")


def tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under ``root``: kind, permission bits, content hash or link target."""
    out: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", 0, os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), "")
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[rel] = ("f", stat.S_IMODE(st.st_mode), digest)
    return out


def without_excluded(entries: dict[str, tuple[str, int, str]]) -> dict[str, tuple[str, int, str]]:
    def excluded(rel: str) -> bool:
        parts = rel.split("/")
        return (
            rel.endswith(".pyc")
            or ".git" in parts
            or "node_modules" in parts
            or rel.startswith("home/.cache")
        )

    return {k: v for k, v in entries.items() if not excluded(k)}


async def test_full_incremental_and_restore(
    ops: HostOps, mongo_db: Any, host_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = host_dir / "work"
    make_tree(work)
    # Over SSH the host compresses what it sends, in several streams (as over a slow link);
    # locally it sends one plain tar.
    store = SnapshotStore(mongo_db, "t", gzip_transfer=isinstance(ops, LiveSshOps))
    monkeypatch.setattr(capture, "PARALLEL_MIN_BYTES", 1024 * 1024)
    monkeypatch.setattr(restore, "PARALLEL_MIN_BYTES", 1024 * 1024)
    roots = [SnapshotRoot("workspace", str(work))]
    execs = ops.trips.execs
    first = await store.capture(ops, roots, process_id="p1", meta={"thread": "a"}, exclude=EXCLUDE)
    assert ops.trips.execs - execs == (3 if isinstance(ops, LiveSshOps) else 1)
    assert first.state == "complete" and first.meta == {"thread": "a"}
    assert first.files == 8  # symlinks, directories and excluded files are not counted
    data_size = (work / "data.bin").stat().st_size

    (work / "src" / "pkg" / "mod.py").write_text("print('changed')\n")
    os.utime(work / "script.sh")  # touched, same content: must not travel
    os.utime(work / "odd name\nwith newline")  # sha256sum escapes this name
    second = await store.capture(ops, roots, process_id="p1", meta={}, exclude=EXCLUDE)
    assert second.changed_files == 1
    # The listing and the changed file's bytes, nothing of the 6 MB of binary data.
    assert second.transferred_bytes < 20_000 < data_size
    assert second.new_chunks == 2  # the changed file and the new manifest

    listed = await store.list("p1")
    assert [s.id for s in listed] == [second.id, first.id]
    assert listed[0].created_at.tzinfo is not None and listed[0].meta == {}

    target = host_dir / "restored"
    execs = ops.trips.execs
    report = await store.restore(ops, second.id, {"workspace": str(target)})
    assert ops.trips.execs - execs == 3  # three streams; directories last, on the first
    assert report.files == second.files
    assert tree(target) == without_excluded(tree(work))
    # mtimes come back exactly: a capture of the restored tree sends nothing.
    again = await store.capture(
        ops, [SnapshotRoot("workspace", str(target))], process_id="p1", meta={}, exclude=EXCLUDE
    )
    assert again.changed_files == 0


async def test_roots_of_single_files_and_missing_roots(mongo_db: Any, host_dir: Path) -> None:
    ops = LocalOps()
    home = host_dir / "codex"
    (home / "sessions" / "2026").mkdir(parents=True)
    (home / "sessions" / "2026" / "rollout-x.jsonl").write_text('{"a":1}\n')
    (home / "config.toml").write_text("model = 'x'\n")
    (home / "auth.json").write_text("secret")
    store = SnapshotStore(mongo_db, "t")
    roots = [
        SnapshotRoot(
            "codex", str(home), files=["config.toml", "sessions/2026/rollout-x.jsonl", "gone"]
        ),
        SnapshotRoot("absent", str(host_dir / "nowhere")),
    ]
    snap = await store.capture(ops, roots, process_id="p", meta={}, exclude=[])
    assert snap.files == 2
    target = host_dir / "out"
    report = await store.restore(ops, snap.id, {"codex": str(target), "absent": str(host_dir)})
    assert report.missing_roots == ("absent",)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == [
        "config.toml",
        "sessions/2026/rollout-x.jsonl",
    ]


async def test_retention_and_garbage_collection(mongo_db: Any, host_dir: Path) -> None:
    ops = LocalOps()
    work = host_dir / "w"
    work.mkdir()
    store = SnapshotStore(mongo_db, "t")
    roots = [SnapshotRoot("workspace", str(work))]
    for i in range(4):
        (work / f"f{i}").write_text(f"version {i}\n" * 100)
        await store.capture(ops, roots, process_id="p", meta={"i": i}, exclude=[])
    (work / "f0").unlink()
    await store.capture(ops, roots, process_id="p", meta={"i": 4}, exclude=[])
    assert await store.prune("p", keep=2) == 3
    assert [s.meta["i"] for s in await store.list("p")] == [4, 3]
    # The three pruned manifests are unreferenced now (f0 is still in snapshot 3).
    assert await store.collect_garbage() == 0  # too recent: the clock margin spares them
    assert await store.collect_garbage(margin=timedelta(0)) == 3
    # A snapshot a capture builds on is pinned: prune spares it until the pin is gone.
    older = (await store.list("p"))[1]
    docs = mongo_db["t_codex_snapshots"]
    await docs.update_one(
        {"_id": ObjectId(older.id)}, {"$set": {"pinned_until": datetime.now(UTC) + timedelta(1)}}
    )
    assert await store.prune("p", keep=1) == 0
    await docs.update_one({"_id": ObjectId(older.id)}, {"$unset": {"pinned_until": ""}})
    assert await store.prune("p", keep=1) == 1
    assert await store.collect_garbage(margin=timedelta(0)) == 2  # f0 and manifest 3
    newest = (await store.list("p"))[0]
    await store.restore(ops, newest.id, {"workspace": str(host_dir / "r")})
    assert sorted(p.name for p in (host_dir / "r").iterdir()) == ["f1", "f2", "f3"]
    assert await store.delete(newest.id) and not await store.delete(newest.id)
    await store.delete_process("p")
    assert await store.collect_garbage(margin=timedelta(0)) > 0
    assert await store.chunks.collection.count_documents({}) == 0


class _Breaking:
    """HostOps whose processes fail once ``limit`` bytes of stdout were read: a cut mid-way."""

    def __init__(self, inner: HostOps, limit: int) -> None:
        self.inner, self.limit, self.trips = inner, limit, inner.trips

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        return _BreakingProcess(await self.inner.start(script, args), self.limit)

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        await self.inner.put_files(files)


class _BreakingProcess:
    def __init__(self, process: HostProcess, limit: int) -> None:
        self.process, self.left = process, limit

    async def readline(self) -> bytes:
        return await self.process.readline()

    async def read(self, n: int) -> bytes:
        if self.left <= 0:
            await asyncio.sleep(1.0)  # a path that hangs a moment before it fails
            self.process.close()
            raise ConnectionResetError("cut by the test")
        data = await self.process.read(min(n, self.left))
        self.left -= len(data)
        return data

    async def write(self, data: bytes) -> None:
        await self.process.write(data)

    async def finish(self, timeout: float | None) -> CommandResult:
        return await self.process.finish(timeout)

    def close(self) -> None:
        self.process.close()


async def test_interrupted_capture_keeps_the_previous(mongo_db: Any, host_dir: Path) -> None:
    work = host_dir / "w"
    work.mkdir()
    (work / "a").write_text("first\n")
    store = SnapshotStore(mongo_db, "t", gzip_transfer=False)
    roots = [SnapshotRoot("workspace", str(work))]
    first = await store.capture(LocalOps(), roots, process_id="p", meta={}, exclude=[])
    (work / "big").write_bytes(os.urandom(14 * 1024 * 1024))
    with pytest.raises(ConnectionResetError):
        await store.capture(
            _Breaking(LocalOps(), 12 * 1024 * 1024), roots, process_id="p", meta={}, exclude=[]
        )
    assert [s.id for s in await store.list("p")] == [first.id]
    assert await mongo_db["t_codex_snapshots"].count_documents({"state": "writing"}) == 0
    stray = await store.chunks.collection.count_documents({})
    assert stray > 2  # some of big's chunks were stored before the cut
    assert await store.collect_garbage(margin=timedelta(0)) == stray - 2
    await store.restore(LocalOps(), first.id, {"workspace": str(host_dir / "r")})
    assert (host_dir / "r" / "a").read_text() == "first\n"


async def test_corrupt_or_missing_chunk(mongo_db: Any, host_dir: Path) -> None:
    ops = LocalOps()
    work = host_dir / "w"
    work.mkdir()
    (work / "a").write_bytes(b"A" * 5000)
    (work / "b").write_bytes(b"B" * 5000)
    store = SnapshotStore(mongo_db, "t")
    snap = await store.capture(
        ops, [SnapshotRoot("ws", str(work))], process_id="p", meta={}, exclude=[]
    )
    chunks = store.chunks.collection
    a_id = hashlib.sha256(b"A" * 5000).hexdigest()
    b_id = hashlib.sha256(b"B" * 5000).hexdigest()
    doc = await chunks.find_one({"_id": a_id})
    damaged = bytearray(doc["data"])
    damaged[len(damaged) // 2] ^= 0xFF
    await chunks.update_one({"_id": a_id}, {"$set": {"data": bytes(damaged)}})
    with pytest.raises(SnapshotCorrupt) as caught:
        await store.restore(ops, snap.id, {"ws": str(host_dir / "r1")})
    assert caught.value.snapshot_id == snap.id and a_id in caught.value.detail
    await chunks.delete_one({"_id": b_id})
    with pytest.raises(SnapshotCorrupt, match="missing"):
        await store.restore(ops, snap.id, {"ws": str(host_dir / "r2")})


async def test_encryption_with_hooks(mongo_db: Any, host_dir: Path) -> None:
    ops = LocalOps()
    work = host_dir / "w"
    work.mkdir()
    secret_text = b"a very recognisable plaintext line\n" * 50
    (work / "notes.txt").write_bytes(secret_text)
    key = 0x5A

    def encrypt(data: bytes) -> bytes:
        return b"ENC1" + bytes(b ^ key for b in data)

    def decrypt(data: bytes) -> bytes:
        assert data.startswith(b"ENC1")
        return bytes(b ^ key for b in data[4:])

    store = SnapshotStore(mongo_db, "t", encrypt=encrypt, decrypt=decrypt)
    snap = await store.capture(
        ops, [SnapshotRoot("ws", str(work))], process_id="p", meta={}, exclude=[]
    )
    async for doc in store.chunks.collection.find({}):
        assert bytes(doc["data"]).startswith(b"ENC1")
    await store.restore(ops, snap.id, {"ws": str(host_dir / "r")})
    assert (host_dir / "r" / "notes.txt").read_bytes() == secret_text
    # Without the key the snapshot reads as corrupt, never as plaintext.
    with pytest.raises(SnapshotCorrupt):
        await SnapshotStore(mongo_db, "t").restore(ops, snap.id, {"ws": str(host_dir / "x")})


async def test_encryption_with_the_builtin_cipher(mongo_db: Any, host_dir: Path) -> None:
    from optio_codex.blob_crypto import BlobCipher, is_encrypted

    ops = LocalOps()
    work = host_dir / "w"
    work.mkdir()
    (work / "big.bin").write_bytes(os.urandom(1024 * 1024 + 100))
    (work / "note.txt").write_text("plain words\n" * 100)
    cipher = BlobCipher(os.urandom(32))
    store = SnapshotStore(mongo_db, "t", encrypt=cipher.encrypt, decrypt=cipher.decrypt)
    snap = await store.capture(
        ops, [SnapshotRoot("ws", str(work))], process_id="p", meta={}, exclude=[]
    )
    async for doc in store.chunks.collection.find({}):
        assert is_encrypted(bytes(doc["data"])[:64])
    await store.restore(ops, snap.id, {"ws": str(host_dir / "r")})
    assert tree(host_dir / "r") == tree(work)
    other = BlobCipher(os.urandom(32))
    wrong_key = SnapshotStore(mongo_db, "t", encrypt=other.encrypt, decrypt=other.decrypt)
    with pytest.raises(SnapshotCorrupt):
        await wrong_key.restore(ops, snap.id, {"ws": str(host_dir / "x")})
