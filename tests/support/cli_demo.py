"""`optio-codex run --demo` as the pty tests start it: the arguments and the environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def demo_args(host_dir: Path, *extra: str) -> list[str]:
    """``run --demo`` with its task dirs and deliverables under ``host_dir``."""
    places = ["--task-root", str(host_dir / "tasks"), "--deliverables-dir", str(host_dir / "out")]
    return ["run", "--demo", *places, *extra]


def scripted(module: str, script: str, host_dir: Path, *extra: str) -> list[str]:
    """The demo through a test wrapper ``module`` that swaps in the model's ``script``."""
    return [sys.executable, "-m", module, script, *demo_args(host_dir, *extra)]


def pty_env() -> dict[str, str]:
    """This environment, with the tests importable and no real API key."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"}
    env.pop("OPENAI_API_KEY", None)
    return env
