"""The per-host registry of app-servers, with real processes, a real /bin/sh and a real sshd.

Victims are ``sleep`` processes started with setsid (as app-servers are) and
``CODEX_HOME=<dir>`` in their environment; no codex is needed. Every process a test starts is
killed and waited for by the ``victims`` fixture, whatever the test's outcome.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import asyncssh
import pytest

from optio_codex.hosts import process_control, registry, server_process
from optio_codex.hosts.host_scripts import LocalOps, SshOps, check_shell_safe
from optio_codex.hosts.process_control import (
    ServerStop,
    kill_codex_home_processes,
    read_start_time,
    stop_server,
    stop_servers,
)
from optio_codex.hosts.provision import ProvisionError
from optio_codex.hosts.registry import (
    RegistryEntry,
    entry_file_name,
    list_entries,
    owner_key,
    reap,
    register,
    register_process,
    stop_entry,
    stop_leftovers,
    unregister,
)

OWNER = "test-db/t"
OTHER_OWNER = "other-db/t"


# --- processes --------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the command name), None if there is no such pid."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def start_time_of(pid: int) -> int:
    fields = _stat_fields(pid)
    assert fields is not None, f"pid {pid} is gone"
    return int(fields[19])  # field 22


def session_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[3]) if fields is not None else None  # field 6


def running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def wait_gone(pid: int, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@dataclass
class Victim:
    proc: subprocess.Popen[bytes]
    codex_home: str
    child: int | None = None  # a process of its own in another session, same CODEX_HOME

    @property
    def pid(self) -> int:
        return self.proc.pid

    def killed(self) -> bool:
        """Whether it died of SIGKILL (reaps it, so the pid does not linger as a zombie)."""
        try:
            return self.proc.wait(timeout=2) == -signal.SIGKILL
        except subprocess.TimeoutExpired:
            return False


class Victims:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.started: list[Victim] = []

    def codex_home(self) -> str:
        path = self.base / f"codex-home-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return str(path)

    def start(self, codex_home: str | None = None, *, child: bool = False) -> Victim:
        """A setsid-started process (pid == pgid) with CODEX_HOME in its environment."""
        home = codex_home or self.codex_home()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": home}
        if child:
            # The child calls setsid itself: a session of its own, like codex's commands.
            argv = ["/bin/sh", "-c", "setsid sleep 300 & echo $$ $!; wait"]
        else:
            argv = ["sleep", "300"]
        proc = subprocess.Popen(
            argv, env=env, start_new_session=True, stdout=subprocess.PIPE if child else None
        )
        victim = Victim(proc, home)
        self.started.append(victim)
        if child:
            assert proc.stdout is not None
            victim.child = int(proc.stdout.readline().split()[1])
            # $! is known at fork time; wait until the child has made its own session.
            deadline = time.monotonic() + 2
            while session_of(victim.child) != victim.child:
                assert time.monotonic() < deadline, "the child never called setsid"
                time.sleep(0.005)
        return victim

    def dead_pid(self) -> int:
        """The pid of a process that has exited and been reaped."""
        proc = subprocess.Popen(["true"])
        proc.wait()
        return proc.pid

    def kill_all(self) -> None:
        for victim in self.started:
            for pid in (victim.pid, victim.child):
                if pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                victim.proc.wait(timeout=2)
            if victim.proc.stdout is not None:
                victim.proc.stdout.close()


@pytest.fixture
def victims(tmp_path: Path) -> Iterator[Victims]:
    v = Victims(tmp_path / "homes")
    try:
        yield v
    finally:
        v.kill_all()


@pytest.fixture
def root(tmp_path: Path) -> str:
    return str(tmp_path / "cache" / "registry")


def make_entry(
    victim: Victim | None = None,
    *,
    task_id: str | None = None,
    owner: str = OWNER,
    pid: int | None = None,
    start_time: int | None = None,
    codex_home: str = "/nonexistent/codex-home",
    socket_path: str = "",
) -> RegistryEntry:
    if victim is not None:
        pid = victim.pid if pid is None else pid
        start_time = start_time_of(victim.pid) if start_time is None else start_time
        codex_home = victim.codex_home
    assert pid is not None
    return RegistryEntry(
        task_id=task_id or f"task-{uuid.uuid4().hex[:8]}",
        process_id=f"proc/{task_id}",
        owner=owner,
        pid=pid,
        start_time=start_time if start_time is not None else 12345,
        codex_home=codex_home,
        task_dir=str(Path(codex_home).parent),
        socket=socket_path,
        created=time.time(),
    )


def files_in(root: str) -> set[str]:
    return set(os.listdir(root)) if os.path.isdir(root) else set()


# --- the entry itself -------------------------------------------------------------------------


def test_entry_json_roundtrip_and_validation() -> None:
    entry = make_entry(pid=4242, start_time=99, socket_path="/run/x.sock")
    assert RegistryEntry.from_json(entry.to_json(), source="f.json") == entry
    assert "\n" not in entry.to_json()
    assert entry.file_name == f"{owner_key(OWNER)}--{entry.task_id}.json"
    assert len(owner_key(OWNER)) == 16

    with pytest.raises(ValueError, match=r"registry file bad\.json: not JSON"):
        RegistryEntry.from_json("{oops", source="bad.json")
    with pytest.raises(ValueError, match=r"bad\.json: missing process_id, owner, pid"):
        RegistryEntry.from_json('{"version":1,"task_id":"x"}', source="bad.json")
    with pytest.raises(ValueError, match=r"bad\.json: unknown version 2"):
        RegistryEntry.from_json(
            entry.to_json().replace('"version":1', '"version":2'), source="bad.json"
        )
    text = entry.to_json().replace('"pid":4242', '"pid":1')
    with pytest.raises(ValueError, match=r"bad\.json: pid=1 must be an integer >= 2"):
        RegistryEntry.from_json(text, source="bad.json")
    text = entry.to_json().replace('"pid":4242', '"pid":true')
    with pytest.raises(ValueError, match="pid=True"):
        RegistryEntry.from_json(text, source="bad.json")
    with pytest.raises(ValueError, match="task_id"):
        replace(entry, task_id="../x")
    with pytest.raises(ValueError, match="codex_home"):
        replace(entry, codex_home="relative/home")
    with pytest.raises(ValueError, match="socket"):
        replace(entry, socket="/tmp/a!b")


def test_scripts_are_one_line_and_shell_safe() -> None:
    for script in (*registry.SCRIPTS, *process_control.SCRIPTS, *server_process.SCRIPTS):
        check_shell_safe(script, [])


# --- register and list ------------------------------------------------------------------------


async def test_register_and_list_roundtrip_with_modes(victims: Victims, root: str) -> None:
    victim = victims.start()
    entry = make_entry(victim, socket_path="/var/tmp/none.sock")
    ops = LocalOps()
    await register(ops, entry, root=root)
    assert ops.trips.execs == 1

    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    path = Path(root) / entry.file_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert files_in(root) == {entry.file_name}  # no temp file left behind

    listing = await list_entries(ops, root=root)
    assert ops.trips.execs == 2  # the listing is one exec
    assert listing.problems == ()
    [observed] = listing.entries
    assert observed.entry == entry
    assert observed.alive
    assert observed.current_start_time == entry.start_time

    # Registering again replaces the file (same task), still 0600.
    newer = replace(entry, process_id="again")
    await register(ops, newer, root=root)
    [observed] = (await list_entries(ops, root=root)).entries
    assert observed.entry == newer
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_list_of_a_missing_registry_is_empty(root: str) -> None:
    ops = LocalOps()
    listing = await list_entries(ops, root=root)
    assert listing.entries == () and listing.problems == ()
    assert not Path(root).parent.exists()  # listing never creates it
    assert ops.trips.execs == 1


async def test_register_process_reads_the_start_time_on_the_host(
    victims: Victims, root: str
) -> None:
    victim = victims.start()
    ops = LocalOps()
    entry = await register_process(
        ops,
        task_id="t1",
        process_id="p/1",
        owner=OWNER,
        pid=victim.pid,
        codex_home=victim.codex_home,
        task_dir="/var/tmp/t1",
        root=root,
    )
    assert ops.trips.execs == 1
    assert entry.start_time == start_time_of(victim.pid)
    assert await read_start_time(ops, victim.pid) == entry.start_time
    [observed] = (await list_entries(ops, root=root)).entries
    assert observed.entry == entry and observed.alive

    gone = victims.dead_pid()
    with pytest.raises(ProvisionError, match=f"process {gone} is not running"):
        await register_process(
            ops,
            task_id="t2",
            process_id="p/2",
            owner=OWNER,
            pid=gone,
            codex_home=victim.codex_home,
            task_dir="/var/tmp/t2",
            root=root,
        )
    assert await read_start_time(ops, gone) is None
    assert files_in(root) == {entry.file_name}


async def test_alive_needs_the_pid_and_its_start_time(victims: Victims, root: str) -> None:
    victim = victims.start()
    ops = LocalOps()
    right = make_entry(victim, task_id="right")
    reused = make_entry(victim, task_id="reused", start_time=start_time_of(victim.pid) - 1)
    dead = make_entry(task_id="dead", pid=victims.dead_pid())
    for entry in (right, reused, dead):
        await register(ops, entry, root=root)
    listing = await list_entries(ops, root=root)
    alive = {o.entry.task_id: o.alive for o in listing.entries}
    assert alive == {"right": True, "reused": False, "dead": False}
    now = {o.entry.task_id: o.current_start_time for o in listing.entries}
    assert now["reused"] == now["right"] == right.start_time
    assert now["dead"] is None


async def test_corrupt_files_are_reported_not_fatal(victims: Victims, root: str) -> None:
    victim = victims.start()
    ops = LocalOps()
    good = make_entry(victim, task_id="good")
    await register(ops, good, root=root)
    key = owner_key(OWNER)
    garbage = Path(root) / f"{key}--garbage.json"
    garbage.write_bytes(b'{"pid": 12, not json\n\xff\x00')
    wrong_name = Path(root) / f"{key}--elsewhere.json"
    wrong_name.write_text(good.to_json())
    bad_field = Path(root) / f"{key}--badfield.json"
    bad_field.write_text(good.to_json().replace('"pid":', '"pid":-'))
    odd = Path(root) / 'odd "name".json'
    odd.write_text("[]")

    listing = await list_entries(ops, root=root)
    assert [o.entry for o in listing.entries] == [good]
    reasons = {p.file: p.reason for p in listing.problems}
    assert set(reasons) == {garbage.name, wrong_name.name, bad_field.name, odd.name}
    assert "not JSON" in reasons[garbage.name]
    assert "does not match" in reasons[wrong_name.name]
    assert "pid" in reasons[bad_field.name]
    assert "not a JSON object" in reasons[odd.name]

    # reap reports ours (and nobody's), leaves the files, and still does its work.
    other = Path(root) / f"{owner_key(OTHER_OWNER)}--broken.json"
    other.write_text("nope")

    async def never(entry: RegistryEntry) -> bool:
        return False

    report = await reap(ops, OWNER, never, root=root)
    assert {p.file for p in report.problems} == {
        garbage.name,
        wrong_name.name,
        bad_field.name,
        odd.name,
    }
    assert [s.entry for s in report.stopped] == [good]
    assert victim.killed()
    assert files_in(root) == {garbage.name, wrong_name.name, bad_field.name, odd.name, other.name}


# --- stopping ---------------------------------------------------------------------------------


async def test_stop_entry_kills_the_group_and_a_detached_child_idempotently(
    victims: Victims, root: str
) -> None:
    victim = victims.start(child=True)
    assert victim.child is not None
    assert session_of(victim.child) == victim.child != victim.pid  # a session of its own
    bystander = victims.start()  # another task's CODEX_HOME
    ops = LocalOps()
    entry = make_entry(victim)
    await register(ops, entry, root=root)

    report = await stop_entry(ops, entry, root=root)
    assert ops.trips.execs == 2
    assert report.was_alive
    assert report.swept >= 1
    assert victim.killed()
    assert wait_gone(victim.child)
    assert running(bystander.pid)
    assert files_in(root) == set()

    again = await stop_entry(ops, entry, root=root)
    assert not again.was_alive and again.swept == 0 and not again.socket_removed
    assert files_in(root) == set()


async def test_a_reused_pid_is_never_killed(victims: Victims, root: str) -> None:
    victim = victims.start()
    ops = LocalOps()
    # The recorded process was another one that had this pid: its start time differs.
    stale = make_entry(victim, start_time=start_time_of(victim.pid) + 7)
    await register(ops, stale, root=root)
    report = await stop_entry(ops, stale, root=root)
    assert not report.was_alive and report.swept == 0
    assert running(victim.pid)
    assert files_in(root) == set()

    await register(ops, stale, root=root)
    calls: list[str] = []

    async def not_live(entry: RegistryEntry) -> bool:
        calls.append(entry.task_id)
        return False

    reaped = await reap(ops, OWNER, not_live, root=root)
    assert reaped.cleaned == (stale,) and reaped.stopped == ()
    # A dead entry is asked about too: a task that is gone also loses its task dir.
    assert calls == [stale.task_id]
    assert running(victim.pid)
    assert files_in(root) == set()


async def test_kill_codex_home_processes_matches_exactly(victims: Victims) -> None:
    home = victims.codex_home()
    one = victims.start(home)
    two = victims.start(home, child=True)
    longer = victims.start(home + "x")  # same prefix, another home
    ops = LocalOps()
    killed = await kill_codex_home_processes(ops, home)
    assert killed == 3  # one, two and two's child
    assert ops.trips.execs == 1
    assert one.killed() and two.killed()
    assert two.child is not None and wait_gone(two.child)
    assert running(longer.pid)
    assert await kill_codex_home_processes(ops, home) == 0
    with pytest.raises(ValueError, match="codex_home"):
        await kill_codex_home_processes(ops, "/")


# --- the one stop, as the detached server uses it -----------------------------------------------


async def test_a_stop_with_grace_sends_sigterm_first_then_sweeps(victims: Victims) -> None:
    victim = victims.start(child=True)
    assert victim.child is not None
    ops = LocalOps()
    outcome = await stop_server(
        ops, victim.pid, start_time_of(victim.pid), codex_home=victim.codex_home, grace=1.0
    )
    assert outcome.was_alive and outcome.swept >= 1
    assert ops.trips.execs == 1
    # sh waits for its child, so only SIGTERM (not the later SIGKILL) could have ended it.
    assert victim.proc.wait(timeout=2) == -signal.SIGTERM
    assert wait_gone(victim.child)  # its own session: only the sweep reaches it


async def test_the_one_stop_never_signals_a_reused_pid(victims: Victims) -> None:
    victim = victims.start()
    ops = LocalOps()
    stale = start_time_of(victim.pid) + 7
    outcome = await stop_server(ops, victim.pid, stale, codex_home=victim.codex_home, grace=1.0)
    assert not outcome.was_alive and outcome.swept == 0  # no sweep for a server not ours
    assert running(victim.pid)
    # "clean" signals nothing even when the start time matches.
    keep = ServerStop(victim.pid, start_time_of(victim.pid), signal=False)
    [cleaned] = await stop_servers(ops, [keep])
    assert not cleaned.was_alive and running(victim.pid)
    with pytest.raises(ValueError, match="pid=1"):
        ServerStop(1, 0)


async def test_stop_leftovers_sweeps_and_forgets_in_one_exec(victims: Victims, root: str) -> None:
    victim = victims.start(child=True)
    bystander = victims.start()
    ops = LocalOps()
    entry = make_entry(victim)
    await register(ops, entry, root=root)
    swept = await stop_leftovers(ops, OWNER, entry.task_id, victim.codex_home, root=root)
    assert swept >= 2 and ops.trips.execs == 2
    assert victim.killed() and victim.child is not None and wait_gone(victim.child)
    assert running(bystander.pid)
    assert files_in(root) == set()


@pytest.fixture
def daemon_dir() -> Iterator[Path]:
    """A directory where codex puts its daemon sockets: /tmp/codex-daemon-*."""
    path = Path(f"/tmp/codex-daemon-test-{uuid.uuid4().hex[:8]}")
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def unix_socket() -> Iterator[Callable[[Path], None]]:
    """Bind a unix socket at a path (closed at the end)."""
    opened: list[socket.socket] = []

    def bind(path: Path) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        opened.append(sock)
        sock.bind(str(path))

    yield bind
    for sock in opened:
        sock.close()


async def test_socket_link_and_its_target_are_removed(
    tmp_path: Path,
    root: str,
    victims: Victims,
    daemon_dir: Path,
    unix_socket: Callable[[Path], None],
) -> None:
    target = daemon_dir / "abc123"
    outside = tmp_path / "s"
    plain = tmp_path / "plain.sock"
    for path in (target, outside, plain):
        unix_socket(path)
    regular = tmp_path / "regular.sock"
    regular.write_text("not a socket")
    link, link_out = tmp_path / "app.sock", tmp_path / "out.sock"
    link.symlink_to(target)
    link_out.symlink_to(outside)
    ops = LocalOps()
    dead = victims.dead_pid()
    for path in (link, link_out, plain, regular):
        entry = make_entry(pid=dead, socket_path=str(path))
        await register(ops, entry, root=root)
        report = await stop_entry(ops, entry, root=root)
        assert report.socket_removed == (path != regular), path
    assert not link.is_symlink() and not target.exists()
    assert not link_out.is_symlink() and outside.exists()  # not under /tmp/codex-daemon-*
    assert not plain.exists()
    assert regular.read_text() == "not a socket"
    assert files_in(root) == set()


async def test_reap_of_a_dead_entry_cleans_its_socket_link(
    tmp_path: Path, root: str, victims: Victims
) -> None:
    target = tmp_path / "target"
    target.write_text("x")
    link = tmp_path / "app.sock"
    link.symlink_to(target)
    ops = LocalOps()
    entry = make_entry(pid=victims.dead_pid(), socket_path=str(link))
    await register(ops, entry, root=root)

    async def live(entry: RegistryEntry) -> bool:
        return True

    report = await reap(ops, OWNER, live, root=root)
    assert report.cleaned == (entry,)
    assert not link.is_symlink() and target.exists()  # the link only: not a daemon socket
    assert files_in(root) == set()


async def test_unregister_forgets_without_killing(victims: Victims, root: str) -> None:
    victim = victims.start()
    ops = LocalOps()
    entry = make_entry(victim)
    await register(ops, entry, root=root)
    await unregister(ops, OWNER, entry.task_id, root=root)
    await unregister(ops, OWNER, entry.task_id, root=root)  # idempotent
    assert files_in(root) == set()
    assert running(victim.pid)
    assert entry_file_name(OWNER, entry.task_id) == entry.file_name


# --- reap -------------------------------------------------------------------------------------


async def test_reap_stops_only_our_entries_of_tasks_that_are_gone(
    victims: Victims, root: str
) -> None:
    orphan = victims.start(child=True)
    live = victims.start()
    kept = victims.start()
    others = victims.start()
    orphan_entry = make_entry(orphan, task_id="orphan")
    live_entry = make_entry(live, task_id="live")
    kept_entry = make_entry(kept, task_id="kept")
    others_entry = make_entry(others, task_id="orphan", owner=OTHER_OWNER)
    dead_entry = make_entry(task_id="dead", pid=victims.dead_pid())
    ops = LocalOps()
    for entry in (orphan_entry, live_entry, kept_entry, others_entry, dead_entry):
        await register(ops, entry, root=root)
    asked: list[str] = []

    async def is_live(entry: RegistryEntry) -> bool:
        asked.append(entry.task_id)
        return entry.task_id == "live"

    before = ops.trips.execs
    report = await reap(ops, OWNER, is_live, keep_task_ids={"kept"}, root=root)
    assert ops.trips.execs - before == 2  # list, then one stop for everything chosen
    assert sorted(asked) == ["dead", "live", "orphan"]  # a dead entry may take its task dir
    assert [s.entry for s in report.stopped] == [orphan_entry]
    assert report.stopped[0].was_alive and report.stopped[0].swept >= 1
    assert report.cleaned == (dead_entry,)
    assert sorted(e.task_id for e in report.kept) == ["kept", "live"]
    assert report.problems == ()

    assert orphan.killed()
    assert orphan.child is not None and wait_gone(orphan.child)
    assert running(live.pid) and running(kept.pid) and running(others.pid)
    assert files_in(root) == {live_entry.file_name, kept_entry.file_name, others_entry.file_name}


async def test_reap_with_nothing_to_do_is_one_exec(victims: Victims, root: str) -> None:
    ops = LocalOps()

    async def live(entry: RegistryEntry) -> bool:
        return True

    report = await reap(ops, OWNER, live, root=root)  # no registry at all
    assert ops.trips.execs == 1
    assert report.stopped == () and report.cleaned == () and report.kept == ()

    entries = [make_entry(victims.start(), task_id=f"t{i}") for i in range(3)]
    for entry in entries:
        await register(ops, entry, root=root)
    before = ops.trips.execs
    report = await reap(ops, OWNER, live, root=root)
    assert ops.trips.execs - before == 1
    assert set(report.kept) == set(entries)


async def test_reap_stops_several_entries_in_one_exec(victims: Victims, root: str) -> None:
    ops = LocalOps()
    batch = [victims.start() for _ in range(4)]
    for i, victim in enumerate(batch):
        await register(ops, make_entry(victim, task_id=f"gone{i}"), root=root)

    async def gone(entry: RegistryEntry) -> bool:
        return False

    before = ops.trips.execs
    report = await reap(ops, OWNER, gone, root=root)
    assert ops.trips.execs - before == 2
    assert len(report.stopped) == 4
    assert all(victim.killed() for victim in batch)
    assert files_in(root) == set()


async def test_an_is_live_failure_kills_nothing(victims: Victims, root: str) -> None:
    victim = victims.start()
    ops = LocalOps()
    await register(ops, make_entry(victim), root=root)

    async def broken(entry: RegistryEntry) -> bool:
        raise RuntimeError("database unreachable")

    with pytest.raises(RuntimeError, match="database unreachable"):
        await reap(ops, OWNER, broken, root=root)
    assert running(victim.pid)
    assert ops.trips.execs == 2  # register, list


# --- over a real sshd -------------------------------------------------------------------------


@pytest.fixture
def home_root() -> Iterator[tuple[str, Path]]:
    """A registry root under "~" (expanded by the host's shell) and where it really is.

    The loopback sshd logs in as this user on this machine, so "~" is this user's home.
    """
    scratch = f".cache/optio-codex-test-{uuid.uuid4().hex[:8]}"
    real = Path(pwd.getpwuid(os.getuid()).pw_dir) / scratch
    try:
        yield f"~/{scratch}/registry", real / "registry"
    finally:
        shutil.rmtree(real, ignore_errors=True)


async def test_registry_over_ssh(
    victims: Victims,
    home_root: tuple[str, Path],
    ssh_conn: asyncssh.SSHClientConnection,
) -> None:
    # Same machine, same user: the host's /proc holds our victims.
    root, real_root = home_root
    orphan = victims.start(child=True)
    live = victims.start()
    ops = SshOps(ssh_conn)
    orphan_entry = await register_process(
        ops,
        task_id="orphan",
        process_id="p/orphan",
        owner=OWNER,
        pid=orphan.pid,
        codex_home=orphan.codex_home,
        task_dir="/var/tmp/orphan",
        root=root,
    )
    assert orphan_entry.start_time == start_time_of(orphan.pid)
    await register(ops, make_entry(live, task_id="live"), root=root)
    assert ops.trips.execs == 2
    assert stat.S_IMODE(os.stat(real_root).st_mode) == 0o700
    assert stat.S_IMODE((real_root / orphan_entry.file_name).stat().st_mode) == 0o600

    listing = await list_entries(ops, root=root)
    assert ops.trips.execs == 3
    assert {o.entry.task_id: o.alive for o in listing.entries} == {"orphan": True, "live": True}

    async def is_live(entry: RegistryEntry) -> bool:
        return entry.task_id == "live"

    report = await reap(ops, OWNER, is_live, root=root)
    assert ops.trips.execs == 5
    assert [s.entry for s in report.stopped] == [orphan_entry]
    assert orphan.killed()
    assert orphan.child is not None and wait_gone(orphan.child)
    assert running(live.pid)
    assert files_in(str(real_root)) == {make_entry(live, task_id="live").file_name}
