"""A real OpenSSH sshd on a loopback port, for tests and the offline demo.

The in-process asyncssh server is faster but is not sshd: it neither filters environment
variables, runs a login shell nor enforces sshd's forwarding rules. This runs the Debian
``/usr/sbin/sshd`` with its own generated host key, client key and authorized_keys, so the code
under test meets the server it meets in production, host-key verification included.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from optio_codex.hosts.ssh import SSHTarget

SSHD_PATH = "/usr/sbin/sshd"
LOOPBACK = "127.0.0.1"
# sshd refuses to start as root without its privilege-separation directory.
PRIVSEP_DIR = Path("/run/sshd")
_START_ATTEMPTS = 3  # a free port can be taken between probing it and sshd binding it


class ServiceStartError(RuntimeError):
    """A local service did not come up; the message carries the tail of its log."""


@dataclass(frozen=True)
class SshdInfo:
    """Everything a client needs to log in with a verified host key."""

    host: str
    port: int
    username: str
    client_key_path: Path
    known_hosts_path: Path
    host_public_key: str


# --- helpers shared with the other local services -------------------------------------------


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid for every visible process, read from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may contain spaces or parentheses; fields resume after the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process exited while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendant_pids(pid: int) -> list[int]:
    """All descendants of a process, parents before their children."""
    children: dict[int, list[int]] = {}
    for child, parent in _parent_pids().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def spawn_service(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a service with stdout and stderr going to a fresh log file."""
    with log_path.open("wb") as log:  # fresh per attempt: an error shows only this one
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C aimed at the test runner must not reach the service first.
            start_new_session=True,
        )
    return proc


def terminate_process(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop a service by its pid: SIGTERM, wait, then SIGKILL; also its forked children.

    Children are collected first because sshd's per-connection processes call setsid() and
    would otherwise outlive the listener.
    """
    if proc.poll() is not None:
        return
    children = descendant_pids(proc.pid)
    _signal(proc.pid, signal.SIGTERM)
    for child in children:
        _signal(child, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + grace
    for child in children:
        while _pid_alive(child) and time.monotonic() < deadline:
            time.sleep(0.01)
        if _pid_alive(child):
            _signal(child, signal.SIGKILL)


def _logs_tail(log_paths: Sequence[Path]) -> str:
    tails = [f"{path.name}:\n{log_tail(path)}" for path in log_paths if path.exists()]
    return "\n".join(tails) or "(no log)"


def wait_until(
    probe: Callable[[], bool],
    proc: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log_paths: Sequence[Path],
) -> None:
    """Poll `probe` until it holds; fail fast with the log tail if the process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServiceStartError(
                f"{what} exited with status {proc.returncode} during startup; "
                f"log tail:\n{_logs_tail(log_paths)}"
            )
        if probe():
            return
        if time.monotonic() > deadline:
            raise ServiceStartError(
                f"{what} did not become ready within {timeout:.0f}s; "
                f"log tail:\n{_logs_tail(log_paths)}"
            )
        time.sleep(0.02)


# --- sshd -----------------------------------------------------------------------------------


def _read_banner(host: str, port: int, timeout: float = 1.0) -> bool:
    """True once the port accepts and the server sends its SSH identification line."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            return sock.recv(256).startswith(b"SSH-2.0-")
    except OSError:
        return False


def _account_locked(username: str) -> bool:
    """Whether /etc/shadow marks the account locked; unreadable (non-root) means unknown."""
    try:
        lines = Path("/etc/shadow").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        name, _, rest = line.partition(":")
        if name == username:
            return rest.startswith("!")
    return False


def _write_key(key: asyncssh.SSHKey, path: Path) -> None:
    """Write an OpenSSH private key with the 0600 mode ssh insists on."""
    key.write_private_key(str(path), "openssh")
    path.chmod(0o600)


def _sshd_config(workdir: Path, port: int) -> str:
    """A minimal, loopback-only sshd_config: keys only, no pty, no env, streamlocal allowed."""
    lines = [
        f"Port {port}",
        f"ListenAddress {LOOPBACK}",
        f"HostKey {workdir / 'ssh_host_ed25519_key'}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "HostbasedAuthentication no",
        # Running as root we log in as root; keys only.
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        # Our files live in a temp dir whose ownership sshd would otherwise reject.
        "StrictModes no",
        "PermitTTY no",
        "X11Forwarding no",
        "AllowAgentForwarding no",
        "AllowTcpForwarding yes",
        # Clients tunnel to the app-server's unix socket (direct-streamlocal).
        "AllowStreamLocalForwarding yes",
        "StreamLocalBindUnlink yes",
        # Many channels multiplexed over one connection, and parallel test connections.
        "MaxSessions 64",
        "MaxStartups 64:30:128",
        "PermitUserEnvironment no",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "LoginGraceTime 30",
        "LogLevel INFO",
        # internal-sftp needs no helper binary.
        "Subsystem sftp internal-sftp",
        # No AcceptEnv line: sshd accepts no client environment variables.
    ]
    return "\n".join(lines) + "\n"


class LoopbackSshd:
    """Runs ``/usr/sbin/sshd -D -e -f <cfg>`` on a free 127.0.0.1 port.

    Logs in as the current user (root included, by key). Use as ``async with LoopbackSshd() as
    info:`` or call `start` / `stop` (or `start_sync` / `stop_sync`).
    """

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        sshd_path: str = SSHD_PATH,
        startup_timeout: float = 10.0,
    ) -> None:
        self._given_workdir = workdir
        self._sshd_path = sshd_path
        self._startup_timeout = startup_timeout
        self._workdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._info: SshdInfo | None = None

    @property
    def info(self) -> SshdInfo:
        if self._info is None:
            raise RuntimeError("LoopbackSshd is not running")
        return self._info

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        if self._workdir is None:
            raise RuntimeError("LoopbackSshd has not been started")
        return self._workdir / "sshd.log"

    # -- lifecycle

    def start_sync(self) -> SshdInfo:
        if self._proc is not None:
            raise RuntimeError("LoopbackSshd is already running")
        self._check_environment()
        workdir = self._prepare_workdir()
        try:
            self._info = self._start_in(workdir)
        except BaseException:
            self._cleanup_workdir()
            raise
        # A test run that dies without stopping us must not leak the daemon or its files.
        atexit.register(self.stop_sync)
        return self._info

    def _start_in(self, workdir: Path) -> SshdInfo:
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key = asyncssh.generate_private_key("ssh-ed25519", comment=f"optio-test@{LOOPBACK}")
        _write_key(host_key, workdir / "ssh_host_ed25519_key")
        _write_key(client_key, workdir / "client_ed25519")
        client_key.write_public_key(str(workdir / "client_ed25519.pub"))
        (workdir / "authorized_keys").write_bytes(client_key.export_public_key())
        host_public = host_key.export_public_key().decode().strip()

        port = self._launch_with_retries(workdir)
        known_hosts = workdir / "known_hosts"
        known_hosts.write_text(f"[{LOOPBACK}]:{port} {host_public}\n")
        return SshdInfo(
            host=LOOPBACK,
            port=port,
            username=pwd.getpwuid(os.getuid()).pw_name,
            client_key_path=workdir / "client_ed25519",
            known_hosts_path=known_hosts,
            host_public_key=host_public,
        )

    async def start(self) -> SshdInfo:
        # Key generation and readiness polling are short blocking work; keep the loop free.
        return await asyncio.to_thread(self.start_sync)

    def stop_sync(self) -> None:
        atexit.unregister(self.stop_sync)
        proc, self._proc, self._info = self._proc, None, None
        if proc is not None:
            terminate_process(proc)
        self._cleanup_workdir()

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    async def __aenter__(self) -> SshdInfo:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __enter__(self) -> SshdInfo:
        return self.start_sync()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_sync()

    # -- internals

    def _check_environment(self) -> None:
        if not os.path.isabs(self._sshd_path):
            # sshd re-executes itself and requires an absolute path.
            raise ValueError(f"sshd path must be absolute: {self._sshd_path!r}")
        if not os.access(self._sshd_path, os.X_OK):
            raise ServiceStartError(
                f"{self._sshd_path} not found: install Debian openssh-server "
                "(apt-get install openssh-server)"
            )
        if os.geteuid() == 0:
            self._ensure_privsep_root()
        username = pwd.getpwuid(os.getuid()).pw_name
        if _account_locked(username):
            raise ServiceStartError(
                f"account {username!r} is locked ('!' in /etc/shadow): sshd with UsePAM no refuses "
                f"it even for key logins; unlock it with: usermod -p '*' {username}"
            )

    @staticmethod
    def _ensure_privsep_root() -> None:
        try:
            pwd.getpwnam("sshd")
        except KeyError:
            raise ServiceStartError(
                "sshd running as root needs the 'sshd' privilege-separation user: "
                "install Debian openssh-server (apt-get install openssh-server)"
            ) from None
        # The apt install creates it, but /run is a tmpfs that may have been reset.
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)

    def _prepare_workdir(self) -> Path:
        if self._given_workdir is not None:
            self._given_workdir.mkdir(parents=True, exist_ok=True)
            self._workdir = self._given_workdir
        else:
            self._workdir = Path(tempfile.mkdtemp(prefix="optio-sshd-"))
        return self._workdir

    def _cleanup_workdir(self) -> None:
        if self._workdir is not None and self._given_workdir is None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = None

    def _launch_with_retries(self, workdir: Path) -> int:
        last_error: ServiceStartError | None = None
        for _ in range(_START_ATTEMPTS):
            port = free_loopback_port()
            try:
                self._launch(workdir, port)
                return port
            except ServiceStartError as err:
                last_error = err
                if "Address already in use" not in str(err):
                    break
        assert last_error is not None
        raise last_error

    def _launch(self, workdir: Path, port: int) -> None:
        config = workdir / "sshd_config"
        config.write_text(_sshd_config(workdir, port))
        log_path = workdir / "sshd.log"
        proc = spawn_service([self._sshd_path, "-D", "-e", "-f", str(config)], log_path)
        try:
            wait_until(
                lambda: _read_banner(LOOPBACK, port),
                proc,
                self._startup_timeout,
                "sshd",
                [log_path],
            )
        except BaseException:
            terminate_process(proc)
            raise
        self._proc = proc


def ssh_target(info: SshdInfo, port: int | None = None, **kw: Any) -> SSHTarget:
    """Connect to ``info`` (or a relay in front of it on ``port``) with its host key pinned."""
    if port and port != info.port and "known_hosts" not in kw:
        # known_hosts entries are per host *and* port: the relay's address needs its own.
        relayed = info.known_hosts_path.with_name(f"known_hosts-{port}")
        relayed.write_text(f"[{info.host}]:{port} {info.host_public_key}\n")
        kw["known_hosts"] = relayed
    kw.setdefault("known_hosts", info.known_hosts_path)
    return SSHTarget(
        host=info.host,
        port=port or info.port,
        username=info.username,
        client_keys=(info.client_key_path,),
        **kw,
    )
