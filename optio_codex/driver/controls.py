"""The turn controls: which model and reasoning effort the next turn/start asks for."""

from __future__ import annotations

from typing import Any


class TurnControls:
    """``model`` and ``reasoning_effort``; a change applies from the next turn on."""

    def __init__(self, model: str | None, effort: str | None) -> None:
        self.model = model
        self.effort = effort

    def set(self, control_id: str, value: str | bool, models: list[dict[str, Any]]) -> bool:
        """Apply a control; False for one we do not know (ignored). An effort the model
        does not offer (per ``models``, model/list's entries) raises ValueError."""
        if control_id == "model":
            self.model = str(value) or None
        elif control_id in ("reasoning_effort", "effort"):
            effort = str(value) or None
            allowed = supported_efforts(models, self.model)
            if effort is not None and allowed and effort not in allowed:
                raise ValueError(
                    f"reasoning effort {effort!r} is not one of {sorted(allowed)} "
                    f"for model {self.model or 'default'!r}"
                )
            self.effort = effort
        else:
            return False
        return True

    def turn_params(self) -> dict[str, Any]:
        """What turn/start carries for them."""
        params: dict[str, Any] = {}
        if self.model:
            params["model"] = self.model
        if self.effort:
            params["effort"] = self.effort
        return params


def supported_efforts(models: list[dict[str, Any]], model: str | None = None) -> set[str]:
    """Efforts model/list offers for ``model`` (None: the default model); empty if unknown."""
    for entry in models:
        if (model and entry.get("id") == model) or (not model and entry.get("isDefault")):
            return {
                str(e.get("reasoningEffort"))
                for e in entry.get("supportedReasoningEfforts") or []
                if isinstance(e, dict)
            }
    return set()


__all__ = ["TurnControls", "supported_efforts"]
