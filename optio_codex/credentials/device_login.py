"""ChatGPT device-code login on the worker, to make a seed with no secret in sight.

The pinned codex runs ``codex login --device-auth`` in a private CODEX_HOME (0700, removed
afterwards): it prints a verification URL and a one-time code, which the operator opens and
enters on any device, and writes auth.json (0600) once the login completes. What it wrote is
returned to be stored as a seed; nothing of it passes through argv, an environment or a log.

codex 0.163.0 has no issuer setting in the app-server's device flow; the CLI has the hidden
``--experimental_issuer URL``, which the tests point at the token-server stand-in
(``OPTIO_CODEX_LOGIN_ISSUER``, test-only; an issuer URL is no secret).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from optio_codex.hosts.launch import child_environ

ISSUER_ENV = "OPTIO_CODEX_LOGIN_ISSUER"  # test-only: a stand-in issuer
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_URL = re.compile(r"https?://\S+")
_CODE = re.compile(r"^[A-Z0-9]{4,}(?:-[A-Z0-9]{4,})+$")


class DeviceLoginError(RuntimeError):
    """The login did not complete; the message says why (codex's own words included)."""


@dataclass(frozen=True)
class DeviceCode:
    url: str  # where to sign in
    code: str  # the one-time code to enter there


class _Prompt:
    """Reads the URL and the code out of codex's instructions, line by line."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.code: str | None = None

    def feed(self, raw: bytes) -> DeviceCode | None:
        line = _ANSI.sub("", raw.decode(errors="replace")).strip()
        if self.url is None and (match := _URL.search(line)):
            self.url = match.group(0)
        elif self.url is not None and self.code is None and _CODE.match(line):
            self.code = line
            return DeviceCode(self.url, self.code)
        return None


async def device_login(
    codex: Path,
    on_code: Callable[[DeviceCode], None],
    *,
    issuer: str | None = None,
    timeout: float = 900.0,
    work_root: Path | None = None,
) -> bytes:
    """Run codex's device-code login; call ``on_code`` once with what to show the operator;
    return the auth.json codex wrote. The temporary CODEX_HOME is removed however it ends."""
    issuer = issuer or os.environ.get(ISSUER_ENV) or None
    root = work_root or Path.home() / ".optio-codex"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    home = Path(tempfile.mkdtemp(prefix="login-", dir=root))  # mkdtemp makes it 0700
    argv = [str(codex), "login", "--device-auth"]
    if issuer:
        argv += ["--experimental_issuer", issuer]
    env = child_environ(also_drop={ISSUER_ENV})
    env.update({"CODEX_HOME": str(home), "NO_COLOR": "1", "RUST_LOG": "warn"})
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        try:
            stderr = await asyncio.wait_for(_follow(process, on_code), timeout)
        except TimeoutError:
            raise DeviceLoginError(f"the login was not completed within {timeout:g}s") from None
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        auth = home / "auth.json"
        if process.returncode != 0 or not auth.is_file():
            raise DeviceLoginError(
                f"codex login exited with {process.returncode}: {_last_line(stderr)}"
            )
        return auth.read_bytes()
    finally:
        shutil.rmtree(home, ignore_errors=True)


async def _follow(
    process: asyncio.subprocess.Process, on_code: Callable[[DeviceCode], None]
) -> bytes:
    assert process.stdout is not None and process.stderr is not None
    errors = asyncio.ensure_future(process.stderr.read())
    prompt, told = _Prompt(), False
    async for raw in process.stdout:
        shown = prompt.feed(raw)
        if shown is not None and not told:
            told = True
            on_code(shown)
    await process.wait()
    return await errors


def _last_line(stderr: bytes) -> str:
    lines = [ln for ln in _ANSI.sub("", stderr.decode(errors="replace")).splitlines() if ln.strip()]
    return lines[-1].strip()[:300] if lines else "no message"
