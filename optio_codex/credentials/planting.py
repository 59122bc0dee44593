"""What a seed adds to a task's start: its auth.json (0600), its config.toml under the
task's own settings, and a marker naming the seed (no secret) so that a resumed run or the
orphan reaper knows whose login the task directory holds."""

from __future__ import annotations

import json
import logging
import tomllib
from typing import Any

from optio_codex.hosts.host_scripts import HostOps, read_file

log = logging.getLogger(__name__)

AUTH_FILE = "home/.codex/auth.json"  # relative to the task directory
MARKER_FILE = "home/.optio-codex-seed.json"  # relative to the task directory


def seed_codex_config(config_toml: bytes | None) -> dict[str, Any]:
    """A seed's config.toml as config entries for the task to merge over. Its ``projects``
    (trust given to the paths of the machine it was captured on) are dropped: the task trusts
    its own workdir in its own config."""
    if not config_toml:
        return {}
    try:
        config = tomllib.loads(config_toml.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The login is what matters; a seed's settings are a convenience.
        log.warning("the seed's config.toml is unreadable and left out: %s", exc)
        return {}
    config.pop("projects", None)
    return config


def marker(seed_id: str, name: str | None) -> bytes:
    return json.dumps({"seedId": seed_id, "name": name}).encode()


async def read_marker(ops: HostOps, task_dir: str) -> str | None:
    """The seed id a task directory's login came from, if it says."""
    text = await read_file(ops, f"{task_dir}/{MARKER_FILE}", timeout=15.0)
    try:
        value = json.loads(text).get("seedId") if text.strip() else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None
