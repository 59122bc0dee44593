"""Which codex the core tests run: the pinned wheel, or with ``OPTIO_CODEX_TEST_CODEX=<version>``
the npm codex ``scripts/setup`` installed under ``.cache/codex-npm/<version>`` (``.ci/run``
runs the core tests a second time that way)."""

from __future__ import annotations

import os
from pathlib import Path

from optio_codex.binary import NEWEST_TESTED_CODEX_VERSION, PINNED_CODEX_VERSION

REPO = Path(__file__).resolve().parent.parent.parent
NPM_CACHE = REPO / ".cache" / "codex-npm"
VERSION_ENV = "OPTIO_CODEX_TEST_CODEX"


def selected_version() -> str:
    return os.environ.get(VERSION_ENV, "").strip() or PINNED_CODEX_VERSION


def npm_install_root(version: str = NEWEST_TESTED_CODEX_VERSION) -> Path | None:
    """The bundle-layout directory of npm's platform package (``vendor/<target>``), if set up."""
    found = sorted(
        (NPM_CACHE / version).glob("node_modules/@openai/codex-linux-*/vendor/*/codex-package.json")
    )
    return found[0].parent if found else None


def missing_reason(version: str) -> str:
    return (
        f"{VERSION_ENV}={version}: no npm codex {version} under {NPM_CACHE / version} "
        "(scripts/setup installs it with npm)"
    )
