"""Uploads and downloads on the task's host, on the worker itself and over a real sshd.

Every test runs twice: through LocalOps and through LiveSshOps on the loopback sshd (the same
machine and user, so the test lays out the workdir with the file system directly).
"""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from optio_codex.hosts.host_scripts import (
    CommandResult,
    HostOps,
    HostProcess,
    LiveSshOps,
    LocalOps,
)
from optio_codex.hosts.ssh import connect_ssh
from optio_codex.testing.sshd import SshdInfo, ssh_target
from optio_codex.transport.socket import FixedConnection
from optio_codex.ui.files import FileRefused, read_download, write_upload

BINARY = b"head\x00\x01\xff\r\nmiddle\r\n\x00tail"
LIMIT = 1 << 20


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


@pytest.fixture
def workdir(host_dir: Path) -> Path:
    path = host_dir / "task" / "workdir"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def outside(host_dir: Path) -> Path:
    path = host_dir / "outside"
    path.mkdir()
    return path


async def refused(ops: HostOps, workdir: Path, relpath: str, limit: int = LIMIT) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        await read_download(ops, str(workdir), relpath, limit)
    return caught.value


# --- downloads ----------------------------------------------------------------------------


async def test_download_is_binary_safe(ops: HostOps, workdir: Path) -> None:
    (workdir / "out").mkdir()
    (workdir / "out" / "report.bin").write_bytes(BINARY)
    got = await read_download(ops, str(workdir), "out/report.bin", LIMIT)
    assert (got.data, got.name, got.size) == (BINARY, "report.bin", len(BINARY))


async def test_download_of_an_empty_file(ops: HostOps, workdir: Path) -> None:
    (workdir / "empty").write_bytes(b"")
    got = await read_download(ops, str(workdir), "empty", LIMIT)
    assert (got.data, got.size) == (b"", 0)


async def test_missing_or_empty_path_is_400(ops: HostOps, workdir: Path) -> None:
    for path in ("", "a\0b"):
        exc = await refused(ops, workdir, path)
        assert (exc.status, exc.reason) == (400, "bad-path")


async def test_absent_file_and_directory_are_404(ops: HostOps, workdir: Path) -> None:
    (workdir / "sub").mkdir()
    (workdir / "dangling").symlink_to(workdir / "gone")
    for path in ("nope.txt", "sub", "sub/", ".", "nope/deeper.txt", "dangling"):
        exc = await refused(ops, workdir, path)
        assert (exc.status, exc.reason) == (404, "not-found"), path


async def test_a_missing_workdir_is_404(ops: HostOps, host_dir: Path) -> None:
    exc = await refused(ops, host_dir / "absent", "f.txt")
    assert (exc.status, exc.reason) == (404, "not-found")


async def test_a_host_that_cannot_be_reached_is_502(sshd: SshdInfo, workdir: Path) -> None:
    (workdir / "f.txt").write_bytes(b"x")
    conn = await connect_ssh(ssh_target(sshd))
    conn.close()
    await conn.wait_closed()
    exc = await refused(LiveSshOps(FixedConnection(conn)), workdir, "f.txt")
    assert (exc.status, exc.reason) == (502, "host-error")


async def test_absolute_path_is_403(ops: HostOps, workdir: Path) -> None:
    for path in ("/etc/passwd", str(workdir / "inside.txt")):
        exc = await refused(ops, workdir, path)
        assert (exc.status, exc.reason) == (403, "forbidden"), path


async def test_climbing_out_is_403(ops: HostOps, workdir: Path, outside: Path) -> None:
    (outside / "secret").write_text("no")
    for path in ("../outside/secret", "../../etc/passwd", "sub/../../x", ".."):
        exc = await refused(ops, workdir, path)
        assert (exc.status, exc.reason) == (403, "forbidden"), path


async def test_symlink_out_of_the_workdir_is_403(
    ops: HostOps, workdir: Path, outside: Path
) -> None:
    (workdir / "passwd").symlink_to("/etc/passwd")
    (outside / "secret").write_text("no")
    (workdir / "elsewhere").symlink_to(outside)
    (workdir / "missing-outside").symlink_to(outside / "not-there")
    for path in ("passwd", "elsewhere/secret", "elsewhere", "missing-outside"):
        exc = await refused(ops, workdir, path)
        assert (exc.status, exc.reason) == (403, "forbidden"), path


async def test_symlink_inside_the_workdir_is_served(ops: HostOps, workdir: Path) -> None:
    (workdir / "real").mkdir()
    (workdir / "real" / "data.bin").write_bytes(BINARY)
    (workdir / "alias").symlink_to("real")
    (workdir / "latest.bin").symlink_to(workdir / "real" / "data.bin")
    for path, name in (("alias/data.bin", "data.bin"), ("latest.bin", "latest.bin")):
        got = await read_download(ops, str(workdir), path, LIMIT)
        assert (got.data, got.name) == (BINARY, name)


async def test_workdir_reached_through_a_symlink(ops: HostOps, workdir: Path) -> None:
    (workdir / "f.txt").write_bytes(b"ok")
    link = workdir.parent / "workdir-link"
    link.symlink_to(workdir)
    got = await read_download(ops, str(link), "f.txt", LIMIT)
    assert got.data == b"ok"


async def test_too_large_is_413_before_reading(ops: HostOps, workdir: Path) -> None:
    # A sparse file far bigger than the limit: refused on its size, nothing read.
    big = workdir / "huge.bin"
    with big.open("wb") as handle:
        handle.truncate(1 << 34)
    exc = await refused(ops, workdir, "huge.bin", limit=10)
    assert (exc.status, exc.reason) == (413, "too-large")
    assert "grew" not in exc.message
    (workdir / "ten").write_bytes(b"0123456789")
    assert (await read_download(ops, str(workdir), "ten", 10)).data == b"0123456789"
    exc = await refused(ops, workdir, "ten", limit=9)
    assert exc.status == 413


async def test_percent_escapes_fall_back_to_the_unquoted_name(ops: HostOps, workdir: Path) -> None:
    (workdir / "my report é.txt").write_bytes(b"unquoted")
    got = await read_download(ops, str(workdir), "my%20report%20%C3%A9.txt", LIMIT)
    assert (got.data, got.name) == (b"unquoted", "my report é.txt")
    # A file really named with the escape wins over the unquoted one.
    (workdir / "a%20b").write_bytes(b"literal")
    (workdir / "a b").write_bytes(b"spaced")
    assert (await read_download(ops, str(workdir), "a%20b", LIMIT)).data == b"literal"
    # The fallback obeys the same rules: an escaped climb out is still refused.
    exc = await refused(ops, workdir, "%2E%2E/%2E%2E/etc/passwd")
    assert exc.status == 403
    exc = await refused(ops, workdir, "%2Fetc%2Fpasswd")
    assert exc.status == 403


async def test_names_a_shell_would_mangle(ops: HostOps, workdir: Path) -> None:
    name = 'it\'s $HOME `x` !bang; \\ "q" *.txt'
    (workdir / name).write_bytes(b"odd")
    got = await read_download(ops, str(workdir), name, LIMIT)
    assert (got.data, got.name) == (b"odd", name)


class _GrowingOps:
    """LocalOps whose `stat` reports 3 bytes, as if the file grew after its size was taken;
    records how many bytes the host sent after its report line."""

    def __init__(self, fake_bin: Path) -> None:
        self.inner = LocalOps()
        self.trips = self.inner.trips
        self.fake_bin = fake_bin
        self.sent: list[int] = []

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        process = await self.inner.start(f'PATH="{self.fake_bin}:$PATH"; {script}', args)
        return _Recording(process, self.sent)

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        await self.inner.put_files(files)


class _Recording:
    def __init__(self, process: HostProcess, sent: list[int]) -> None:
        self.process = process
        self.sent = sent

    async def readline(self) -> bytes:
        return await self.process.readline()

    async def write(self, data: bytes) -> None:
        await self.process.write(data)

    async def finish(self, timeout: float | None) -> CommandResult:
        result = await self.process.finish(timeout)
        self.sent.append(len(result.stdout.partition(b"\n")[2]))
        return result

    def close(self) -> None:
        self.process.close()


async def test_a_file_that_grows_is_read_no_further_than_the_limit(
    workdir: Path, tmp_path: Path
) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "stat").write_text("#!/bin/sh\necho 3\n")
    (fake_bin / "stat").chmod(0o755)
    (workdir / "growing.log").write_bytes(b"x" * 100_000)
    growing = _GrowingOps(fake_bin)
    exc = await refused(growing, workdir, "growing.log", limit=10)
    assert (exc.status, exc.reason) == (413, "too-large")
    assert growing.sent == [11]


# --- uploads ------------------------------------------------------------------------------


async def test_upload_lands_in_uploads(ops: HostOps, workdir: Path) -> None:
    relpath = await write_upload(ops, str(workdir), "notes.bin", BINARY, LIMIT)
    assert relpath == "uploads/notes.bin"
    target = workdir / "uploads" / "notes.bin"
    assert target.read_bytes() == BINARY
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(os.listdir(workdir / "uploads")) == ["notes.bin"]  # no temporary left


async def test_upload_replaces_a_file_of_the_same_name(ops: HostOps, workdir: Path) -> None:
    await write_upload(ops, str(workdir), "a.txt", b"first version, longer", LIMIT)
    await write_upload(ops, str(workdir), "a.txt", b"second", LIMIT)
    assert (workdir / "uploads" / "a.txt").read_bytes() == b"second"
    assert (await write_upload(ops, str(workdir), "empty", b"", LIMIT)) == "uploads/empty"
    assert (workdir / "uploads" / "empty").read_bytes() == b""


async def test_upload_keeps_the_basename_only(ops: HostOps, workdir: Path) -> None:
    for given in ("../../etc/evil.txt", "/abs/path/evil.txt", "dir\\evil.txt"):
        assert (await write_upload(ops, str(workdir), given, b"x", LIMIT)) == "uploads/evil.txt"
    assert sorted(os.listdir(workdir)) == ["uploads"]


async def test_unsafe_upload_names_are_refused(ops: HostOps, workdir: Path) -> None:
    for given in ("", "   ", ".", "..", "dir/..", "a\0b", "line\nbreak"):
        with pytest.raises(ValueError, match="unsafe upload filename"):
            await write_upload(ops, str(workdir), given, b"x", LIMIT)
    assert not (workdir / "uploads").exists()


async def test_upload_over_the_limit_writes_nothing(ops: HostOps, workdir: Path) -> None:
    with pytest.raises(ValueError, match=r"exceeds the size limit \(4 bytes\)"):
        await write_upload(ops, str(workdir), "big.bin", b"12345", 4)
    assert not (workdir / "uploads").exists()
    assert (await write_upload(ops, str(workdir), "fits.bin", b"1234", 4)) == "uploads/fits.bin"


async def test_uploads_symlinked_outside_is_refused(
    ops: HostOps, workdir: Path, outside: Path
) -> None:
    (workdir / "uploads").symlink_to(outside)
    with pytest.raises(ValueError, match="symbolic link"):
        await write_upload(ops, str(workdir), "x.txt", b"x", LIMIT)
    assert os.listdir(outside) == []


async def test_upload_onto_a_symlink_is_refused(ops: HostOps, workdir: Path, outside: Path) -> None:
    (workdir / "uploads").mkdir()
    (workdir / "uploads" / "x.txt").symlink_to(outside / "x.txt")
    with pytest.raises(ValueError, match="symbolic link"):
        await write_upload(ops, str(workdir), "x.txt", b"x", LIMIT)
    assert os.listdir(outside) == []
    assert (workdir / "uploads" / "x.txt").is_symlink()


async def test_upload_name_with_spaces_and_unicode(ops: HostOps, workdir: Path) -> None:
    name = "Über café — draft (v2)! $HOME 'q'.txt"
    relpath = await write_upload(ops, str(workdir), f"C:\\Users\\me\\{name}", b"unicode", LIMIT)
    assert relpath == f"uploads/{name}"
    assert (workdir / "uploads" / name).read_bytes() == b"unicode"
    got = await read_download(ops, str(workdir), relpath, LIMIT)
    assert (got.data, got.name) == (b"unicode", name)


async def test_upload_into_a_missing_workdir_is_refused(ops: HostOps, host_dir: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        await write_upload(ops, str(host_dir / "absent"), "z.txt", b"z", LIMIT)
