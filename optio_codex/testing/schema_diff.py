"""What changed in the app-server protocol between two codex binaries, as a readable list.

The input is the complete bundle ``codex app-server generate-json-schema --experimental``
writes (``codex_app_server_protocol.schemas.json``), the same one the wire types are generated
from. The drift test prints the list for the newer codex of the supported window: a report for
whoever moves the pin, not a failure (a method or field the pinned schema lacks is tolerated by
the wire models, and a server request of an unknown kind is answered with an error).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BUNDLE = "codex_app_server_protocol.schemas.json"
MESSAGE_UNIONS = ("ClientRequest", "ClientNotification", "ServerRequest", "ServerNotification")

Json = dict[str, Any]


def dump_schema(codex: Path) -> Json:
    """The protocol bundle of the codex at ``codex`` (it writes nothing but the bundle)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "schema"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CODEX_HOME": f"{scratch}/none",  # absent: codex writes no helper links
            "NO_COLOR": "1",
            "RUST_LOG": "error",
        }
        subprocess.run(
            [str(codex), "app-server", "generate-json-schema", "--experimental", "--out", str(out)],
            check=True,
            capture_output=True,
            env=env,
        )
        bundle: Json = json.loads((out / BUNDLE).read_text())
        return bundle


def _definitions(bundle: Json) -> Json:
    """Top-level and ``v2`` definitions in one namespace (the generator flattens them too)."""
    defs = dict(bundle.get("definitions", {}))
    nested = defs.pop("v2", {})
    return {**nested, **defs}


def _methods(union: Json) -> set[str]:
    found: set[str] = set()
    for variant in union.get("oneOf", []):
        method = variant.get("properties", {}).get("method", {})
        found.update(str(m) for m in method.get("enum", []))
    return found


def _properties(schema: Json) -> set[str]:
    props = set(schema.get("properties", {}))
    for key in ("oneOf", "anyOf", "allOf"):
        for variant in schema.get(key, []):
            if isinstance(variant, dict):
                props |= {f"{p}" for p in variant.get("properties", {})}
    return props


def _enum_values(schema: Json) -> set[str]:
    values = {str(v) for v in schema.get("enum", [])}
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []):
        if isinstance(variant, dict):
            values |= {str(v) for v in variant.get("enum", [])}
    return values


def _changes(label: str, old: set[str], new: set[str]) -> Iterator[str]:
    if added := sorted(new - old):
        yield f"{label}: added {', '.join(added)}"
    if removed := sorted(old - new):
        yield f"{label}: removed {', '.join(removed)}"


def schema_changes(old: Json, new: Json) -> list[str]:
    """One line per change: methods per message union, then types, fields and enum values."""
    old_defs, new_defs = _definitions(old), _definitions(new)
    lines: list[str] = []
    for union in MESSAGE_UNIONS:
        lines += _changes(
            f"{union} methods",
            _methods(old_defs.get(union, {})),
            _methods(new_defs.get(union, {})),
        )
    skip = set(MESSAGE_UNIONS)
    lines += _changes("types", set(old_defs) - skip, set(new_defs) - skip)
    for name in sorted((set(old_defs) & set(new_defs)) - skip):
        before, after = old_defs[name], new_defs[name]
        lines += _changes(f"{name} fields", _properties(before), _properties(after))
        lines += _changes(f"{name} values", _enum_values(before), _enum_values(after))
        required_before, required_after = (
            set(before.get("required", [])),
            set(after.get("required", [])),
        )
        lines += _changes(f"{name} required", required_before, required_after)
    return lines
