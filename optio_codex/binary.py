"""The pinned codex binary that the worker runs locally and pushes to hosts."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PINNED_CODEX_VERSION = "0.163.0"


class CodexBinaryError(RuntimeError):
    """The pinned codex binary is missing or is not the version we pinned."""


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


@lru_cache(maxsize=1)
def pinned_codex() -> CodexBinary:
    """Path, version and sha256 of the pinned binary (checked once per process)."""
    path = pinned_codex_path()
    with tempfile.TemporaryDirectory() as scratch:
        # A CODEX_HOME that does not exist: codex then writes nothing (its helper links would
        # land in the user's real ~/.codex/tmp); no inherited environment (no secrets).
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": f"{scratch}/none"}
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, check=False, env=env
        )
    version = out.stdout.strip().rsplit(" ", 1)[-1]
    if version != PINNED_CODEX_VERSION:
        raise CodexBinaryError(
            f"codex at {path} reports {out.stdout.strip()!r}, expected {PINNED_CODEX_VERSION}"
        )
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return CodexBinary(path=path, version=version, sha256=digest.hexdigest())
