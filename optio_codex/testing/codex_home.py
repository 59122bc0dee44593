"""A CODEX_HOME that points codex at a local scripted model, for offline tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomli_w

from optio_codex.mappings import deep_merge
from optio_codex.testing.catalog import MOCK_MODEL_SLUG, write_mock_model_catalog

MOCK_PROVIDER_ID = "mock"
CATALOG_FILENAME = "mock-model-catalog.json"
# A stalled stream fails after this long; scripted holds send heartbeats well within it.
STREAM_IDLE_TIMEOUT_MS = 5_000

_FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin"


def mock_codex_config(model_base_url: str, catalog_path: Path) -> dict[str, Any]:
    """The config.toml contents (as a dict) for a run against `model_base_url`."""
    return {
        "model": MOCK_MODEL_SLUG,
        "model_provider": MOCK_PROVIDER_ID,
        "model_catalog_json": str(catalog_path),
        "check_for_update_on_startup": False,
        "model_providers": {
            MOCK_PROVIDER_ID: {
                "name": "Scripted test model",
                "base_url": model_base_url,
                "wire_api": "responses",
                # No auth at all: no API key, no ChatGPT login.
                "requires_openai_auth": False,
                # Errors must end the turn at once, not be retried behind the test's back.
                "request_max_retries": 0,
                "stream_max_retries": 0,
                "stream_idle_timeout_ms": STREAM_IDLE_TIMEOUT_MS,
                "supports_websockets": False,
            }
        },
        "sandbox_workspace_write": {
            # Keep sandboxed commands out of shared temp dirs, as in production.
            "exclude_slash_tmp": True,
            "exclude_tmpdir_env_var": True,
        },
        "analytics": {"enabled": False},
        "feedback": {"enabled": False},
        "history": {"persistence": "none"},
    }


def task_codex_config(model_base_url: str, directory: Path) -> dict[str, Any]:
    """``CodexTaskConfig.codex_config`` for a task against the scripted model: the catalog is
    written into ``directory`` (which the task's host must be able to read); the sandbox
    settings are left to the task."""
    catalog = write_mock_model_catalog(directory / CATALOG_FILENAME)
    config = mock_codex_config(model_base_url, catalog)
    config.pop("sandbox_workspace_write")
    return config


def write_test_codex_home(
    codex_home: Path, model_base_url: str, *, extra: dict[str, Any] | None = None
) -> Path:
    """Create `codex_home` with config.toml and the one-model catalog; return config.toml.

    `extra` is merged into the config (tables merge key by key, other values replace).
    """
    codex_home.mkdir(parents=True, exist_ok=True)
    catalog = write_mock_model_catalog(codex_home / CATALOG_FILENAME)
    config = mock_codex_config(model_base_url, catalog)
    if extra:
        config = deep_merge(config, extra)
    path = codex_home / "config.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def mock_codex_env(codex_home: Path) -> dict[str, str]:
    """A minimal environment for a test codex: its own HOME and TMPDIR inside `codex_home`,
    quiet logs, no colours, and nothing inherited that could carry credentials."""
    home = codex_home / "home"
    tmp = codex_home / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "CODEX_HOME": str(codex_home),
        "PATH": os.environ.get("PATH") or _FALLBACK_PATH,
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "RUST_LOG": "error",
    }


# pytest would try to collect these as tests when imported into a test module.
write_test_codex_home.__test__ = False  # type: ignore[attr-defined]
