"""The codex binaries we run: the pinned one (the worker runs it and pushes it to hosts) and
the window of versions a user may bring instead (checked by ``codex --version``)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PINNED_CODEX_VERSION = "0.163.0"
# The versions a user may bring (install_dir): the pin through the newest @openai/codex on npm
# that CI runs the core tests against (scripts/setup installs it).
NEWEST_TESTED_CODEX_VERSION = "0.171.0"
SUPPORTED_CODEX_WINDOW = (PINNED_CODEX_VERSION, NEWEST_TESTED_CODEX_VERSION)

# What `codex --version` prints: "codex-cli 0.171.0" (a pre-release: "codex-cli 0.172.0-alpha.3").
_VERSION_LINE = re.compile(r"^codex-cli (\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$")


class CodexBinaryError(RuntimeError):
    """The pinned codex binary is missing or is not the version we pinned."""


class CodexVersionError(CodexBinaryError, ValueError):
    """A codex someone brought is not a codex of the supported window."""


def parse_codex_version(output: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) from ``codex --version`` output; None for anything else,
    pre-releases included (they are not releases of the window)."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    match = _VERSION_LINE.match(lines[-1]) if lines else None
    if match is None or match[4]:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def _triple(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in version.split("."))
    return major, minor, patch


def check_codex_version(output: str, where: str, field: str = "install_dir") -> str:
    """The version ``codex --version`` printed, if inside the supported window; otherwise a
    :class:`CodexVersionError` naming what was found, the window and the config field."""
    low, high = SUPPORTED_CODEX_WINDOW
    parsed = parse_codex_version(output)
    shown = " ".join(output.split())[:120] or "nothing"
    if parsed is None:
        raise CodexVersionError(
            f"{field}: the codex at {where} is not a codex release we can check "
            f"(`codex --version` printed {shown!r}); supported: codex {low} to {high}"
        )
    version = ".".join(str(p) for p in parsed)
    if not _triple(low) <= parsed <= _triple(high):
        raise CodexVersionError(
            f"{field}: the codex at {where} is {version}, outside the supported window "
            f"{low} to {high}; install one of those (npm i @openai/codex@{high}) or leave "
            f"{field} unset for the pinned {PINNED_CODEX_VERSION}"
        )
    return version


@dataclass(frozen=True)
class CodexBinary:
    path: Path
    version: str
    sha256: str


def pinned_codex_path() -> Path:
    """Absolute path of the native codex from the `openai-codex-cli-bin` wheel."""
    try:
        import codex_cli_bin
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise CodexBinaryError(
            "openai-codex-cli-bin is not installed; reinstall optio-codex"
        ) from exc
    path = Path(codex_cli_bin.bundled_codex_path())
    if not path.is_file():
        raise CodexBinaryError(f"codex binary missing at {path}")
    return path


def _version_output(path: Path) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        # A CODEX_HOME that does not exist: codex then writes nothing (its helper links would
        # land in the user's real ~/.codex/tmp); no inherited environment (no secrets).
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": f"{scratch}/none"}
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, check=False, env=env
        )
    return out.stdout


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def pinned_codex() -> CodexBinary:
    """Path, version and sha256 of the pinned binary (checked once per process)."""
    path = pinned_codex_path()
    output = _version_output(path)
    version = output.strip().rsplit(" ", 1)[-1]
    if version != PINNED_CODEX_VERSION:
        raise CodexBinaryError(
            f"codex at {path} reports {output.strip()!r}, expected {PINNED_CODEX_VERSION}"
        )
    return CodexBinary(path=path, version=version, sha256=_sha256(path))


def codex_at(path: Path, field: str = "install_dir") -> CodexBinary:
    """A codex on this machine that is not the pinned one, after its identity check: an
    executable file whose ``--version`` lies in :data:`SUPPORTED_CODEX_WINDOW`."""
    path = path.resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise CodexVersionError(f"{field}: no executable codex at {path}")
    version = check_codex_version(_version_output(path), str(path), field)
    return CodexBinary(path=path, version=version, sha256=_sha256(path))
