"""The model and effort controls of the view, from the app-server's live ``model/list``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optio_agents.session_controls import effort_control, filter_controls, model_control


def model_catalog(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """model/list entries as optio-agents' catalog shape; hidden models left out."""
    return [
        {
            "id": str(m.get("id")),
            "label": str(m.get("displayName") or m.get("id")),
            "description": m.get("description") or None,
        }
        for m in models
        if isinstance(m, dict) and m.get("id") and not m.get("hidden")
    ]


def model_entry(models: list[dict[str, Any]], model: str | None) -> dict[str, Any] | None:
    for entry in models:
        if (model and entry.get("id") == model) or (not model and entry.get("isDefault")):
            return entry
    return None


def effort_levels(entry: dict[str, Any] | None) -> list[str]:
    if entry is None:
        return []
    return [
        str(e.get("reasoningEffort"))
        for e in entry.get("supportedReasoningEfforts") or []
        if isinstance(e, dict) and e.get("reasoningEffort")
    ]


def build_controls(
    models: list[dict[str, Any]],
    model: str | None,
    effort: str | None,
    allowed: Sequence[str] | None,
) -> list[dict[str, Any]]:
    """The serialised controls a viewer may use (``allowed`` as the config's
    ``settable_controls``: [] shows none, None all)."""
    entry = model_entry(models, model)
    current = model or (str(entry.get("id")) if entry else None)
    controls = [model_control(models=model_catalog(models), current=current).to_dict()]
    levels = effort_levels(entry)
    if len(levels) > 1:  # graded reasoning only
        chosen = effort or (entry or {}).get("defaultReasoningEffort")
        controls.append(effort_control(levels=levels, current=chosen).to_dict())
    shown: list[dict[str, Any]] = filter_controls(controls, allowed)
    return shown
