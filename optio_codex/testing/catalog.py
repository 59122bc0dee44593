"""A small model catalog for tests, derived from the catalog bundled in the pinned codex binary.

Codex only offers the apply_patch tool (and stops warning about unknown model metadata) when
it knows the model. Copying a real entry out of the installed binary, instead of checking in
a copy, keeps the test model in step with whatever binary is pinned.
"""

from __future__ import annotations

import copy
import json
import mmap
from functools import lru_cache
from pathlib import Path
from typing import Any

from optio_codex.binary import pinned_codex_path

MOCK_MODEL_SLUG = "mock-model"
MOCK_MODEL_DISPLAY_NAME = "Mock Model"
# A second model the scripted server also answers for: switching models mid-thread is tested.
MOCK_ALT_MODEL_SLUG = "mock-model-alt"
MOCK_ALT_MODEL_DISPLAY_NAME = "Mock Model Alt"
# The bundled entry we clone: it uses the freeform (custom tool) apply_patch.
SOURCE_MODEL_SLUG = "gpt-5.5"

_MARKER = b'"models": ['
# How far back from the marker the opening brace may be (it is a few bytes in practice).
_MAX_LOOKBACK = 256
# Upper bound on the size of the embedded document (about 0.5 MB in 0.163.0).
_MAX_DOCUMENT = 16 * 1024 * 1024


class CatalogError(RuntimeError):
    """The bundled model catalog could not be found or lacks the source model."""


def bundled_catalog(binary: Path | None = None) -> dict[str, Any]:
    """Decode the model catalog JSON document embedded in the codex binary."""
    path = binary if binary is not None else pinned_codex_path()
    if binary is None:
        return copy.deepcopy(_cached_bundled_catalog(str(path)))
    return _read_bundled_catalog(path)


@lru_cache(maxsize=4)
def _cached_bundled_catalog(path: str) -> dict[str, Any]:
    return _read_bundled_catalog(Path(path))


def _read_bundled_catalog(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        marker = data.find(_MARKER)
        if marker < 0:
            raise CatalogError(f"no bundled model catalog ({_MARKER!r}) found in {path}")
        start = data.rfind(b"{", max(0, marker - _MAX_LOOKBACK), marker)
        if start < 0:
            raise CatalogError(f"no '{{' opens the model catalog before offset {marker} in {path}")
        chunk = data[start : start + _MAX_DOCUMENT]
    # The document is followed by unrelated binary bytes: decode leniently, then stop at its end.
    try:
        document, _ = json.JSONDecoder().raw_decode(chunk.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise CatalogError(f"model catalog at offset {start} in {path} is not JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("models"), list):
        raise CatalogError(f"model catalog at offset {start} in {path} has no 'models' list")
    return document


def mock_model_entry(
    binary: Path | None = None,
    slug: str = MOCK_MODEL_SLUG,
    display_name: str = MOCK_MODEL_DISPLAY_NAME,
) -> dict[str, Any]:
    """The bundled `gpt-5.5` entry, renamed to `slug` (`mock-model` by default)."""
    models: list[Any] = bundled_catalog(binary)["models"]
    for model in models:
        if isinstance(model, dict) and model.get("slug") == SOURCE_MODEL_SLUG:
            entry: dict[str, Any] = copy.deepcopy(model)
            break
    else:
        slugs = [m.get("slug") for m in models if isinstance(m, dict)]
        raise CatalogError(f"bundled catalog has no {SOURCE_MODEL_SLUG!r} model; found {slugs}")
    entry["slug"] = slug
    entry["display_name"] = display_name
    entry["description"] = "Scripted local model for tests."
    # Keep the test model from advertising a migration to a model the mock cannot serve.
    entry["upgrade"] = None
    entry["visibility"] = "list"
    return entry


def mock_model_catalog(binary: Path | None = None) -> dict[str, Any]:
    """The `model_catalog_json` document: the mock model first (the default), then its twin."""
    return {
        "models": [
            mock_model_entry(binary),
            mock_model_entry(binary, MOCK_ALT_MODEL_SLUG, MOCK_ALT_MODEL_DISPLAY_NAME),
        ]
    }


def write_mock_model_catalog(path: Path, binary: Path | None = None) -> Path:
    """Write the mock catalog to `path` (parents created) and return `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(mock_model_catalog(binary), indent=1), encoding="utf-8")
    return path
